// Copying guest state between the VMCS and the vCPU area, and event injection. VMREAD and VMWRITE
// cost more than memory accesses, so write_state writes back only what the core changed.
#include "vmx/vmx.h"
#include "vmx/vmcs.h"
#include "host/cpu.h"

#define CR0_PE (1ull << 0)                      // SDM vol. 3A, 2.5
#define EFER_LMA (1ull << 10)                   // SDM vol. 3A, 2.2.1

static inline uint64_t *area64(uint8_t *area, uint32_t off) { return (uint64_t *)(area + off); }
static inline uint32_t *area32(uint8_t *area, uint32_t off) { return (uint32_t *)(area + off); }

// The guest's view of CR0/CR4: host-owned bits come from the read shadow (25.6.6).
static uint64_t guest_view(uint64_t value, uint64_t mask, uint64_t shadow) { return (value & ~mask) | (shadow & mask); }

// 27.3.1.1: with "load IA32_EFER", EFER.LMA must equal the "IA-32e mode guest" entry control.
// The guest turns long mode on by itself (CR0.PG with EFER.LME), so follow EFER after every exit.
static void follow_lma(struct vcpu *v) {
    uint32_t e = (v->efer & EFER_LMA) ? v->entry_controls | ENTRY_IA32E_GUEST : v->entry_controls & ~ENTRY_IA32E_GUEST;
    if (e != v->entry_controls) vmwrite(VMCS_ENTRY_CONTROLS, v->entry_controls = e);
}

void vmx_set_efer(struct vcpu *v, uint64_t efer) {
    vmwrite(VMCS_GUEST_EFER, v->efer = efer);
    follow_lma(v);
}

void vmx_read_state(struct vcpu *v, uint8_t *area) {
    if (!vmcs_load(v)) return;
    v->rsp = vmread(VMCS_GUEST_RSP);
    v->rip = vmread(VMCS_GUEST_RIP);
    v->rflags = vmread(VMCS_GUEST_RFLAGS);
    v->efer = vmread(VMCS_GUEST_EFER);          // saved by the exit ("save IA32_EFER")
    v->pat = vmread(VMCS_GUEST_PAT);
    follow_lma(v);
    v->cr2 = read_cr2();                        // VMX does not switch CR2: the host never faults
    *area64(area, AREA_RSP) = v->rsp;
    *area64(area, AREA_RIP) = v->rip;
    *area64(area, AREA_RFLAGS) = v->rflags;
    uint64_t cr0 = guest_view(vmread(VMCS_GUEST_CR0), vmread(VMCS_CR0_MASK), vmread(VMCS_CR0_SHADOW));
    *area64(area, AREA_CR0) = cr0;
    *area64(area, AREA_CR2) = v->cr2;
    *area64(area, AREA_CR3) = vmread(VMCS_GUEST_CR3);
    *area64(area, AREA_CR4) = guest_view(vmread(VMCS_GUEST_CR4), vmread(VMCS_CR4_MASK), vmread(VMCS_CR4_SHADOW));
    *area64(area, AREA_EFER) = v->efer;
    *area64(area, AREA_PAT) = v->pat;
    uint32_t cs = (uint32_t)vmread(VMCS_GUEST_CS_ACCESS);
    uint32_t mode = !(cr0 & CR0_PE) ? 0
                  : (v->efer & EFER_LMA) && (cs & ACCESS_L) ? 3
                  : (cs & ACCESS_DB) ? 2 : 1;
    *area32(area, AREA_MODE) = mode;
    *area32(area, AREA_CPL) = ACCESS_DPL((uint32_t)vmread(VMCS_GUEST_SS_ACCESS));   // 25.4.1: SS.DPL is the CPL
    for (uint32_t i = 0; i < 6; i++)            // ES CS SS DS FS GS: x86 order, as the VMCS encodes them
        *area64(area, AREA_SEG_BASE + 8 * i) = vmread(VMCS_GUEST_ES_BASE + 2 * i);
    uint32_t blocking = (uint32_t)vmread(VMCS_GUEST_INTERRUPTIBILITY);
    *area32(area, AREA_INTERRUPTIBILITY) = ((blocking & INTERRUPTIBILITY_STI_MOVSS) ? INTERRUPTIBILITY_SHADOW : 0) |
                                           ((blocking & INTERRUPTIBILITY_NMI) ? INTERRUPTIBILITY_NMI_BLOCKED : 0);
}

void vmx_inject_now(struct vcpu *v, uint32_t info, uint32_t error) {
    (void)v;
    vmwrite(VMCS_ENTRY_INTERRUPTION, info);
    if (info & EVENT_ERROR_VALID) vmwrite(VMCS_ENTRY_ERROR_CODE, error);
    uint32_t type = EVENT_TYPE(info);           // 27.6.1.1: software events need their length
    if (type == EVENT_TYPE_SOFTWARE_INTERRUPT || type == EVENT_TYPE_PRIVILEGED_SOFTWARE_EXCEPTION ||
        type == EVENT_TYPE_SOFTWARE_EXCEPTION)
        vmwrite(VMCS_ENTRY_INSTRUCTION_LENGTH, v->instruction_length);
}

// 25.6.2: interrupt-window exiting exits as soon as RFLAGS.IF = 1 and nothing blocks; NMI-window
// exiting as soon as virtual-NMI blocking (and MOV SS blocking) is over.
void vmx_interrupt_window(struct vcpu *v, uint32_t windows) {   // the VMCS is loaded
    uint32_t p = v->proc_controls & ~(PROC_INTERRUPT_WINDOW | PROC_NMI_WINDOW);
    if (windows & WINDOW_INTERRUPT) p |= PROC_INTERRUPT_WINDOW;
    if ((windows & WINDOW_NMI) && v->virtual_nmis) p |= PROC_NMI_WINDOW;
    if (p != v->proc_controls) vmwrite(VMCS_PROC_CONTROLS, v->proc_controls = p);
}

static void end_sti_movss_blocking(void) {      // the instruction completed (25.4.2)
    uint64_t blocking = vmread(VMCS_GUEST_INTERRUPTIBILITY);
    if (blocking & INTERRUPTIBILITY_STI_MOVSS)
        vmwrite(VMCS_GUEST_INTERRUPTIBILITY, blocking & ~(uint64_t)INTERRUPTIBILITY_STI_MOVSS);
}

void vmx_skip_instruction(struct vcpu *v) {     // for exits handled in the backend
    v->rip = vmread(VMCS_GUEST_RIP) + v->instruction_length;
    vmwrite(VMCS_GUEST_RIP, v->rip);
    end_sti_movss_blocking();
}

void vmx_write_state(struct vcpu *v, uint8_t *area) {
    if (!vmcs_load(v)) return;
    vmx_interrupt_window(v, *area32(area, AREA_INTERRUPT_WINDOW));
    uint64_t rip = *area64(area, AREA_RIP), rsp = *area64(area, AREA_RSP), rflags = *area64(area, AREA_RFLAGS);
    if (rip != v->rip) {
        vmwrite(VMCS_GUEST_RIP, v->rip = rip);
        end_sti_movss_blocking();               // the core emulated the instruction
    }
    if (rsp != v->rsp) vmwrite(VMCS_GUEST_RSP, v->rsp = rsp);
    if (rflags != v->rflags) vmwrite(VMCS_GUEST_RFLAGS, v->rflags = rflags);
    uint64_t efer = *area64(area, AREA_EFER), pat = *area64(area, AREA_PAT);
    if (efer != v->efer) vmx_set_efer(v, efer);
    if (pat != v->pat) vmwrite(VMCS_GUEST_PAT, v->pat = pat);
    uint64_t cr2 = *area64(area, AREA_CR2);
    if (cr2 != v->cr2) write_cr2(v->cr2 = cr2);
    uint64_t tsc_offset = *area64(area, AREA_TSC_OFFSET);
    if (tsc_offset != v->tsc_offset) vmwrite(VMCS_TSC_OFFSET, v->tsc_offset = tsc_offset);
    // An event whose delivery the exit interrupted goes first (28.2.4); the core's own event then
    // waits in the area for the next entry. Same bit layout as the area's inject field.
    uint64_t inject = *area64(area, AREA_INJECT);
    if (v->idt_vectoring & EVENT_VALID) {
        vmx_inject_now(v, v->idt_vectoring & (EVENT_VALID | EVENT_VECTOR_TYPE_ERROR), v->idt_vectoring_error);
        v->idt_vectoring = 0;
    } else if (inject & EVENT_VALID) {
        vmx_inject_now(v, (uint32_t)inject & (EVENT_VALID | EVENT_VECTOR_TYPE_ERROR), (uint32_t)(inject >> 32));
        *area64(area, AREA_INJECT) = 0;
    }
}
