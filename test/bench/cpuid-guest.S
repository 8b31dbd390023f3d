// cpuid-guest.S: the CPUID exit benchmark guest. Entry mode protected32; the measurement runs in
// 64-bit long mode, which the guest enters itself (as test/guests/long64.S does), because 64-bit
// guests are the case that matters.
//
// It times N = 1000 CPUIDs (leaf 0) between two RDTSCs, and an empty loop of N iterations that is
// the same loop without the CPUID, and prints on the UART:
//   iterations: 1000
//   loop-ticks: <TSC ticks of the whole empty loop>
//   cpuid-exit-ticks: <(cpuid loop ticks - loop-ticks) / N>: the cost of one CPUID exit round trip
// then writes 0 to the debug-exit port. Each loop is timed ROUNDS times and the smallest figure
// kept, so a host timer interrupt that lands in one round does not count.
// Under QEMU `-icount shift=0,sleep=off` the TSC advances by one per emulated instruction, the
// hypervisor's included: cpuid-exit-ticks is then instructions per CPUID exit round trip.
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

#define ITERATIONS          1000
#define ROUNDS              8

        GUEST_START .code32
        ENTER_LONG_MODE

        // r12: smallest CPUID-loop time, r13: smallest empty-loop time, r14: rounds left.
        movq $-1, %r12
        movq $-1, %r13
        movl $ROUNDS, %r14d
1:      call time_cpuid_loop
        cmpq %r12, %rax
        cmovbq %rax, %r12
        call time_empty_loop
        cmpq %r13, %rax
        cmovbq %rax, %r13
        decl %r14d
        jnz 1b

        leaq text_iterations(%rip), %rsi
        call puts
        movq $ITERATIONS, %rax
        call put_decimal
        call put_newline
        leaq text_loop_ticks(%rip), %rsi
        call puts
        movq %r13, %rax
        call put_decimal
        call put_newline
        leaq text_cpuid_ticks(%rip), %rsi
        call puts
        movq %r12, %rax
        subq %r13, %rax
        jae 2f
        xorl %eax, %eax                 // cannot happen with a working TSC; print 0, not 2^64 - x
2:      xorl %edx, %edx
        movq $ITERATIONS, %rcx
        divq %rcx
        call put_decimal
        call put_newline

        xorl %eax, %eax
        jmp debug_exit

// read_tsc: RAX = the 64-bit TSC. LFENCE first, so that RDTSC does not run ahead of the
// instructions before it (AMD APM vol. 3, RDTSC; on AMD, LFENCE is dispatch-serializing when
// DE_CFG bit 1 is set, as current kernels and firmware leave it; CPUID in the loop is serializing).
read_tsc:
        lfence
        rdtsc
        shlq $32, %rdx
        orq %rdx, %rax
        ret

// time_cpuid_loop: RAX = TSC ticks for ITERATIONS x CPUID leaf 0. Clobbers rbx, rcx, rdx, r8, r9.
time_cpuid_loop:
        call read_tsc
        movq %rax, %r8
        movl $ITERATIONS, %r9d
        .balign 16
1:      xorl %eax, %eax
        cpuid
        decl %r9d
        jnz 1b
        call read_tsc
        subq %r8, %rax
        ret

// time_empty_loop: RAX = TSC ticks for the same loop without the CPUID.
time_empty_loop:
        call read_tsc
        movq %rax, %r8
        movl $ITERATIONS, %r9d
        .balign 16
1:      xorl %eax, %eax
        decl %r9d
        jnz 1b
        call read_tsc
        subq %r8, %rax
        ret

text_iterations:     .asciz "iterations: "
text_loop_ticks:     .asciz "loop-ticks: "
text_cpuid_ticks:    .asciz "cpuid-exit-ticks: "
