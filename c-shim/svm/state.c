// Copying guest state between the VMCB and the vCPU area, and event injection.
#include "svm/svm.h"
#include "svm/vmcb.h"
#include "host/cpu.h"

#define CR0_PE (1ull << 0)                      // APM vol. 2, 3.1.1
#define EFER_LMA (1ull << 10)                   // APM vol. 2, 3.1.7

static inline uint64_t *area64(uint8_t *area, uint32_t off) { return (uint64_t *)(area + off); }
static inline uint32_t *area32(uint8_t *area, uint32_t off) { return (uint32_t *)(area + off); }

void svm_read_state(struct vcpu *v, uint8_t *area) {
    uint8_t *vmcb = v->vmcb;
    *area64(area, AREA_RAX) = vmcb_get64(vmcb, VMCB_RAX);
    *area64(area, AREA_RSP) = vmcb_get64(vmcb, VMCB_RSP);
    *area64(area, AREA_RIP) = vmcb_get64(vmcb, VMCB_RIP);
    *area64(area, AREA_RFLAGS) = vmcb_get64(vmcb, VMCB_RFLAGS);
    uint64_t cr0 = vmcb_get64(vmcb, VMCB_CR0), efer = vmcb_get64(vmcb, VMCB_EFER);
    *area64(area, AREA_CR0) = cr0;
    *area64(area, AREA_CR2) = vmcb_get64(vmcb, VMCB_CR2);
    *area64(area, AREA_CR3) = vmcb_get64(vmcb, VMCB_CR3);
    *area64(area, AREA_CR4) = vmcb_get64(vmcb, VMCB_CR4);
    *area64(area, AREA_EFER) = efer & ~EFER_SVME;       // SVME is ours, not the guest's
    *area64(area, AREA_PAT) = vmcb_get64(vmcb, VMCB_G_PAT);
    uint16_t cs = *(volatile uint16_t *)(vmcb + VMCB_CS + SEG_ATTRIB);
    uint32_t mode = !(cr0 & CR0_PE) ? 0
                  : (efer & EFER_LMA) && (cs & SEG_ATTRIB_L) ? 3
                  : (cs & SEG_ATTRIB_DB) ? 2 : 1;
    *area32(area, AREA_MODE) = mode;
    *area32(area, AREA_CPL) = *(volatile uint8_t *)(vmcb + VMCB_CPL);
    // Segment bases in x86 order (ES CS SS DS FS GS), which is also the VMCB's (Table B-2).
    for (uint32_t i = 0; i < 6; i++)
        *area64(area, AREA_SEG_BASE + 8 * i) = vmcb_get64(vmcb, VMCB_ES + 0x10 * i + SEG_BASE);
    *area32(area, AREA_INTERRUPTIBILITY) =
        ((vmcb_get64(vmcb, VMCB_INTERRUPT_SHADOW) & INTERRUPT_SHADOW_ACTIVE) ? INTERRUPTIBILITY_SHADOW : 0) |
        (v->nmi_blocked ? INTERRUPTIBILITY_NMI_BLOCKED : 0);   // svm.h: the backend tracks it
}

// The interrupt window (APM vol. 2, 15.21.4): a dummy virtual interrupt (V_IRQ) of the highest
// priority that ignores V_TPR is pending while the window is armed; the VINTR intercept (always
// on, vmcb.c) exits as the guest is about to take it, i.e. as soon as RFLAGS.IF = 1 and no
// interrupt shadow. The guest never sees it: exit.c clears V_IRQ on that exit.
// The NMI window (WINDOW_NMI) is exit.c's: it intercepts the IRET that ends NMI blocking.
static void interrupt_window(struct vcpu *v, uint32_t windows) {
    uint64_t vintr = vmcb_get64(v->vmcb, VMCB_VINTR) & ~(VINTR_V_IRQ | VINTR_PRIO_MAX | VINTR_IGN_TPR);
    if (windows & WINDOW_INTERRUPT) vintr |= VINTR_V_IRQ | VINTR_PRIO_MAX | VINTR_IGN_TPR;
    vmcb_set64(v->vmcb, VMCB_VINTR, vintr);
}

static int is_nmi(uint64_t event) {
    return (event & EVENT_VALID) && (event >> INJECT_KIND_SHIFT & 7) == INJECT_KIND_NMI;
}

void svm_write_state(struct vcpu *v, uint8_t *area) {
    uint8_t *vmcb = v->vmcb;
    interrupt_window(v, *area32(area, AREA_INTERRUPT_WINDOW));
    // The interrupt shadow covers one instruction: once the core has completed it (RIP moved) or
    // cleared the area's bit, it is over (APM vol. 2, 15.21.5; Table B-1 offset 0x68).
    if (*area64(area, AREA_RIP) != vmcb_get64(vmcb, VMCB_RIP) ||
        !(*area32(area, AREA_INTERRUPTIBILITY) & INTERRUPTIBILITY_SHADOW))
        vmcb_set64(vmcb, VMCB_INTERRUPT_SHADOW, vmcb_get64(vmcb, VMCB_INTERRUPT_SHADOW) & ~INTERRUPT_SHADOW_ACTIVE);
    vmcb_set64(vmcb, VMCB_RAX, *area64(area, AREA_RAX));
    vmcb_set64(vmcb, VMCB_RSP, *area64(area, AREA_RSP));
    vmcb_set64(vmcb, VMCB_RIP, *area64(area, AREA_RIP));
    vmcb_set64(vmcb, VMCB_RFLAGS, *area64(area, AREA_RFLAGS));
    vmcb_set64(vmcb, VMCB_EFER, *area64(area, AREA_EFER) | EFER_SVME);
    vmcb_set64(vmcb, VMCB_G_PAT, *area64(area, AREA_PAT));
    vmcb_set64(vmcb, VMCB_TSC_OFFSET, *area64(area, AREA_TSC_OFFSET));
    // An event whose delivery the exit interrupted goes first (APM vol. 2, 15.7.2); the core's
    // own event then waits in the area for the next entry.
    uint64_t interrupted = vmcb_get64(vmcb, VMCB_EXITINTINFO);
    uint64_t inject = *area64(area, AREA_INJECT);
    uint64_t event = 0;
    if (interrupted & EVENT_VALID) {
        event = interrupted;
        vmcb_set64(vmcb, VMCB_EXITINTINFO, 0);
    } else if (inject & EVENT_VALID) {
        event = inject;                                 // same layout (APM vol. 2, 15.20)
        *area64(area, AREA_INJECT) = 0;
    }
    vmcb_set64(vmcb, VMCB_EVENTINJ, event);
    if (is_nmi(event)) v->nmi_blocked = 1;
}
