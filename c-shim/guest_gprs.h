// Assembly macros for the VM-entry stubs (svm/vmrun.S, vmx/vmentry.S): the host's callee-saved
// registers, and the guest's general registers in the vCPU area (docs/architecture.md, "vCPU state area": x86 encoding order, 8 bytes each).
// RAX, RCX and RSP are the callers' business: RCX usually holds the area's address, and each vendor
// keeps some of RAX/RSP in its own structure (VMCB, VMCS).

// rdx, rbx, rbp, rsi, rdi, r8-r15 from the area at \base (a register other than those)
.macro LOAD_GUEST_GPRS base
    movq 0x10(\base), %rdx
    movq 0x18(\base), %rbx
    movq 0x28(\base), %rbp
    movq 0x30(\base), %rsi
    movq 0x38(\base), %rdi
    movq 0x40(\base), %r8
    movq 0x48(\base), %r9
    movq 0x50(\base), %r10
    movq 0x58(\base), %r11
    movq 0x60(\base), %r12
    movq 0x68(\base), %r13
    movq 0x70(\base), %r14
    movq 0x78(\base), %r15
.endm

// the same registers back into the area at \base
.macro SAVE_GUEST_GPRS base
    movq %rdx, 0x10(\base)
    movq %rbx, 0x18(\base)
    movq %rbp, 0x28(\base)
    movq %rsi, 0x30(\base)
    movq %rdi, 0x38(\base)
    movq %r8, 0x40(\base)
    movq %r9, 0x48(\base)
    movq %r10, 0x50(\base)
    movq %r11, 0x58(\base)
    movq %r12, 0x60(\base)
    movq %r13, 0x68(\base)
    movq %r14, 0x70(\base)
    movq %r15, 0x78(\base)
.endm

// The registers the Microsoft x64 ABI makes callee-saved (the host is built -mgeneral-regs-only, so
// no XMM register is live): the entry stubs clobber all of them with guest values.
.macro PUSH_HOST_CALLEE_SAVED
    pushq %rbx
    pushq %rbp
    pushq %rdi
    pushq %rsi
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
.endm

.macro POP_HOST_CALLEE_SAVED
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rsi
    popq %rdi
    popq %rbp
    popq %rbx
.endm
