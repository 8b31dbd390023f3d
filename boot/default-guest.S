// default-guest.S: the demo guest built into wisp.efi, run when the boot volume holds no
// \wisp\wisp.cfg (configuration: boot/default.cfg). Entry mode protected32 (flat segments, paging
// off); it switches to 64-bit long mode itself, asks the hypervisor who it is (CPUID leaf
// 0x40000000) and which hypercall ABI it speaks (VMMCALL VERSION), prints what it found on the
// UART and ends the VM through the debug-exit port with 0.
//
// The long-mode switch, printing and the exit come from the guest library, boot/guest-lib/.
//
// Memory (the VM has 2 MiB): image at 0x1000, page tables at 0x10000-0x12FFF, stack below 0x80000.

#define GUEST_BITS          64
#include "layout.S"
#include "exit.S"
#include "long-mode.S"
#include "print.S"
#include "uart.S"
#include "wisp-abi.S"

        GUEST_START .code32
        ENTER_LONG_MODE
        leaq text_greeting(%rip), %rsi
        call puts

        // CPUID leaf 0x40000000: the hypervisor's name in ebx, ecx, edx, 4 characters each.
        movl $0x40000000, %eax
        xorl %ecx, %ecx
        cpuid
        movl %ebx, signature(%rip)
        movl %ecx, signature + 4(%rip)
        movl %edx, signature + 8(%rip)
        leaq text_signature(%rip), %rsi
        call puts
        leaq signature(%rip), %rsi
        call puts
        leaq text_quote_newline(%rip), %rsi
        call puts

        // VMMCALL VERSION: rax = major << 16 | minor.
        movq $HC_VERSION, %rax
        vmmcall
        movq %rax, %rbx
        leaq text_version(%rip), %rsi
        call puts
        movq %rbx, %rax
        shrq $16, %rax
        call put_decimal
        movb $'.', %al
        call putc
        movzwl %bx, %eax
        call put_decimal
        call put_newline

        leaq text_hello(%rip), %rsi
        call puts

        xorl %eax, %eax                 // exit 0: all is well
        jmp debug_exit

signature:      .skip 13                // 12 characters and the terminating 0

text_greeting:       .asciz "Hi! This is wisp's default guest, now running in 64-bit long mode.\n"
text_signature:      .asciz "The hypervisor's CPUID signature is \""
text_quote_newline:  .asciz "\"\n"
text_version:        .asciz "Its hypercall ABI version is "
text_hello:          .asciz "Hello from a wisp guest\n"
