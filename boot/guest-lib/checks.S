// checks.S: the checks every test guest runs in its own mode, each a routine that sets ZF = 1 when
// the check passed (to be run with CHECK, report.S), and the names they are reported under.
//   check_signature        CPUID 0x40000000: wBX, wCX, wDX = "wisp" each (all ones before: in
//                          long mode the upper halves must have been zeroed)
//   check_hv_bit           CPUID 1: ECX bit 31 (hypervisor present) set
//   check_svm_hidden       CPUID 0x80000001: ECX bit 2 (SVM) clear: the guest must not see SVM
//   check_uart_lsr         UART LSR (0x3FD) reads THR empty and transmitter empty (0x60)
//   COMMON_CHECKS          macro: these four, as checks 1 to 4
//   check_version          VMMCALL VERSION: wBX = "wisp" (0x70736977), wAX not all ones
//   check_gp_raised        RDMSR of a forbidden MSR (VM_CR) raises #GP exactly once
//   check_gp_at_rdmsr      ... and the saved IP is the RDMSR's (the instruction was not completed)
//   check_gp_error_0_at_rdmsr  ... and, before that, the error code is 0
//   check_tsc_aux          WRMSR IA32_TSC_AUX, then RDMSR reads the value back, no #GP
//   counted_cpuid          CPUID, counted in cpuid_count (the CPUID checks above use it)
// The #GP checks need the guest's #GP handler to count in gp_count (incl), save the faulting IP in
// gp_ip and the error code (if the mode has one) in gp_error at the mode's width, and resume 2 bytes
// further, after the RDMSR (0F 32).
// Mode: GUEST_BITS (16, 32 or 64). Clobbers: the checks wAX, wBX, wCX, wDX. Needs report.S, which it
// includes.

#ifndef GUEST_LIB_CHECKS_S
#define GUEST_LIB_CHECKS_S
#include "width.S"
#include "x86.S"
#include "wisp-abi.S"
#include "uart.S"
#include "report.S"

#define TSC_AUX_PATTERN     0x2a5

.macro COMMON_CHECKS
        CHECK 1, check_signature, name_signature
        CHECK 2, check_hv_bit, name_hv_bit
        CHECK 3, check_svm_hidden, name_svm_hidden
        CHECK 4, check_uart_lsr, name_lsr
.endm

        GUEST_LIB_BEGIN
// check_signature: the hypervisor's name, with the outputs preset to all ones.
check_signature:
        movl $0x40000000, %eax
        mov $-1, wBX
        mov $-1, wCX                    // the subleaf, which this leaf ignores
        mov $-1, wDX
        call counted_cpuid
        mov $WISP_SIGNATURE, wAX
        cmp wAX, wBX
        jne 1f
        cmp wAX, wCX
        jne 1f
        cmp wAX, wDX
1:      ret

// check_hv_bit: the hypervisor-present bit.
check_hv_bit:
        movl $1, %eax
        xorl %ecx, %ecx
        call counted_cpuid
        notl %ecx
        testl $1 << 31, %ecx            // ZF = 1 when bit 31 was set
        ret

// check_svm_hidden: the guest must not see SVM.
check_svm_hidden:
        movl $0x80000001, %eax
        xorl %ecx, %ecx
        call counted_cpuid
        testl $1 << 2, %ecx             // ZF = 1 when SVM is clear
        ret

// check_uart_lsr: line status of an idle UART.
check_uart_lsr:
        movw $UART_LSR, %dx
        inb %dx, %al
        andb $LSR_THR_EMPTY | LSR_TEMT, %al
        cmpb $LSR_THR_EMPTY | LSR_TEMT, %al
        ret

// check_version: VMMCALL VERSION.
check_version:
        mov $HC_VERSION, wAX
        xor wBX, wBX
        vmmcall
        cmp $-1, wAX
        je 1f                           // ZF = 1 here would read as a pass: force ZF = 0
        cmp $WISP_SIGNATURE, wBX
        ret
1:      test rSP, rSP                   // rSP is never 0: ZF = 0, a failure
        ret

// check_gp_raised: RDMSR of VM_CR. Two NOPs follow the RDMSR so that a hypervisor that wrongly
// advanced IP as well as injecting #GP still lands on an instruction boundary.
check_gp_raised:
        movl $0, gp_count
        mov $-1, wAX
        mov wAX, gp_error
        movl $MSR_VM_CR, %ecx
rdmsr_forbidden:
        rdmsr
        nop
        nop
        cmpl $1, gp_count
        ret

// check_gp_error_0_at_rdmsr, check_gp_at_rdmsr: the frame the #GP handler saw.
check_gp_error_0_at_rdmsr:
        mov gp_error, wAX
        test wAX, wAX
        jnz 1f
check_gp_at_rdmsr:
        mov gp_ip, rAX
        cmp $rdmsr_forbidden, rAX
1:      ret

// check_tsc_aux: a permitted MSR, written and read back.
check_tsc_aux:
        movl $0, gp_count
        movl $MSR_TSC_AUX, %ecx
        movl $TSC_AUX_PATTERN, %eax
        xorl %edx, %edx                 // bits 63:32 are reserved
        wrmsr
        mov $-1, wAX
        mov $-1, wDX
        rdmsr
        cmpl $0, gp_count
        jne 1f
        cmp $TSC_AUX_PATTERN, wAX       // RDMSR clears the upper halves (SDM vol. 2, RDMSR)
        jne 1f
        test wDX, wDX
1:      ret

// counted_cpuid: CPUID, counting how many this guest executed.
counted_cpuid:
        incl cpuid_count
        cpuid
        ret

        .balign 8
gp_ip:          .quad 0
gp_error:       .quad 0
gp_count:       .long 0
cpuid_count:    .long 0

name_signature:      .asciz "cpuid signature"
name_hv_bit:         .asciz "cpuid hypervisor bit"
name_svm_hidden:     .asciz "cpuid svm hidden"
name_lsr:            .asciz "uart lsr"
name_version:        .asciz "vmmcall version"
name_gp_raised:      .asciz "forbidden msr #gp"
name_gp_at_rdmsr:    .asciz "forbidden msr #gp at rdmsr"
name_gp_error_0_at_rdmsr: .asciz "forbidden msr #gp error code 0 at rdmsr"
name_tsc_aux:        .asciz "permitted msr tsc_aux"
        GUEST_LIB_END

#endif
