// svm_vmrun(area, vmcb_pa, host_state_pa): one guest entry and exit (Microsoft x64 ABI: rcx, rdx,
// r8; rbx, rbp, rdi, rsi, r12-r15 are callee-saved). The guest's general registers come from and go
// back to the vCPU area (offsets: docs/architecture.md); RAX and RSP live in the VMCB.
//
// GIF is clear from before VMLOAD to after the host state is back, so an interrupt that ended the
// guest's run (INTR intercept) is taken by the host's IDT right after STGI (APM vol. 2, 15.17).

    .text
    .globl svm_vmrun
svm_vmrun:
    pushq %rbx
    pushq %rbp
    pushq %rdi
    pushq %rsi
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    pushq %r8                   // host state page  [rsp + 8]
    pushq %rcx                  // vCPU area        [rsp]
    movq %rdx, %rax             // VMRUN, VMLOAD, VMSAVE take the VMCB address in rAX (APM vol. 3, VMRUN)
    clgi
    movq 0x10(%rcx), %rdx
    movq 0x18(%rcx), %rbx
    movq 0x28(%rcx), %rbp
    movq 0x30(%rcx), %rsi
    movq 0x38(%rcx), %rdi
    movq 0x40(%rcx), %r8
    movq 0x48(%rcx), %r9
    movq 0x50(%rcx), %r10
    movq 0x58(%rcx), %r11
    movq 0x60(%rcx), %r12
    movq 0x68(%rcx), %r13
    movq 0x70(%rcx), %r14
    movq 0x78(%rcx), %r15
    movq 0x08(%rcx), %rcx
    vmload %rax
    vmrun %rax
    vmsave %rax                 // #VMEXIT restored the host's RAX (the VMCB address) and RSP
    movq (%rsp), %rax
    movq %rcx, 0x08(%rax)
    movq %rdx, 0x10(%rax)
    movq %rbx, 0x18(%rax)
    movq %rbp, 0x28(%rax)
    movq %rsi, 0x30(%rax)
    movq %rdi, 0x38(%rax)
    movq %r8, 0x40(%rax)
    movq %r9, 0x48(%rax)
    movq %r10, 0x50(%rax)
    movq %r11, 0x58(%rax)
    movq %r12, 0x60(%rax)
    movq %r13, 0x68(%rax)
    movq %r14, 0x70(%rax)
    movq %r15, 0x78(%rax)
    movq 8(%rsp), %rax
    vmload %rax                 // the host's FS, GS, TR, LDTR and syscall MSRs
    stgi
    addq $16, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rsi
    popq %rdi
    popq %rbp
    popq %rbx
    ret
