// vmx_enter(area, launched): one guest entry and exit (Microsoft x64 ABI: rcx, rdx; rbx, rbp, rdi,
// rsi, r12-r15 are callee-saved). The guest's general registers come from and go back to the vCPU
// area (offsets: docs/architecture.md); RSP, RIP and RFLAGS live in the VMCS.
//
// Host interrupts are off from before the entry until the host's RFLAGS is back: a VM exit loads
// RFLAGS = 2 (SDM vol. 3C, 28.5.3), and "acknowledge interrupt on exit" is 0, so an interrupt that
// ended the guest's run (exit reason 1) stays pending and is taken by the host's IDT at the popfq,
// as SVM's STGI does.
//
// Returns 0 after a VM exit, 1 when VMLAUNCH/VMRESUME failed with VMfailValid (ZF: the reason is in
// the VM-instruction error field), 2 with VMfailInvalid (CF) (SDM vol. 3C, 31.2).

#include "guest_gprs.h"

#define VMCS_HOST_RSP 0x6C14                    // SDM vol. 3C, Appendix B.4.4

    .text
    .globl vmx_enter
    .globl vmx_exit_point
vmx_enter:
    PUSH_HOST_CALLEE_SAVED
    pushfq                      // the host's RFLAGS (IF)
    cli
    pushq %rcx                  // vCPU area: [rsp] at the exit
    movl $VMCS_HOST_RSP, %eax
    vmwrite %rsp, %rax
    testl %edx, %edx            // ZF survives the loads below
    movq 0x00(%rcx), %rax
    LOAD_GUEST_GPRS %rcx
    movq 0x08(%rcx), %rcx
    jnz 1f
    vmlaunch
    jmp 2f
1:  vmresume
2:  movl $1, %eax               // only reached when the entry failed
    jnc 3f
    movl $2, %eax
3:  addq $8, %rsp
    jmp 4f

vmx_exit_point:                 // HOST_RIP: RSP is HOST_RSP, the area is at [rsp]
    xchgq %rcx, (%rsp)          // rcx = area, [rsp] = the guest's rcx
    movq %rax, 0x00(%rcx)
    SAVE_GUEST_GPRS %rcx
    popq %rax
    movq %rax, 0x08(%rcx)
    xorl %eax, %eax
4:  popfq                       // interrupts back on: a pending host interrupt is taken here
    POP_HOST_CALLEE_SAVED
    ret
