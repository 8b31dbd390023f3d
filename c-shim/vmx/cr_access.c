// MOV to CR0/CR4 that would change a bit the host owns (the CR0/CR4 guest/host masks: the bits VMX
// operation fixes, vmcs.c). The guest's value goes to the read shadow; the real register keeps the
// fixed bits. The exit happened before the write took effect (28.1), so all of it is done here,
// including the long-mode switch a CR0.PG change makes (SDM vol. 3A, 10.8.5).
#include "vmx/vmx.h"
#include "vmx/vmcs.h"

// Exit qualification for control-register accesses (28.2.1, Table "Exit Qualification for
// Control-Register Accesses"): CR number 3:0, access type 5:4 (0 = MOV to CR), register 11:8.
#define CR_NUMBER(q) ((q) & 0xF)
#define CR_ACCESS_TYPE(q) (((q) >> 4) & 3)
#define CR_GPR(q) (((q) >> 8) & 0xF)
#define GPR_RSP 4

#define CR0_PE (1ull << 0)                      // SDM vol. 3A, 2.5
#define CR0_NW (1ull << 29)
#define CR0_CD (1ull << 30)
#define CR0_PG (1ull << 31)
#define CR4_PAE (1ull << 5)
#define CR4_VMXE (1ull << 13)
#define EFER_LME (1ull << 8)                    // SDM vol. 3A, 2.2.1
#define EFER_LMA (1ull << 10)
#define GP_VECTOR 13                            // SDM vol. 3A, 6.15
#define INVVPID_ALL 2                           // 31.3 INVVPID type 2

static void raise_gp(struct vcpu *v) {          // no error code in real mode (SDM vol. 3A, 21.1.4)
    int real = !(vmread(VMCS_GUEST_CR0) & CR0_PE);
    vmx_inject_now(v, EVENT_VALID | EVENT_TYPE_HARDWARE_EXCEPTION << 8 | GP_VECTOR | (real ? 0 : EVENT_ERROR_VALID), 0);
}

static void flush_guest_tlb(void) {             // the CPU would have flushed for these writes
    struct { uint64_t a, b; } desc = { 0, 0 };
    if (vmx_caps.vpid) __asm__ volatile("invvpid %0, %1" ::"m"(desc), "r"((uint64_t)INVVPID_ALL) : "cc", "memory");
}

static int write_cr0(struct vcpu *v, uint64_t value) {
    const struct vmx_caps *c = &vmx_caps;
    uint64_t old = vmread(VMCS_GUEST_CR0), efer = vmread(VMCS_GUEST_EFER);
    if ((value >> 32) || ((value & CR0_PG) && !(value & CR0_PE)) || ((value & CR0_NW) && !(value & CR0_CD)))
        return 0;                               // SDM vol. 3A, 2.5: #GP
    if ((value & CR0_PG) && !(old & CR0_PG) && (efer & EFER_LME)) {
        if (!(vmread(VMCS_GUEST_CR4) & CR4_PAE)) return 0;
        efer |= EFER_LMA;
    } else if (!(value & CR0_PG)) {
        efer &= ~EFER_LMA;
    }
    uint64_t owned = ~(CR0_PE | CR0_PG);        // with unrestricted guest PE and PG are the guest's
    vmwrite(VMCS_CR0_SHADOW, value);
    vmwrite(VMCS_GUEST_CR0, ((value | (c->cr0_fixed0 & owned)) & c->cr0_fixed1));
    if (efer != v->efer) vmx_set_efer(v, efer);
    return 1;
}

static int write_cr4(struct vcpu *v, uint64_t value) {
    const struct vmx_caps *c = &vmx_caps;
    if ((value & ~c->cr4_fixed1) || (value & CR4_VMXE)) return 0;     // no nested VMX for the guest
    if ((v->efer & EFER_LMA) && !(value & CR4_PAE)) return 0;         // SDM vol. 3A, 2.5
    vmwrite(VMCS_CR4_SHADOW, value);
    vmwrite(VMCS_GUEST_CR4, (value | c->cr4_fixed0) & c->cr4_fixed1);
    return 1;
}

int vmx_handle_cr_write(struct vcpu *v, uint8_t *area) {
    uint64_t q = vmread(VMCS_EXIT_QUALIFICATION);
    uint32_t cr = CR_NUMBER(q);
    if (CR_ACCESS_TYPE(q) != 0 || (cr != 0 && cr != 4)) return 0;    // the core reports it as unsupported
    uint32_t gpr = CR_GPR(q);
    uint64_t value = gpr == GPR_RSP ? vmread(VMCS_GUEST_RSP) : ((uint64_t *)area)[gpr];
    if (!(v->efer & EFER_LMA)) value &= 0xFFFFFFFFull;               // outside 64-bit mode: 32-bit operand
    int ok = cr == 0 ? write_cr0(v, value) : write_cr4(v, value);
    if (!ok) { raise_gp(v); return 1; }
    flush_guest_tlb();
    vmx_skip_instruction(v);
    return 1;
}
