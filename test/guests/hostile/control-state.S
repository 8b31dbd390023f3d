// control-state.S: hostile case: control state the CPU refuses, and a sweep of the MSR ranges.
// Each refused write raises #GP and changes nothing; the VM goes on. Checks:
//   1  WRMSR EFER with a reserved bit (63) raises #GP
//   2  where XSAVE exists: XSETBV with XCR0 = 0 (x87 cleared) and with AVX but not SSE raises #GP
//   3  RDMSR of every MSR in 0-1FFh, C000_0000h-C000_01FFh and C001_0000h-C001_01FFh returns or
//      raises #GP, nothing else (1536 exits)
//   0x80 + n: unexpected exception n
// Not here: MOV CR4 with a reserved bit, which hardware refuses with #GP but QEMU's TCG takes
// under SVM (wisp does not intercept CR4 writes), after which VMRUN fails its consistency checks
// and wisp stops the VM naming the check (test/unit/exit.test.ts, "ENTRY_FAILED names ...").
#include "case.inc"

#define CR4_OSXSAVE         (1 << 18)
#define XCR0_X87            1
#define XCR0_AVX            4

        CASE_START
        DIRTY_MEMORY
        CHECK 1, check_efer, name_efer
        CHECK 2, check_xsetbv, name_xsetbv
        CHECK 3, check_msr_sweep, name_msr_sweep
        jmp finish

check_efer:
        movl $MSR_EFER, %ecx
        rdmsr
        orl $0x80000000, %edx
        EXPECT_FAULT VECTOR_GP, wrmsr
        ret

check_xsetbv:
        movl $1, %eax
        cpuid
        testl $(1 << 26), %ecx          // XSAVE
        jz 2f
        movl %cr4, %eax
        orl $CR4_OSXSAVE, %eax
        movl %eax, %cr4
        xorl %ecx, %ecx
        xorl %edx, %edx
        xorl %eax, %eax                 // XCR0 = 0: x87 cleared
        EXPECT_FAULT VECTOR_GP, xsetbv
        jne 1f
        xorl %ecx, %ecx
        movl $(XCR0_X87 | XCR0_AVX), %eax   // AVX without SSE (SDM vol. 1, 13.3)
        EXPECT_FAULT VECTOR_GP, xsetbv
1:      ret
2:      cmpl %eax, %eax
        ret

// One range: ECX from EBX for 0x200 MSRs; #GP or a value are both fine.
sweep:
        movl %ebx, %ecx
1:      pushl %ecx
        EXPECT_FAULT VECTOR_GP, rdmsr
        popl %ecx
        incl %ecx
        movl %ecx, %eax
        subl %ebx, %eax
        cmpl $0x200, %eax
        jb 1b
        ret

check_msr_sweep:
        xorl %ebx, %ebx
        call sweep
        movl $0xc0000000, %ebx
        call sweep
        movl $0xc0010000, %ebx
        call sweep
        cmpl %eax, %eax
        ret

        CASE_DATA
name_efer:           .asciz "efer reserved bit raises #gp"
name_xsetbv:         .asciz "invalid xcr0 raises #gp"
name_msr_sweep:      .asciz "msr sweep"
