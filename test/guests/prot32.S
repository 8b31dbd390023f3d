// prot32.S: test guest for entry mode protected32 (flat segments, CR0.PE = 1, paging off).
//
// Every check prints "<check> ok" or "FAIL <check>" on the UART (the console prefixes each line
// with "[prot32] "). At the end the code of the first failed check (0: all passed) goes to the
// debug-exit port 0xF4, which ends the VM with result "exit <code>":
//   1  CPUID 0x40000000: ebx, ecx, edx spell "wispwispwisp"
//   2  CPUID 1: ECX bit 31 (hypervisor present) set
//   3  CPUID 0x80000001: ECX bit 2 (SVM) clear
//   4  UART LSR (0x3FD) reads THR empty and transmitter empty (0x60)
//   5  VMMCALL VERSION: rbx = "wisp" (0x70736977), rax not all ones
//   6  RDMSR of a forbidden MSR (VM_CR, 0xC0010114) raises #GP exactly once, through the IDT
//   7  ... with error code 0 and the saved EIP at the RDMSR (the instruction was not completed)
//   8  WRMSR IA32_TSC_AUX, then RDMSR reads the value back, no #GP
//   9  VMMCALL CONSOLE_WRITE of a string in guest memory returns its length
//  10  VMMCALL EXIT_STATS(1 = CPUID) returns at least the number of CPUIDs this guest executed
//   0x80 + n: unexpected exception n (printed, then the guest ends at once)
// Checks 1-8 are shared with the other test guests: boot/guest-lib/checks.S.
//
// Memory: image at 0x1000, stack below 0x80000 (the VM has 2 MiB).

#define GUEST_BITS          32
#include "layout.S"
#include "checks.S"
#include "exceptions.S"
#include "flat32.S"

        GUEST_START .code32
        ENTER_FLAT32

        // IDT: all 32 exception vectors to stubs that report the vector; #GP to its handler.
        movl $idt, %edi
        movl $GATE_INTERRUPT32, %ebx
        xorl %ecx, %ecx
1:      leal exception_stubs(, %ecx, 8), %eax
        cmpl $VECTOR_GP, %ecx
        jne 2f
        movl $gp_handler, %eax
2:      call set_gate32
        incl %ecx
        cmpl $32, %ecx
        jb 1b
        lidt idt_pointer

        COMMON_CHECKS
        CHECK 5, check_version, name_version
        CHECK 6, check_gp_raised, name_gp_raised
        CHECK 7, check_gp_error_0_at_rdmsr, name_gp_error_0_at_rdmsr
        CHECK 8, check_tsc_aux, name_tsc_aux
        CHECK 9, check_console_write, name_console_write
        CHECK 10, check_exit_stats, name_exit_stats
        jmp finish

// check_console_write: CONSOLE_WRITE from guest memory; the text itself appears on the console.
check_console_write:
        movl $HC_CONSOLE_WRITE, %eax
        movl $console_text, %ebx
        movl $console_text_end - console_text, %ecx
        vmmcall
        cmpl $console_text_end - console_text, %eax
        ret

// check_exit_stats: EXIT_STATS counts this guest's CPUID exits (all ones would be an error).
check_exit_stats:
        movl $HC_EXIT_STATS, %eax
        movl $EXIT_CPUID, %ebx
        vmmcall
        cmpl $0xffffffff, %eax
        je 1f
        cmpl cpuid_count, %eax
        jb 1f
        xorl %eax, %eax                 // ZF = 1: passed
        ret
1:      testl %esp, %esp                // ZF = 0: failed
        ret

// #GP: the CPU pushed EFLAGS, CS, EIP and an error code (SDM vol. 3, 6.12.1, 6.13).
gp_handler:
        pushl %eax
        movl 4(%esp), %eax              // error code
        movl %eax, gp_error
        movl 8(%esp), %eax              // saved EIP: the faulting instruction
        movl %eax, gp_ip
        incl gp_count
        addl $2, 8(%esp)                // resume after the 2-byte RDMSR (0F 32)
        popl %eax
        addl $4, %esp                   // drop the error code before IRET
        iret

        .balign 8
idt:    .fill 32, 8, 0                  // filled at run time
idt_pointer:
        .word 32 * 8 - 1
        .long idt

console_text:        .ascii "hello through CONSOLE_WRITE\n"
console_text_end:

name_console_write:  .asciz "vmmcall console_write"
name_exit_stats:     .asciz "vmmcall exit_stats cpuid"
