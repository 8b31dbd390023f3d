// Turn VMX on for this CPU (after take-over): IA32_FEATURE_CONTROL, the CR0/CR4 fixed bits, VMXON.
#include "vmx/vmx.h"
#include "vmx/vmcs.h"
#include "host/alloc.h"
#include "host/cpu.h"

#define CR4_VMXE (1ull << 13)                   // SDM vol. 3A, 2.5 Control registers
#define CR4_OSXSAVE (1ull << 18)
#define CPUID_FEATURES_ECX_XSAVE (1u << 26)     // SDM vol. 2A, CPUID leaf 1

int vmx_enable(void) {
    // 24.7: the lock bit makes the MSR read-only until reset; firmware that left it unlocked
    // leaves the choice to us.
    uint64_t fc = rdmsr(MSR_FEATURE_CONTROL);
    if (!(fc & FEATURE_CONTROL_LOCK))
        wrmsr(MSR_FEATURE_CONTROL, fc | FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMX_OUTSIDE_SMX);
    // 24.8: in VMX operation, CR0 and CR4 bits set in FIXED0 must be 1 and those clear in FIXED1 0.
    write_cr0((read_cr0() | vmx_caps.cr0_fixed0) & vmx_caps.cr0_fixed1);
    // OSXSAVE: the guest's XSETBV is executed for it (xsetbv.c), which needs it in the host's CR4.
    uint32_t r[4];
    cpuid(1, 0, r);
    uint64_t osxsave = (r[2] & CPUID_FEATURES_ECX_XSAVE) ? CR4_OSXSAVE : 0;
    write_cr4((read_cr4() | vmx_caps.cr4_fixed0 | CR4_VMXE | osxsave) & vmx_caps.cr4_fixed1);
    uint32_t *region = alloc_page();            // VMXON region: 4 KiB aligned, revision first (24.11.5)
    if (!region) return 0;
    region[0] = vmx_caps.revision;
    uint64_t pa = (uint64_t)region;             // host memory is identity-mapped
    uint8_t fail;
    __asm__ volatile("vmxon %1; setna %0" : "=qm"(fail) : "m"(pa) : "cc", "memory");
    return !fail;
}
