// user-hypercall.S: hostile case: hypercalls and INVD from user mode (CPL 3). A hypercall's
// arguments are guest input from whatever code runs: CONSOLE_WRITE would print any guest-physical
// address, bypassing the caller's paging, so wisp refuses it below CPL 0 with #UD (the VMMCALL is
// not completed); VERSION, which reads no guest memory, still answers there. INVD is privileged:
// #GP(0) at CPL 3 (SDM vol. 2A, INVD). docs/architecture.md, "Hypercalls".
//
// The guest has its own GDT with ring-3 code and data segments and a TSS for the way back into
// ring 0 (SDM vol. 3A, 7.2.1); user code runs with interrupts off and IOPL 0, and returns through
// INT 0x80 (a DPL-3 gate) or the exception it raises; either handler comes back to run_user's caller.
// Checks (the first failed code goes to the debug-exit port, 0: all passed):
//   1  VMMCALL VERSION at CPL 3 answers: ebx = "wisp", and the guest comes back through INT 0x80
//   2  VMMCALL CONSOLE_WRITE at CPL 3 raises #UD at the VMMCALL, eax unchanged: nothing printed
//   3  INVD at CPL 3 raises #GP(0) at the INVD
//   4  VMMCALL CONSOLE_WRITE at CPL 0 still prints (returns its length)
//   0x80 + n: unexpected exception n in ring 0
//
// Memory: image at 0x1000, kernel stack below 0x80000, the ring-0 stack of interrupts from ring 3
// below 0x78000, user stack below 0x70000 (the VM has 2 MiB).

#define GUEST_BITS          32
#include "layout.S"
#include "x86.S"
#include "wisp-abi.S"
#include "report.S"
#include "exceptions.S"
#include "flat32.S"

// This guest's GDT (below) keeps flat32.S's kernel code selector, which set_gate32 writes into
// the gates; RPL 3 in the user selectors.
#define KERNEL_CS           CODE32_SELECTOR
#define KERNEL_DS           0x10
#define USER_CS             (0x18 | 3)
#define USER_DS             (0x20 | 3)
#define TSS_SELECTOR        0x28
#define USER_STACK_TOP      0x70000
#define RING0_STACK_TOP     0x78000     // TSS.ESP0: apart from the stack run_user's callers use
#define VECTOR_UD           6
#define VECTOR_RETURN       0x80        // user code's way back
#define GATE_INTERRUPT32_DPL3 0xee00    // SDM vol. 3A, 6.11: P, DPL 3, 32-bit interrupt gate
#define TSS_ESP0            4           // SDM vol. 3A, 8.2.1 Figure 8-2
#define TSS_SS0             8
#define TSS_IOMAP           102
#define TSS_BYTES           104

        GUEST_START .code32
        ENTER_FLAT32
        call setup_rings

        CHECK 1, check_user_version, name_user_version
        CHECK 2, check_user_console_write, name_user_console_write
        CHECK 3, check_user_invd, name_user_invd
        CHECK 4, check_kernel_console_write, name_kernel_console_write
        jmp finish

// setup_rings: GDT with ring-3 segments and the TSS, the IDT (unexpected exceptions to the library's
// stubs; #UD, #GP and INT 0x80 to user_returned), TR.
setup_rings:
        movl $tss, %eax                 // TSS descriptor base 31:0 (SDM vol. 3A, 8.2.2 Figure 8-3)
        movw %ax, gdt_tss + 2
        shrl $16, %eax
        movb %al, gdt_tss + 4
        movb %ah, gdt_tss + 7
        movl $RING0_STACK_TOP, tss + TSS_ESP0
        movw $KERNEL_DS, tss + TSS_SS0
        movw $TSS_BYTES, tss + TSS_IOMAP   // no I/O permission bitmap
        lgdt ring_gdt_pointer
        ljmp $KERNEL_CS, $1f
1:      movl $KERNEL_DS, %eax
        movl %eax, %ds
        movl %eax, %es
        movl %eax, %ss
        movl %eax, %fs
        movl %eax, %gs
        movw $TSS_SELECTOR, %ax
        ltr %ax
        movl $ring_idt, %edi
        xorl %ecx, %ecx
2:      leal exception_stubs(, %ecx, 8), %eax
        movl $GATE_INTERRUPT32, %ebx
        cmpl $VECTOR_UD, %ecx
        je 3f
        cmpl $VECTOR_GP, %ecx
        jne 4f
        movl $gp_returned, %eax
        jmp 4f
3:      movl $ud_returned, %eax
4:      call set_gate32
        incl %ecx
        cmpl $32, %ecx
        jb 2b
        movl $VECTOR_RETURN, %ecx
        movl $int80_returned, %eax
        movl $GATE_INTERRUPT32_DPL3, %ebx
        call set_gate32
        lidt ring_idt_pointer
        ret

// run_user: runs the user code at EAX in ring 3 (EBX, ECX as it gets them) until it returns to
// ring 0; then returned_vector, returned_eip, returned_error, returned_eax, returned_ebx say how.
run_user:
        pushal
        movl %esp, kernel_esp
        pushl $USER_DS                  // IRET to ring 3 (SDM vol. 3A, 6.12.1): SS, ESP, EFLAGS, CS, EIP
        pushl $USER_STACK_TOP
        pushl $0x2                      // IF = 0, IOPL 0
        pushl $USER_CS
        pushl %eax
        movl $USER_DS, %eax
        movl %eax, %ds
        movl %eax, %es
        movl user_eax, %eax
        iret

// The ways back: the CPU switched to the TSS's ring-0 stack and pushed [error code,] EIP, CS,
// EFLAGS, ESP, SS. Each records them and returns from run_user.
ud_returned:
        movl $VECTOR_UD, returned_vector
        movl $0, returned_error
        jmp user_returned
gp_returned:
        movl $VECTOR_GP, returned_vector
        popl returned_error
        jmp user_returned
int80_returned:
        movl $VECTOR_RETURN, returned_vector
        movl $0, returned_error
user_returned:
        movl %eax, %ss:returned_eax
        movl %ebx, %ss:returned_ebx
        movl $KERNEL_DS, %eax
        movl %eax, %ds
        movl %eax, %es
        movl (%esp), %eax
        movl %eax, returned_eip
        movl 4(%esp), %eax
        movl %eax, returned_cs
        movl kernel_esp, %esp
        popal
        ret

// 1: VERSION from ring 3 answers and comes back through INT 0x80.
check_user_version:
        movl $HC_VERSION, user_eax
        movl $user_version, %eax
        call run_user
        cmpl $VECTOR_RETURN, returned_vector
        jne 1f
        cmpl $WISP_SIGNATURE, returned_ebx
        jne 1f
        cmpl $USER_CS, returned_cs
1:      ret

// 2: CONSOLE_WRITE of the "kernel" text from ring 3: #UD at the VMMCALL, EAX unchanged.
check_user_console_write:
        movl $HC_CONSOLE_WRITE, user_eax
        movl $user_console_write, %eax
        call run_user
        cmpl $VECTOR_UD, returned_vector
        jne 1f
        cmpl $user_console_vmmcall, returned_eip
        jne 1f
        cmpl $HC_CONSOLE_WRITE, returned_eax
1:      ret

// 3: INVD from ring 3: #GP(0) at the INVD.
check_user_invd:
        movl $0, user_eax
        movl $user_invd, %eax
        call run_user
        cmpl $VECTOR_GP, returned_vector
        jne 1f
        cmpl $user_invd, returned_eip
        jne 1f
        cmpl $0, returned_error
1:      ret

// 4: ring 0 may still write to the console.
check_kernel_console_write:
        movl $HC_CONSOLE_WRITE, %eax
        movl $kernel_text, %ebx
        movl $kernel_text_end - kernel_text, %ecx
        vmmcall
        cmpl $kernel_text_end - kernel_text, %eax
        ret

// User code (ring 3).
user_version:
        movl $-1, %ebx
        vmmcall
        int $VECTOR_RETURN
user_console_write:
        movl $secret_text, %ebx
        movl $secret_text_end - secret_text, %ecx
user_console_vmmcall:
        vmmcall
        int $VECTOR_RETURN
user_invd:
        invd
        int $VECTOR_RETURN

        .balign 8
ring_gdt:
        .quad 0
        .quad 0x00cf9a000000ffff        // 0x08: ring-0 32-bit code (SDM vol. 3A, 3.4.5)
        .quad 0x00cf92000000ffff        // 0x10: ring-0 data
        .quad 0x00cffa000000ffff        // 0x18: ring-3 32-bit code (DPL 3)
        .quad 0x00cff2000000ffff        // 0x20: ring-3 data (DPL 3)
gdt_tss:
        .quad 0x0000890000000000 + TSS_BYTES - 1   // 0x28: available 32-bit TSS (type 1001b); base set at run time
ring_gdt_end:
ring_gdt_pointer:
        .word ring_gdt_end - ring_gdt - 1
        .long ring_gdt
        .balign 8
ring_idt:
        .fill 256, 8, 0
ring_idt_pointer:
        .word 256 * 8 - 1
        .long ring_idt
        .balign 8
tss:                 .fill TSS_BYTES, 1, 0
kernel_esp:          .long 0
user_eax:            .long 0
returned_vector:     .long 0
returned_eip:        .long 0
returned_cs:         .long 0
returned_error:      .long 0
returned_eax:        .long 0
returned_ebx:        .long 0
secret_text:         .ascii "kernel-only secret 5e1f\n"
secret_text_end:
kernel_text:         .ascii "ring 0 still writes through CONSOLE_WRITE\n"
kernel_text_end:

name_user_version:          .asciz "vmmcall version from cpl 3"
name_user_console_write:    .asciz "vmmcall console_write from cpl 3 raises #ud"
name_user_invd:             .asciz "invd from cpl 3 raises #gp"
name_kernel_console_write:  .asciz "vmmcall console_write from cpl 0"
