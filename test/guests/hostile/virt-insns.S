// virt-insns.S: hostile case: the virtualization instructions of both vendors, which the guest's
// CPU does not have (CPUID hides SVM and VMX): each raises #UD, as on a CPU without them (AMD APM
// vol. 3: VMRUN, VMLOAD, VMSAVE, STGI, CLGI, SKINIT, INVLPGA "#UD if EFER.SVME = 0"; Intel SDM
// vol. 2: the VMX instructions "#UD if CR4.VMXE = 0"), and the MSRs that would turn them on do not
// exist (#GP). Checks:
//   1  VMRUN, VMLOAD, VMSAVE, STGI, CLGI, SKINIT, INVLPGA raise #UD
//   2  VMXON, VMXOFF, VMLAUNCH, VMRESUME, VMCLEAR, VMPTRLD, VMPTRST, VMREAD, VMWRITE, INVEPT, INVVPID raise #UD
//   3  WRMSR EFER with SVME (bit 12) raises #GP
//   4  WRMSR VM_HSAVE_PA (C001_0117h) and VM_CR (C001_0114h), RDMSR IA32_FEATURE_CONTROL (3Ah) raise #GP
//   0x80 + n: unexpected exception n
#include "case.inc"

#define MSR_VM_HSAVE_PA     0xc0010117
#define MSR_FEATURE_CONTROL 0x3a

        CASE_START
        DIRTY_MEMORY
        CHECK 1, check_svm, name_svm
        CHECK 2, check_vmx, name_vmx
        CHECK 3, check_svme, name_svme
        CHECK 4, check_msrs, name_msrs
        jmp finish

// Each instruction must raise #UD; the first that does not fails the check.
.macro UD insn:vararg
        EXPECT_FAULT VECTOR_UD, \insn
        jne 8f
.endm

// rAX is a 4 KiB-aligned address in RAM: with a misaligned one the CPU raises #GP before it
// checks the intercept (APM vol. 2, 15.9: operand checks come first), as the guest's EFER.SVME is
// 1 in the VMCB (VMRUN requires it); the guest would then see #GP where a CPU without SVM has #UD.
check_svm:
        movl $DIRTY_FROM, %eax
        UD vmrun %eax
        UD vmload %eax
        UD vmsave %eax
        UD stgi
        UD clgi
        UD skinit %eax
        UD invlpga %eax, %ecx
        cmpl %eax, %eax
8:      ret

check_vmx:
        UD vmxon vmcb_area
        UD vmxoff
        UD vmlaunch
        UD vmresume
        UD vmclear vmcb_area
        UD vmptrld vmcb_area
        UD vmptrst vmcb_area
        UD vmread %eax, %ebx
        UD vmwrite %ebx, %eax
        UD invept vmcb_area, %eax
        UD invvpid vmcb_area, %eax
        cmpl %eax, %eax
8:      ret

check_svme:
        movl $MSR_EFER, %ecx
        rdmsr
        orl $EFER_SVME, %eax
        EXPECT_FAULT VECTOR_GP, wrmsr
        ret

check_msrs:
        xorl %eax, %eax
        xorl %edx, %edx
        movl $MSR_VM_HSAVE_PA, %ecx
        EXPECT_FAULT VECTOR_GP, wrmsr
        jne 1f
        movl $MSR_VM_CR, %ecx
        EXPECT_FAULT VECTOR_GP, wrmsr
        jne 1f
        movl $MSR_FEATURE_CONTROL, %ecx
        EXPECT_FAULT VECTOR_GP, rdmsr
1:      ret

        CASE_DATA
        .balign 8
vmcb_area:           .fill 16, 1, 0
name_svm:            .asciz "svm instructions raise #ud"
name_vmx:            .asciz "vmx instructions raise #ud"
name_svme:           .asciz "efer.svme cannot be set"
name_msrs:           .asciz "vm_hsave_pa, vm_cr and feature_control do not exist"
