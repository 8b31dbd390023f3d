// The CPU state a guest can read that neither VMRUN nor a VMX entry switches: x87, SSE, AVX and
// every other XSAVE-managed user state, XCR0, CR2 (VMX only keeps it in the CPU) and the debug
// registers DR0-DR3 and DR6 (SVM and VMX switch only DR6/DR7 or DR7), and IA32_TSC_AUX (what
// RDTSCP and RDPID read; neither entry switches it). Before each VM starts they
// are put back to the state a freshly reset CPU gives its software, so nothing of the VM before it,
// nor of the firmware, is visible (and wisp does not rely on the next guest to clear it).
//
// The values, all from a reset CPU (Intel SDM vol. 3A, 10.1.1 Table 10-1 "IA-32 and Intel 64
// Processor States Following Power-up, Reset, or INIT"; AMD APM vol. 2, 14.1.3 Table 14-1):
//   XCR0 = 1 (x87 only), CR2 = 0, DR0-DR3 = 0, DR6 = FFFF0FF0h, DR7 = 400h, XMM/YMM/ZMM, opmask and
//   PKRU zero, MXCSR = 1F80h, TSC_AUX = 0.
// x87: the FNINIT state (FCW 037Fh, FSW 0, all registers empty), which is also XRSTOR's initial
// configuration (SDM vol. 1, 13.6) and what QEMU and KVM give a vCPU at reset; the SDM's power-up
// FCW of 0040h is not what any firmware hands on, so guests do not expect it.
//
// Host code is built with general registers only (c-shim/README.md), so what is reset here stays
// untouched until the guest runs.
#include "host/cpu_reset.h"
#include "host/alloc.h"
#include "host/cpu.h"

#define CPUID_1_ECX_XSAVE (1u << 26)            // SDM vol. 2A, CPUID leaf 01h ECX
#define CPUID_1_EDX_FXSR (1u << 24)             // leaf 01h EDX: FXSAVE/FXRSTOR
#define CPUID_XSAVE_LEAF 0xDu                   // SDM vol. 1, 13.2: EDX:EAX supported XCR0 bits, ECX area size
#define CR4_OSFXSR (1ull << 9)                  // SDM vol. 3A, 2.5
#define CR4_OSXSAVE (1ull << 18)
#define XCR0_RESET 1ull                         // x87 state only (SDM vol. 1, 13.3)
#define LEGACY_MXCSR 24                         // byte offset of MXCSR in the legacy region (vol. 1, 10.5.1 Table 10-2)
#define LEGACY_FCW 0                            // FCW, FXRSTOR's area (Table 10-2)
#define LEGACY_BYTES 512
#define XSAVE_HEADER_BYTES 64                   // XSTATE_BV, XCOMP_BV: zero = every component in its initial configuration
#define MXCSR_RESET 0x1F80u
#define FCW_FNINIT 0x037Fu
#define DR6_RESET 0xFFFF0FF0ull
#define DR7_RESET 0x400ull
#define CPUID_EXT_EDX_RDTSCP (1u << 27)         // CPUID 8000_0001h EDX (APM vol. 3, E.4.2; SDM vol. 2A)
#define CPUID_7_ECX_RDPID (1u << 22)            // CPUID 07h.0 ECX (SDM vol. 2A, Table 3-8)
#define MSR_TSC_AUX 0xC0000103u                 // SDM vol. 4, Table 2-2; bits 63:32 reserved

static uint8_t *clean_area;                     // set on the first call, before any second CPU starts
static uint64_t clean_area_bytes;
static int has_tsc_aux = -1;                    // the CPU has IA32_TSC_AUX (RDTSCP or RDPID); -1: not asked yet
uint32_t cpu_tsc_aux_loaded;                    // what this CPU's IA32_TSC_AUX holds

static int cpu_has_tsc_aux(void) {
    if (has_tsc_aux < 0) {
        uint32_t r[4];
        cpuid(0x80000000u, 0, r);
        int rdtscp = 0, rdpid = 0;
        if (r[0] >= 0x80000001u) { cpuid(0x80000001u, 0, r); rdtscp = (r[3] & CPUID_EXT_EDX_RDTSCP) != 0; }
        cpuid(0, 0, r);
        if (r[0] >= 7) { cpuid(7, 0, r); rdpid = (r[2] & CPUID_7_ECX_RDPID) != 0; }
        has_tsc_aux = rdtscp || rdpid;
    }
    return has_tsc_aux;
}

void cpu_write_tsc_aux(uint32_t value) {
    cpu_tsc_aux_loaded = value;
    if (cpu_has_tsc_aux()) wrmsr(MSR_TSC_AUX, value);
}

static void set_dr(void) {
    uint64_t zero = 0, dr6 = DR6_RESET, dr7 = DR7_RESET;
    __asm__ volatile("mov %0, %%dr7" ::"r"(dr7));      // first: no breakpoint stays armed meanwhile
    __asm__ volatile("mov %0, %%dr0; mov %0, %%dr1; mov %0, %%dr2; mov %0, %%dr3" ::"r"(zero));
    __asm__ volatile("mov %0, %%dr6" ::"r"(dr6));
}

// A zeroed save area but for MXCSR (and FCW for FXRSTOR): XRSTOR loads MXCSR from memory whenever
// it restores SSE or AVX state (SDM vol. 1, 13.8.1), FXRSTOR loads every field.
static uint8_t *area(uint64_t bytes, int fxrstor) {
    if (!clean_area) {
        clean_area = wisp_alloc(bytes, 4096);   // XRSTOR needs 64-byte alignment, FXRSTOR 16
        if (!clean_area) return 0;
        clean_area_bytes = bytes;
        *(uint32_t *)(clean_area + LEGACY_MXCSR) = MXCSR_RESET;
        if (fxrstor) *(uint16_t *)(clean_area + LEGACY_FCW) = FCW_FNINIT;
    }
    return clean_area_bytes >= bytes ? clean_area : 0;
}

int cpu_reset_guest_state(void) {
    uint32_t r[4];
    cpuid(1, 0, r);
    int xsave = (r[2] & CPUID_1_ECX_XSAVE) != 0, fxsr = (r[3] & CPUID_1_EDX_FXSR) != 0;
    uint64_t cr4 = read_cr4(), need = (fxsr ? CR4_OSFXSR : 0) | (xsave ? CR4_OSXSAVE : 0);
    if ((cr4 & need) != need) write_cr4(cr4 | need);
    int ok = 1;
    if (xsave) {
        cpuid(CPUID_XSAVE_LEAF, 0, r);
        uint64_t supported = (uint64_t)r[3] << 32 | r[0];
        uint8_t *a = area(r[2] > LEGACY_BYTES + XSAVE_HEADER_BYTES ? r[2] : LEGACY_BYTES + XSAVE_HEADER_BYTES, 0);
        // Every component the CPU has goes through XRSTOR, so XCR0 first enables them all.
        __asm__ volatile("xsetbv" ::"c"(0), "a"((uint32_t)supported), "d"((uint32_t)(supported >> 32)) : "memory");
        if (a) __asm__ volatile("xrstor64 (%0)" ::"r"(a), "a"((uint32_t)supported), "d"((uint32_t)(supported >> 32)) : "memory");
        else ok = 0;
        __asm__ volatile("xsetbv" ::"c"(0), "a"((uint32_t)XCR0_RESET), "d"(0u) : "memory");
    } else if (fxsr) {
        uint8_t *a = area(LEGACY_BYTES, 1);
        if (a) __asm__ volatile("fxrstor64 (%0)" ::"r"(a) : "memory");
        else ok = 0;
    } else {
        __asm__ volatile("fninit");
    }
    write_cr2(0);
    set_dr();
    cpu_write_tsc_aux(0);
    return ok;
}
