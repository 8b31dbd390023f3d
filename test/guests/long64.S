// long64.S: test guest that enters long mode by itself. Entry mode protected32 (flat segments,
// paging off); the guest builds 4-level page tables identity-mapping its first 2 MiB, sets
// CR4.PAE, EFER.LME (WRMSR, which the core intercepts and emulates), CR3 and CR0.PG, and far-jumps
// to a 64-bit code segment (SDM vol. 3, 10.8.5 "Initializing IA-32e Mode").
//
// Every check prints "<check> ok" or "FAIL <check>" on the UART (the console prefixes each line
// with "[long64] "). At the end the code of the first failed check (0: all passed) goes to the
// debug-exit port 0xF4, which ends the VM with result "exit <code>":
//   1  CPUID 0x40000000: rbx, rcx, rdx = "wisp" each, upper halves zeroed (they were all ones)
//   2  CPUID 1: ECX bit 31 (hypervisor present) set
//   3  CPUID 0x80000001: ECX bit 2 (SVM) clear
//   4  UART LSR (0x3FD) reads THR empty and transmitter empty (0x60)
//   5  VMMCALL VERSION: rbx = 0x70736977 in all 64 bits (it was all ones), rax < 2^32
//   6  ... and rbp, rsi, rdi, r8-r15 keep their 64-bit values across the VMMCALL
//   7  VMMCALL CONSOLE_WRITE with rbx = 2^32 + a valid address returns all ones: the 64-bit
//      guest-physical address is not truncated to 32 bits
//   8  VMMCALL CONSOLE_WRITE of a string in guest memory returns its length
//   9  RDMSR of a forbidden MSR (VM_CR, 0xC0010114) raises #GP exactly once, through the IDT
//  10  ... with error code 0 and the saved RIP at the RDMSR (the instruction was not completed)
//  11  WRMSR IA32_TSC_AUX, then RDMSR reads the value back, no #GP
//  12  RDMSR EFER: LME and LMA set, SVME (the hypervisor's own bit) not visible
//   0x80 + n: unexpected exception n (printed, then the guest ends at once)
// Checks 1-4 and 9-11 are shared with the other test guests: boot/guest-lib/checks.S.
//
// Memory (the VM has 2 MiB): image at 0x1000, page tables at 0x10000-0x12FFF, stack below 0x80000.

#define GUEST_BITS          64
#include "layout.S"
#include "checks.S"
#include "exceptions.S"
#include "long-mode.S"

        GUEST_START .code32
        ENTER_LONG_MODE

        // IDT: all 32 exception vectors to stubs that report the vector; #GP to its handler.
        xorl %ecx, %ecx
1:      leaq exception_stubs(%rip), %rax
        leaq (%rax, %rcx, 8), %rax
        cmpl $VECTOR_GP, %ecx
        jne 2f
        leaq gp_handler(%rip), %rax
2:      call set_gate
        incl %ecx
        cmpl $32, %ecx
        jb 1b
        lidt idt_pointer(%rip)

        leaq text_long_mode(%rip), %rsi
        call puts

        COMMON_CHECKS
        CHECK 5, check_version64, name_version
        CHECK 6, check_preserved, name_preserved
        CHECK 7, check_console_high, name_console_high
        CHECK 8, check_console_write, name_console_write
        CHECK 9, check_gp_raised, name_gp_raised
        CHECK 10, check_gp_error_0_at_rdmsr, name_gp_error_0_at_rdmsr
        CHECK 11, check_tsc_aux, name_tsc_aux
        CHECK 12, check_efer, name_efer
        jmp finish

// check_version64: VMMCALL VERSION with 64-bit values in every register the ABI does not use;
// whether they kept them is check_preserved's.
check_version64:
        .irp reg, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15
        movq pattern_\reg(%rip), %\reg
        .endr
        movq $-1, %rbx
        movq $HC_VERSION, %rax
        vmmcall
        .irp reg, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15
        cmpq pattern_\reg(%rip), %\reg
        jne 1f
        .endr
1:      setz preserved(%rip)
        movq %rax, %rcx
        shrq $32, %rcx                  // a version, not all ones: fits in 32 bits
        jnz 2f
        movq $WISP_SIGNATURE, %rcx
        cmpq %rcx, %rbx
2:      ret

check_preserved:
        cmpb $1, preserved(%rip)
        ret

// check_console_high: a guest-physical address above 4 GiB must be refused, not truncated.
check_console_high:
        movq $HC_CONSOLE_WRITE, %rax
        leaq console_text_high(%rip), %rbx
        movabsq $0x100000000, %rcx
        addq %rcx, %rbx
        movq $console_text_high_end - console_text_high, %rcx
        vmmcall
        cmpq $-1, %rax
        ret

// check_console_write: CONSOLE_WRITE from guest memory; the text itself appears on the console.
check_console_write:
        movq $HC_CONSOLE_WRITE, %rax
        leaq console_text(%rip), %rbx
        movq $console_text_end - console_text, %rcx
        vmmcall
        cmpq $console_text_end - console_text, %rax
        ret

// check_efer: the guest's view of EFER.
check_efer:
        movl $MSR_EFER, %ecx
        rdmsr
        andl $EFER_LME | EFER_LMA | EFER_SVME, %eax
        cmpl $EFER_LME | EFER_LMA, %eax
        ret

// set_gate: IDT entry ECX -> handler RAX (SDM vol. 3, 6.14.1, figure 6-8).
set_gate:
        pushq %rdx
        pushq %rdi
        movl %ecx, %edi
        shll $4, %edi                   // 16-byte gates
        leaq idt(%rip), %rdx
        addq %rdx, %rdi
        movl %eax, %edx
        andl $0xffff, %edx
        orl $CODE64_SELECTOR << 16, %edx
        movl %edx, (%rdi)
        movl %eax, %edx
        andl $0xffff0000, %edx
        orl $GATE_INTERRUPT64, %edx
        movl %edx, 4(%rdi)
        movq %rax, %rdx
        shrq $32, %rdx
        movl %edx, 8(%rdi)
        movl $0, 12(%rdi)
        popq %rdi
        popq %rdx
        ret

// #GP: the CPU pushed SS, RSP, RFLAGS, CS, RIP and an error code (SDM vol. 3, 6.14.2).
gp_handler:
        pushq %rax
        movq 8(%rsp), %rax              // error code
        movq %rax, gp_error(%rip)
        movq 16(%rsp), %rax             // saved RIP: the faulting instruction
        movq %rax, gp_ip(%rip)
        incl gp_count(%rip)
        addq $2, 16(%rsp)               // resume after the 2-byte RDMSR (0F 32)
        popq %rax
        addq $8, %rsp                   // drop the error code before IRETQ
        iretq

        .balign 16
idt:    .skip 32 * 16                   // filled at run time
idt_pointer:
        .word 32 * 16 - 1
        .quad idt

        .balign 8
pattern_rbp:    .quad 0xb0b0b0b0a5a5a5a5
pattern_rsi:    .quad 0x5151515112345678
pattern_rdi:    .quad 0xd1d1d1d187654321
pattern_r8:     .quad 0x0808080800000008
pattern_r9:     .quad 0x0909090900000009
pattern_r10:    .quad 0x101010100000000a
pattern_r11:    .quad 0x111111110000000b
pattern_r12:    .quad 0x121212120000000c
pattern_r13:    .quad 0x131313130000000d
pattern_r14:    .quad 0x141414140000000e
pattern_r15:    .quad 0x8000000f8000000f
preserved:      .byte 0

console_text:        .ascii "hello through CONSOLE_WRITE from 64-bit mode\n"
console_text_end:
console_text_high:   .ascii "FAIL: CONSOLE_WRITE truncated a 64-bit address\n"
console_text_high_end:

text_long_mode:      .asciz "in long mode\n"
name_preserved:      .asciz "vmmcall preserves 64-bit registers"
name_console_high:   .asciz "vmmcall console_write refuses gpa above 4 GiB"
name_console_write:  .asciz "vmmcall console_write"
name_efer:           .asciz "efer reads lme and lma, no svme"
