// One guest entry, and the translation of its #VMEXIT into the neutral exit record.
#include "svm/svm.h"
#include "svm/vmcb.h"
#include "host/cpu.h"

// IOIO EXITINFO1 (APM vol. 2, 15.10.2 Figure 15-2)
#define IOIO_IN (1ull << 0)
#define IOIO_STR (1ull << 2)
#define IOIO_REP (1ull << 3)
#define IOIO_SZ8 (1ull << 4)
#define IOIO_SZ16 (1ull << 5)
#define IOIO_SZ32 (1ull << 6)
#define IOIO_PORT_SHIFT 16
// Nested page fault EXITINFO1: a #PF error code (APM vol. 2, 15.25.6; 8.4.2)
#define NPF_PRESENT (1ull << 0)
#define NPF_WRITE (1ull << 1)
#define NPF_FETCH (1ull << 4)
// Vectors that push an error code (APM vol. 2, 8.2): #DF, #TS, #NP, #SS, #GP, #PF, #AC, #CP, #VC, #SX
#define ERROR_CODE_VECTORS ((1u << 8) | (1u << 10) | (1u << 11) | (1u << 12) | (1u << 13) | \
                            (1u << 14) | (1u << 17) | (1u << 21) | (1u << 29) | (1u << 30))

// Instruction lengths when the CPU has no NRIP save: these exits have exactly one encoding.
#define LEN_CPUID 2                             // 0F A2
#define LEN_RDMSR_WRMSR 2                       // 0F 32 / 0F 30
#define LEN_VMMCALL 3                           // 0F 01 D9
#define LEN_HLT 1                               // F4
#define LEN_INVD_WBINVD 2                       // 0F 08 / 0F 09

static void intercept(uint8_t *vmcb, uint32_t field, uint32_t bit, int on) {
    uint32_t now = *(volatile uint32_t *)(vmcb + field);
    vmcb_set32(vmcb, field, on ? now | bit : now & ~bit);
}

// The NMI window (svm.h): the IRET that ends NMI blocking exits before it runs; it then runs with
// RFLAGS.TF set and #DB intercepted, and the single-step trap after it is the window's exit. Any
// other exit in between means the IRET did not complete: the step is undone (the IRET is
// intercepted again), and a #DB of the guest's own goes back to it.
static void iret_step_begin(struct vcpu *v) {
    uint64_t rflags = vmcb_get64(v->vmcb, VMCB_RFLAGS);
    v->iret_step = 1;
    v->iret_step_tf = rflags & RFLAGS_TF;
    vmcb_set64(v->vmcb, VMCB_RFLAGS, rflags | RFLAGS_TF);
    vmcb_set64(v->vmcb, VMCB_EVENTINJ, 0);              // delivered before the handler reached its IRET
    intercept(v->vmcb, VMCB_INTERCEPT_MISC1, MISC1_IRET, 0);
    intercept(v->vmcb, VMCB_INTERCEPT_EXCEPTIONS, 1u << DB_VECTOR, 1);
}

// 1: the IRET completed (NMIs are unblocked); 0: it did not, and the step is undone.
static int iret_step_end(struct vcpu *v, uint64_t code) {
    uint8_t *vmcb = v->vmcb;
    uint64_t dr6 = vmcb_get64(vmcb, VMCB_DR6);
    v->iret_step = 0;
    intercept(vmcb, VMCB_INTERCEPT_EXCEPTIONS, 1u << DB_VECTOR, 0);
    if (code == VMEXIT_EXCP_BASE + DB_VECTOR && (dr6 & DR6_BS)) {
        vmcb_set64(vmcb, VMCB_DR6, dr6 & ~DR6_BS);      // the trap was ours, not the guest's
        v->nmi_blocked = 0;
        return 1;
    }
    if (!v->iret_step_tf) vmcb_set64(vmcb, VMCB_RFLAGS, vmcb_get64(vmcb, VMCB_RFLAGS) & ~RFLAGS_TF);
    if (code == VMEXIT_EXCP_BASE + DB_VECTOR)          // a breakpoint of the guest's: deliver it
        vmcb_set64(vmcb, VMCB_EVENTINJ, EVENT_VALID | (uint64_t)INJECT_KIND_EXCEPTION << INJECT_KIND_SHIFT | DB_VECTOR);
    return 0;
}

// Entries while NMIs are blocked: every IRET is intercepted, since any of them may be the one that
// ends the blocking. 0: the IRET completed with the NMI window armed (its exit); 1: another exit,
// for svm_translate_exit (an IRET that nobody waited for runs on).
__attribute__((noinline, cold)) static int nmi_window_run(struct vcpu *v, uint8_t *area) {
    uint8_t *vmcb = v->vmcb;
    for (;;) {
        svm_vmrun(area, (uint64_t)vmcb, svm_host_state_pa, 0);
        uint64_t code = vmcb_get64(vmcb, VMCB_EXITCODE);
        vmcb[VMCB_TLB_CONTROL] = 0;
        if (v->iret_step) {
            if (iret_step_end(v, code)) {
                intercept(vmcb, VMCB_INTERCEPT_MISC1, MISC1_IRET, 0);
                if (*(volatile uint32_t *)(area + AREA_INTERRUPT_WINDOW) & WINDOW_NMI) return 0;
                continue;
            }
            intercept(vmcb, VMCB_INTERCEPT_MISC1, MISC1_IRET, 1);   // the IRET runs again: intercepted again
            if (code == VMEXIT_EXCP_BASE + DB_VECTOR) continue;   // the guest's #DB, now in EVENTINJ
        } else if (code == VMEXIT_IRET) {
            iret_step_begin(v);
            continue;
        }
        return 1;
    }
}

void svm_run(struct vcpu *v, uint8_t *area, struct vcpu_exit *exit) {
    uint8_t *vmcb = v->vmcb;
    if (v->first_run) {                         // VMs share ASID 1: drop the previous VM's TLB entries
        vmcb[VMCB_TLB_CONTROL] = TLB_FLUSH_ALL;
        v->first_run = 0;
    } else {
        vmcb[VMCB_TLB_CONTROL] = 0;
    }
    if (v->nmi_blocked) {                       // the rest of the time the IRET intercept is off
        intercept(vmcb, VMCB_INTERCEPT_MISC1, MISC1_IRET, 1);
        if (!nmi_window_run(v, area)) {
            svm_read_state(v, area);
            exit->reason = EXIT_NMI_WINDOW;
            exit->qualification = exit->address = 0;
            *(uint64_t *)(area + AREA_NEXT_RIP) = 0;
            return;
        }
    } else {
        svm_vmrun(area, (uint64_t)vmcb, svm_host_state_pa, 0);
    }
    svm_read_state(v, area);
    svm_translate_exit(v, area, exit);
}

void svm_translate_exit(struct vcpu *v, uint8_t *area, struct vcpu_exit *exit) {
    uint8_t *vmcb = v->vmcb;
    uint64_t code = vmcb_get64(vmcb, VMCB_EXITCODE);
    uint64_t info1 = vmcb_get64(vmcb, VMCB_EXITINFO1), info2 = vmcb_get64(vmcb, VMCB_EXITINFO2);
    uint64_t rip = *(uint64_t *)(area + AREA_RIP);
    uint64_t next = 0;
    exit->qualification = 0;
    exit->address = 0;
    switch (code) {
    case VMEXIT_CPUID:
        exit->reason = EXIT_CPUID;
        next = rip + LEN_CPUID;
        break;
    case VMEXIT_IOIO: {
        uint64_t size = (info1 & IOIO_SZ32) ? 4 : (info1 & IOIO_SZ16) ? 2 : 1;
        exit->reason = EXIT_IO;
        exit->qualification = (info1 >> IOIO_PORT_SHIFT & 0xFFFF) | size << Q_IO_SIZE_SHIFT |
                              ((info1 & IOIO_IN) ? Q_IO_IN : 0) | ((info1 & IOIO_STR) ? Q_IO_STRING : 0) |
                              ((info1 & IOIO_REP) ? Q_IO_REP : 0);
        next = info2;                           // APM vol. 2, 15.10.2: EXITINFO2 = next RIP
        break;
    }
    case VMEXIT_MSR:
        exit->reason = (info1 & 1) ? EXIT_MSR_WRITE : EXIT_MSR_READ;   // APM vol. 2, 15.11: 1 = WRMSR
        next = rip + LEN_RDMSR_WRMSR;
        break;
    case VMEXIT_INVD:                           // intercepted (vmcb.c): the CPU checked CPL 0 first (APM vol. 2, 15.9)
    case VMEXIT_WBINVD:
        wbinvd();                               // both as WBINVD: a guest's INVD must not discard others' lines
        exit->reason = EXIT_WBINVD;
        next = rip + LEN_INVD_WBINVD;
        break;
    case VMEXIT_HLT:
        exit->reason = EXIT_HLT;
        next = rip + LEN_HLT;
        break;
    case VMEXIT_VMMCALL:
        exit->reason = EXIT_HYPERCALL;
        next = rip + LEN_VMMCALL;
        break;
    case VMEXIT_NPF:
        exit->reason = EXIT_MEMORY_FAULT;
        exit->qualification = ((info1 & NPF_PRESENT) ? Q_FAULT_PRESENT : 0) | ((info1 & NPF_WRITE) ? Q_FAULT_WRITE : 0) |
                              ((info1 & NPF_FETCH) ? Q_FAULT_FETCH : 0);
        exit->address = info2;                  // APM vol. 2, 15.25.6: EXITINFO2 = faulting GPA
        break;
    case VMEXIT_SHUTDOWN:
        exit->reason = EXIT_SHUTDOWN;
        break;
    case VMEXIT_VMRUN: case VMEXIT_VMLOAD: case VMEXIT_VMSAVE: case VMEXIT_STGI: case VMEXIT_CLGI:
    case VMEXIT_SKINIT: case VMEXIT_INVLPGA:
        // Intercepted (vmcb.c) because the guest's EFER.SVME is 0: on its CPU they raise #UD (APM
        // vol. 3, VMRUN ... INVLPGA: "#UD if EFER.SVME = 0"); SKINIT likewise, as SVM is hidden.
        exit->reason = EXIT_INVALID_OPCODE;
        break;
    case VMEXIT_VINTR:                          // the interrupt window opened (state.c)
        exit->reason = EXIT_INTERRUPT_WINDOW;
        vmcb_set64(vmcb, VMCB_VINTR, vmcb_get64(vmcb, VMCB_VINTR) & ~VINTR_V_IRQ);
        break;
    case VMEXIT_INTR:
    case VMEXIT_NMI:
        exit->reason = EXIT_INTERRUPT;          // vmrun.S set GIF again: the host has taken it
        break;
    case VMEXIT_INVALID:
    case VMEXIT_INVALID_32:
        exit->reason = EXIT_ENTRY_FAILED;
        exit->qualification = code;
        break;
    default:
        if (code >= VMEXIT_EXCP_BASE && code < VMEXIT_EXCP_BASE + 32) {
            uint32_t vector = (uint32_t)(code - VMEXIT_EXCP_BASE);
            exit->reason = EXIT_EXCEPTION;
            exit->qualification = vector;
            if (ERROR_CODE_VECTORS & (1u << vector))
                exit->qualification |= Q_EXCEPTION_ERROR_VALID | (info1 & 0xFFFFFFFF) << 32;  // EXITINFO1 = error code (APM vol. 2, 15.12)
        } else {
            exit->reason = EXIT_UNSUPPORTED;
            exit->qualification = code;
        }
    }
    if (svm_has_nrip && next) next = vmcb_get64(vmcb, VMCB_NRIP);   // APM vol. 2, 15.7.1
    *(uint64_t *)(area + AREA_NEXT_RIP) = next;
}
