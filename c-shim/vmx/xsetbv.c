// XSETBV exits unconditionally in VMX non-root operation (26.1.2); under SVM the guest writes XCR0
// itself. wisp's host code uses general registers only and never touches x87/SSE/AVX state, so the
// guest's XCR0 is simply the CPU's (as with SVM): the shim checks what XSETBV would check and
// writes it. CR4.OSXSAVE and CPL 0 were checked by the CPU before the exit (26.1.1).
#include "vmx/vmx.h"
#include "vmx/vmcs.h"
#include "host/cpu.h"

#define CPUID_XSAVE 0xDu                        // SDM vol. 1, 13.2: XCR0 bits supported in EDX:EAX
#define XCR0_X87 (1ull << 0)                    // SDM vol. 1, 13.3: XCR0 rules
#define XCR0_SSE (1ull << 1)
#define XCR0_AVX (1ull << 2)
#define XCR0_MPX (3ull << 3)                    // BNDREGS, BNDCSR: both or neither
#define XCR0_AVX512 (7ull << 5)                 // opmask, ZMM_Hi256, Hi16_ZMM: all or none, and AVX
#define GP_VECTOR 13                            // SDM vol. 3A, 6.15

static int valid(uint64_t value) {
    uint32_t r[4];
    cpuid(CPUID_XSAVE, 0, r);
    uint64_t supported = r[0] | (uint64_t)r[3] << 32;
    if (!(value & XCR0_X87) || (value & ~supported)) return 0;
    if ((value & XCR0_AVX) && !(value & XCR0_SSE)) return 0;
    if ((value & XCR0_MPX) && (value & XCR0_MPX) != XCR0_MPX) return 0;
    if ((value & XCR0_AVX512) && ((value & XCR0_AVX512) != XCR0_AVX512 || !(value & XCR0_AVX))) return 0;
    return 1;
}

int vmx_handle_xsetbv(struct vcpu *v, uint8_t *area) {
    const uint64_t *gpr = (const uint64_t *)area;
    uint32_t index = (uint32_t)gpr[AREA_RCX / 8];
    uint64_t value = gpr[AREA_RDX / 8] << 32 | (uint32_t)gpr[AREA_RAX / 8];
    if (index != 0 || !valid(value)) {          // SDM vol. 2D, XSETBV: #GP(0)
        vmx_inject_now(v, EVENT_VALID | EVENT_TYPE_HARDWARE_EXCEPTION << 8 | EVENT_ERROR_VALID | GP_VECTOR, 0);
        return 1;
    }
    __asm__ volatile("xsetbv" ::"c"(0), "a"((uint32_t)value), "d"((uint32_t)(value >> 32)) : "memory");
    vmx_skip_instruction(v);
    return 1;
}
