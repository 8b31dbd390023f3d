// One guest entry (repeated for the exits the backend handles itself), and the translation of a
// VM exit into the neutral exit record.
#include "vmx/vmx.h"
#include "vmx/vmcs.h"
#include "host/console.h"
#include "host/cpu.h"

// Exit qualification for I/O instructions (28.2.1, Table "Exit Qualification for I/O Instructions")
#define IO_SIZE_MINUS_1 7ull                    // bits 2:0
#define IO_IN (1ull << 3)
#define IO_STRING (1ull << 4)
#define IO_REP (1ull << 5)
#define IO_PORT_SHIFT 16
// Exit qualification for EPT violations (28.2.1, Table "Exit Qualification for EPT Violations")
#define EPT_WRITE (1ull << 1)
#define EPT_FETCH (1ull << 2)
#define EPT_PRESENT_RWX (7ull << 3)             // the translation was readable/writable/executable

#define UD_VECTOR 6                             // SDM vol. 3A, 6.15
#define EVENT_TYPE_NMI 2
#define LEN_VMMCALL 3                           // 0F 01 D9 (AMD APM vol. 3, VMMCALL)
#define INVEPT_ALL 2                            // 31.3 INVEPT/INVVPID type 2: all contexts
#define INVVPID_ALL 2

static const uint8_t vmmcall[LEN_VMMCALL] = { 0x0F, 0x01, 0xD9 };

static const char *const failure_names[] = {    // basic exit reasons with bit 31 (Appendix C)
    [VMX_EXIT_INVALID_GUEST_STATE] = "invalid guest state",
    [VMX_EXIT_MSR_LOADING] = "MSR loading",
    [VMX_EXIT_MACHINE_CHECK] = "machine-check event",
};

static void flush_translations(struct vcpu *v) {   // EPT and VPID tags may belong to a VM that ended
    struct { uint64_t a, b; } desc = { 0, 0 };
    if ((vmx_caps.ept_vpid & EPT_CAP_INVEPT) && (vmx_caps.ept_vpid & EPT_CAP_INVEPT_ALL))
        __asm__ volatile("invept %0, %1" ::"m"(desc), "r"((uint64_t)INVEPT_ALL) : "cc", "memory");
    if (vmx_caps.vpid)
        __asm__ volatile("invvpid %0, %1" ::"m"(desc), "r"((uint64_t)INVVPID_ALL) : "cc", "memory");
    (void)v;
}

// VMMCALL is the hypercall instruction of wisp's ABI; on Intel it raises #UD, which is
// intercepted. 1 when the guest's RIP points at VMMCALL.
static int at_vmmcall(struct vcpu *v) {
    uint8_t bytes[LEN_VMMCALL];
    uint64_t linear = vmread(VMCS_GUEST_CS_BASE) + vmread(VMCS_GUEST_RIP);
    if (!guest_fetch(v, linear, bytes, LEN_VMMCALL)) return 0;
    for (int i = 0; i < LEN_VMMCALL; i++) if (bytes[i] != vmmcall[i]) return 0;
    return 1;
}

// Exits the guest never sees the core for. 1: handled, enter again.
static int handled_here(struct vcpu *v, uint8_t *area, uint32_t reason) {
    if (reason == VMX_EXIT_CR_ACCESS) return vmx_handle_cr_write(v, area);
    if (reason == VMX_EXIT_XSETBV) return vmx_handle_xsetbv(v, area);
    if (reason == VMX_EXIT_EXCEPTION_NMI) {
        uint32_t info = (uint32_t)vmread(VMCS_EXIT_INTERRUPTION);
        if ((info & 0xFF) != UD_VECTOR || EVENT_TYPE(info) != EVENT_TYPE_HARDWARE_EXCEPTION) return 0;
        if (at_vmmcall(v)) return 0;
        vmx_inject_now(v, EVENT_VALID | EVENT_TYPE_HARDWARE_EXCEPTION << 8 | UD_VECTOR, 0);   // a real #UD: the guest's
        return 1;
    }
    return 0;
}

static void entry_failed(struct vcpu_exit *exit, const char *what, uint64_t code, uint64_t qualification) {
    con_str("wisp: VMX: VM entry failed: ");
    con_str(what);
    con_dec(code);
    if (code < sizeof failure_names / sizeof failure_names[0] && failure_names[code]) {
        con_str(" (");
        con_str(failure_names[code]);
        con_str(")");
    }
    con_str(", qualification ");
    con_hex(qualification);
    con_nl();
    exit->reason = EXIT_ENTRY_FAILED;
}

static void translate(struct vcpu *v, uint8_t *area, uint32_t reason, struct vcpu_exit *exit) {
    uint64_t next = 0, q = 0;
    switch (reason) {
    case VMX_EXIT_CPUID: exit->reason = EXIT_CPUID; next = v->instruction_length; break;
    case VMX_EXIT_HLT: exit->reason = EXIT_HLT; next = v->instruction_length; break;
    case VMX_EXIT_INVD:                         // unconditional (26.1.2), after the CPL check (26.1.1)
        wbinvd();
        exit->reason = EXIT_WBINVD;
        next = v->instruction_length;
        break;
    case VMX_EXIT_VMCALL: exit->reason = EXIT_HYPERCALL; next = v->instruction_length; break;
    case VMX_EXIT_RDMSR: exit->reason = EXIT_MSR_READ; next = v->instruction_length; break;
    case VMX_EXIT_WRMSR: exit->reason = EXIT_MSR_WRITE; next = v->instruction_length; break;
    case VMX_EXIT_IO: {
        q = vmread(VMCS_EXIT_QUALIFICATION);
        exit->reason = EXIT_IO;
        exit->qualification = (q >> IO_PORT_SHIFT & 0xFFFF) | ((q & IO_SIZE_MINUS_1) + 1) << Q_IO_SIZE_SHIFT |
                              ((q & IO_IN) ? Q_IO_IN : 0) | ((q & IO_STRING) ? Q_IO_STRING : 0) |
                              ((q & IO_REP) ? Q_IO_REP : 0);
        next = v->instruction_length;
        break;
    }
    case VMX_EXIT_EPT_VIOLATION:
        q = vmread(VMCS_EXIT_QUALIFICATION);
        exit->reason = EXIT_MEMORY_FAULT;
        exit->qualification = ((q & EPT_PRESENT_RWX) ? Q_FAULT_PRESENT : 0) | ((q & EPT_WRITE) ? Q_FAULT_WRITE : 0) |
                              ((q & EPT_FETCH) ? Q_FAULT_FETCH : 0);
        exit->address = vmread(VMCS_GUEST_PHYSICAL);
        break;
    case VMX_EXIT_TRIPLE_FAULT: exit->reason = EXIT_SHUTDOWN; break;
    case VMX_EXIT_INVEPT: case VMX_EXIT_INVVPID: case VMX_EXIT_VMFUNC:
        exit->reason = EXIT_INVALID_OPCODE;     // as below: the guest's CPU has no VMX
        break;
    case VMX_EXIT_EXTERNAL_INTERRUPT: exit->reason = EXIT_INTERRUPT; break;   // taken by the host at vmentry.S's popfq
    case VMX_EXIT_INTERRUPT_WINDOW:             // the window opened: stop asking until the core re-arms it
        vmx_interrupt_window(v, 0);
        exit->reason = EXIT_INTERRUPT_WINDOW;
        break;
    case VMX_EXIT_NMI_WINDOW:
        vmx_interrupt_window(v, 0);
        exit->reason = EXIT_NMI_WINDOW;
        break;
    case VMX_EXIT_EXCEPTION_NMI: {
        uint32_t info = (uint32_t)vmread(VMCS_EXIT_INTERRUPTION);
        uint32_t vector = info & 0xFF;
        // A host NMI (NMI exiting is on for virtual NMIs): wisp has no use for one, and it must not
        // reach the guest; it counts as a host event.
        if (EVENT_TYPE(info) == EVENT_TYPE_NMI) { exit->reason = EXIT_INTERRUPT; break; }
        if (vector == UD_VECTOR) {              // handled_here let only VMMCALL through
            exit->reason = EXIT_HYPERCALL;
            next = LEN_VMMCALL;
            break;
        }
        exit->reason = EXIT_EXCEPTION;
        exit->qualification = vector;
        if (info & EVENT_ERROR_VALID)
            exit->qualification |= Q_EXCEPTION_ERROR_VALID | (vmread(VMCS_EXIT_INTERRUPTION_ERROR) & 0xFFFFFFFF) << 32;
        break;
    }
    default:
        // VMX instructions exit unconditionally in VMX non-root operation (SDM vol. 3C, 26.1.2);
        // the guest's CPU has no VMX (CPUID hides it, its CR4.VMXE reads 0), where they raise #UD.
        if (reason >= VMX_EXIT_VMCLEAR && reason <= VMX_EXIT_VMXON) {
            exit->reason = EXIT_INVALID_OPCODE;
            break;
        }
        exit->reason = EXIT_UNSUPPORTED;
        exit->qualification = reason;
    }
    *(uint64_t *)(area + AREA_NEXT_RIP) = next ? v->rip + next : 0;
}

void vmx_run(struct vcpu *v, uint8_t *area, struct vcpu_exit *exit) {
    exit->qualification = 0;
    exit->address = 0;
    *(uint64_t *)(area + AREA_NEXT_RIP) = 0;
    if (!vmcs_load(v)) {
        entry_failed(exit, "the VMCS could not be set up", 0, 0);
        return;
    }
    if (!v->launched) flush_translations(v);
    for (;;) {
        int failed = vmx_enter(area, v->launched);
        if (failed == 1) {
            uint64_t error = vmread(VMCS_INSTRUCTION_ERROR);
            entry_failed(exit, "VM-instruction error ", error, 0);   // 31.4: 7 control fields, 8 host state
            exit->qualification = error;
            return;
        }
        if (failed) {
            entry_failed(exit, "VMfailInvalid (no current VMCS) ", 0, 0);
            return;
        }
        uint32_t reason = (uint32_t)vmread(VMCS_EXIT_REASON);
        if (reason & EXIT_REASON_ENTRY_FAILURE) {   // 27.8: the guest never ran
            entry_failed(exit, "exit reason ", reason & 0xFFFF, vmread(VMCS_EXIT_QUALIFICATION));
            exit->qualification = reason;
            return;
        }
        v->launched = 1;
        v->instruction_length = (uint32_t)vmread(VMCS_EXIT_INSTRUCTION_LENGTH);
        v->idt_vectoring = (uint32_t)vmread(VMCS_IDT_VECTORING);
        if (v->idt_vectoring & EVENT_VALID) v->idt_vectoring_error = (uint32_t)vmread(VMCS_IDT_VECTORING_ERROR);
        if (handled_here(v, area, reason & 0xFFFF)) continue;
        vmx_read_state(v, area);
        translate(v, area, reason & 0xFFFF, exit);
        return;
    }
}
