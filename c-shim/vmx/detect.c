// Does this CPU have what wisp needs from VT-x: VMX not disabled by firmware, EPT with a 4-level
// walk and write-back structures, unrestricted guest, and the controls the backend relies on.
#include "vmx/vmx.h"
#include "vmx/vmcs.h"
#include "host/cpu.h"

#define CPUID_FEATURES 1u                       // SDM vol. 2A, CPUID leaf 1
#define CPUID_FEATURES_ECX_VMX (1u << 5)        // SDM vol. 3C, 24.6 Discovering support for VMX

struct vmx_caps vmx_caps;

uint32_t vmx_adjust(uint64_t allowed, uint32_t wanted) {     // A.3.1: bit set in 31:0 must be 1,
    return (wanted | (uint32_t)allowed) & (uint32_t)(allowed >> 32);   // bit clear in 63:32 must be 0
}

static int allows(uint64_t allowed, uint32_t needed) { return (vmx_adjust(allowed, needed) & needed) == needed; }

int vmx_probe(void) {
    uint32_t r[4];
    cpuid(CPUID_FEATURES, 0, r);
    if (!(r[2] & CPUID_FEATURES_ECX_VMX)) return 0;
    uint64_t fc = rdmsr(MSR_FEATURE_CONTROL);
    if ((fc & FEATURE_CONTROL_LOCK) && !(fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX)) return 0;   // firmware said no

    uint64_t basic = rdmsr(MSR_VMX_BASIC);
    int true_controls = (basic & VMX_BASIC_TRUE_CONTROLS) != 0;
    struct vmx_caps *c = &vmx_caps;
    c->revision = (uint32_t)basic & 0x7FFFFFFFu;
    c->pin = rdmsr(true_controls ? MSR_VMX_TRUE_PINBASED : MSR_VMX_PINBASED);
    c->proc = rdmsr(true_controls ? MSR_VMX_TRUE_PROCBASED : MSR_VMX_PROCBASED);
    c->exit = rdmsr(true_controls ? MSR_VMX_TRUE_EXIT : MSR_VMX_EXIT);
    c->entry = rdmsr(true_controls ? MSR_VMX_TRUE_ENTRY : MSR_VMX_ENTRY);
    c->cr0_fixed0 = rdmsr(MSR_VMX_CR0_FIXED0);
    c->cr0_fixed1 = rdmsr(MSR_VMX_CR0_FIXED1);
    c->cr4_fixed0 = rdmsr(MSR_VMX_CR4_FIXED0);
    c->cr4_fixed1 = rdmsr(MSR_VMX_CR4_FIXED1);
    if (!allows(c->proc, PROC_SECONDARY | PROC_HLT | PROC_IO_BITMAPS | PROC_MSR_BITMAPS)) return 0;
    c->proc2 = rdmsr(MSR_VMX_PROCBASED2);       // exists only with the secondary controls (A.3.3)
    if (!allows(c->proc2, PROC2_EPT | PROC2_UNRESTRICTED)) return 0;
    c->ept_vpid = rdmsr(MSR_VMX_EPT_VPID_CAP);  // exists only with EPT or VPID (A.10)
    if ((c->ept_vpid & (EPT_CAP_WALK4 | EPT_CAP_WB)) != (EPT_CAP_WALK4 | EPT_CAP_WB)) return 0;
    if (!allows(c->pin, PIN_EXTERNAL_INTERRUPT)) return 0;
    if (!allows(c->exit, EXIT_HOST_64BIT | EXIT_SAVE_EFER | EXIT_LOAD_EFER | EXIT_SAVE_PAT | EXIT_LOAD_PAT))
        return 0;
    if (!allows(c->entry, ENTRY_IA32E_GUEST | ENTRY_LOAD_EFER | ENTRY_LOAD_PAT)) return 0;
    if (c->exit & EXIT_ACK_INTERRUPT) return 0;                 // must be able to leave it 0
    c->vpid = allows(c->proc2, PROC2_VPID) && (c->ept_vpid & VPID_CAP_INVVPID) &&
              (c->ept_vpid & VPID_CAP_INVVPID_ALL);
    return 1;
}
