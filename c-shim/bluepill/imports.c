// The core's blue-pill imports (as-src/host.ts): the real local APIC of the CPU that exited, INIT
// and STARTUP IPIs, the canary in wisp's memory, and the guest's memory (identity, minus wisp's).
// Any other instance calling them gets nothing (0, no effect).
#include "bluepill/bluepill.h"
#include "host/cpu.h"
#include "host/lapic.h"
#include "svm/npt.h"                            // NPT_SPAN: what the nested page table maps

#define APIC_PAGE 0x1000u

static struct bp_cpu *cpu_of(struct w2c_env *env) {
    for (uint32_t i = 0; i < bp_cpu_count; i++)
        if (&bp_cpus[i].env == env) return &bp_cpus[i];
    return 0;
}

// 4-byte, 16-byte-aligned registers only (SDM vol. 3A, 11.4.1: other accesses are undefined).
static int apic_access_ok(struct w2c_env *env, uint32_t offset, uint32_t size) {
    return cpu_of(env) && size == 4 && offset < APIC_PAGE && !(offset & 15);
}

uint64_t w2c_env_hostApicRead(struct w2c_env *env, uint32_t offset, uint32_t size) {
    return apic_access_ok(env, offset, size) ? mmio_read32(lapic_base() + offset) : 0;
}

void w2c_env_hostApicWrite(struct w2c_env *env, uint32_t offset, uint32_t size, uint64_t value) {
    if (apic_access_ok(env, offset, size)) mmio_write32(lapic_base() + offset, (uint32_t)value);
}

// IA32_APIC_BASE (SDM vol. 3A, 11.4.4): only the enable bit (11) follows the guest; the base, the
// BSP bit and x2APIC mode (bit 10, off) stay wisp's (as-src/vm/passthrough.ts checked the rest).
#define APIC_BASE_ENABLE (1ull << 11)
#define APIC_BASE_X2APIC (1ull << 10)

void w2c_env_hostApicEnable(struct w2c_env *env, uint64_t value) {
    if (!cpu_of(env)) return;
    uint64_t now = rdmsr(MSR_APIC_BASE) & ~(APIC_BASE_ENABLE | APIC_BASE_X2APIC);
    wrmsr(MSR_APIC_BASE, now | (value & APIC_BASE_ENABLE));
}

void w2c_env_hostStartupIpi(struct w2c_env *env, uint32_t kind, uint32_t flags, uint32_t destination, uint32_t vector) {
    struct bp_cpu *cpu = cpu_of(env);
    if (cpu && kind <= 1) bluepill_startup_ipi(cpu, kind, flags, destination, vector & 0xFF);
}

uint32_t w2c_env_hostCanary(struct w2c_env *env, uint32_t out) {
    if (!cpu_of(env) || !bp_canary) return 0;
    if (!instance_range_ok(env->instance, out, 16)) wasm_rt_trap(WASM_RT_TRAP_OOB);
    uint64_t *dst = (uint64_t *)(w2c_core_memory(env->instance)->data + out);
    dst[0] = (uint64_t)bp_canary;
    dst[1] = *bp_canary;
    return 1;
}


uint8_t *bluepill_guest_memory(uint64_t gpa, uint64_t length) {
    if (gpa >= NPT_SPAN || length > NPT_SPAN - gpa) return 0;
    for (int i = 0; i < 2; i++) {
        uint64_t base = bp_protected[i][0], bytes = bp_protected[i][1];
        if (gpa < base + bytes && base < gpa + length) return 0;
    }
    return (uint8_t *)gpa;
}
