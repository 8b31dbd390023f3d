// spec-ctrl.S: hostile case: the speculation-control MSRs, which exist exactly where CPUID says so
// (SDM vol. 4, Table 2-2; CPUID leaf 7 EDX bit 26 IBRS/IBPB, bit 27 STIBP, bit 31 SSBD; AMD's
// Fn8000_0008 EBX bits 12, 14, 24): a reported feature's MSR takes its writes, an unreported one
// raises #GP, as wisp's one table of features and MSRs (as-src/cpu-features.ts) promises. Checks:
//   1  IA32_SPEC_CTRL (48h): WRMSR 0 and RDMSR complete if leaf 7 EDX[26] or Fn8000_0008 EBX[14]
//      (IBRS) is reported, else raise #GP
//   2  IA32_PRED_CMD (49h): WRMSR 0 completes if leaf 7 EDX[26] or Fn8000_0008 EBX[12] (IBPB) is
//      reported, else raises #GP
//   0x80 + n: unexpected exception n
#include "case.inc"

#define MSR_SPEC_CTRL       0x48
#define MSR_PRED_CMD        0x49

        CASE_START
        DIRTY_MEMORY
        call features
        CHECK 1, check_spec_ctrl, name_spec_ctrl
        CHECK 2, check_pred_cmd, name_pred_cmd
        jmp finish

// features: leaf7_edx and ext8_ebx (0 where the leaf is missing)
features:
        xorl %eax, %eax
        cpuid
        cmpl $7, %eax
        jb 1f
        movl $7, %eax
        xorl %ecx, %ecx
        cpuid
        movl %edx, leaf7_edx
1:      movl $0x80000000, %eax
        cpuid
        cmpl $0x80000008, %eax
        jb 2f
        movl $0x80000008, %eax
        cpuid
        movl %ebx, ext8_ebx
2:      ret

// ZF = 1 when the WRMSR of 0 to ECX faulted exactly when `present` (EAX) is 0
wrmsr_as_reported:
        movl %eax, %esi
        xorl %eax, %eax
        xorl %edx, %edx
        EXPECT_FAULT VECTOR_GP, wrmsr
        sete %al                        // 1: it faulted
        testl %esi, %esi
        setz %ah                        // 1: not reported
        cmpb %al, %ah
        ret

check_spec_ctrl:
        movl leaf7_edx, %eax
        andl $(1 << 26), %eax
        movl ext8_ebx, %ebx
        andl $(1 << 14), %ebx
        orl %ebx, %eax
        movl $MSR_SPEC_CTRL, %ecx
        jmp wrmsr_as_reported

check_pred_cmd:
        movl leaf7_edx, %eax
        andl $(1 << 26), %eax
        movl ext8_ebx, %ebx
        andl $(1 << 12), %ebx
        orl %ebx, %eax
        movl $MSR_PRED_CMD, %ecx
        jmp wrmsr_as_reported

        CASE_DATA
leaf7_edx:           .long 0
ext8_ebx:            .long 0
name_spec_ctrl:      .asciz "spec_ctrl exists exactly as cpuid says"
name_pred_cmd:       .asciz "pred_cmd exists exactly as cpuid says"
