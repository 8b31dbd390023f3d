// svm_vmrun(area, vmcb_pa, host_state_pa, keep_gif_clear): one guest entry and exit (Microsoft x64
// ABI: rcx, rdx, r8, r9; rbx, rbp, rdi, rsi, r12-r15 are callee-saved). The guest's general registers come from and go
// back to the vCPU area (offsets: docs/architecture.md); RAX and RSP live in the VMCB.
//
// GIF is clear from before VMLOAD to after the host state is back, so an interrupt that ended the
// guest's run (INTR intercept) is taken by the host's IDT right after STGI (APM vol. 2, 15.17).
// Blue-pill passes keep_gif_clear != 0: its host never takes an interrupt or NMI; one that arrives
// stays pending until the next VMRUN and exits again there (NMI intercept).

#include "guest_gprs.h"

    .text
    .globl svm_vmrun
svm_vmrun:
    PUSH_HOST_CALLEE_SAVED
    pushq %r9                   // keep_gif_clear   [rsp + 16] (r9 itself carries the guest's r9)
    pushq %r8                   // host state page  [rsp + 8]
    pushq %rcx                  // vCPU area        [rsp]
    movq %rdx, %rax             // VMRUN, VMLOAD, VMSAVE take the VMCB address in rAX (APM vol. 3, VMRUN)
    clgi
    LOAD_GUEST_GPRS %rcx
    movq 0x08(%rcx), %rcx
    vmload %rax
    vmrun %rax
    vmsave %rax                 // #VMEXIT restored the host's RAX (the VMCB address) and RSP
    movq (%rsp), %rax
    movq %rcx, 0x08(%rax)
    SAVE_GUEST_GPRS %rax
    movq 8(%rsp), %rax
    vmload %rax                 // the host's FS, GS, TR, LDTR and syscall MSRs
    cmpq $0, 16(%rsp)
    jne 1f
    stgi
1:
    addq $24, %rsp
    POP_HOST_CALLEE_SAVED
    ret
