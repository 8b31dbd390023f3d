// The local APIC timer: calibrated against the firmware's Stall before ExitBootServices, then
// periodic. Register offsets: Intel SDM vol. 3A, 11.4.1 Table 11-1; in x2APIC mode the same
// registers are MSRs 0x800 + offset/16 (Intel SDM vol. 3A, 11.12.1.2).
#include "host/lapic.h"
#include "host/idt.h"
#include "host/cpu.h"

#define APIC_BASE_X2APIC (1ull << 10)           // IA32_APIC_BASE.EXTD (Intel SDM vol. 3A, 11.12.1)
#define APIC_BASE_MASK 0x000FFFFFFFFFF000ull    // IA32_APIC_BASE bits 12..51 (Intel SDM vol. 3A, 11.4.4)
#define REG_EOI 0xB0                            // Intel SDM vol. 3A, Table 11-1
#define REG_SVR 0xF0                            // spurious interrupt vector register
#define REG_LVT_TIMER 0x320
#define REG_TIMER_INITIAL 0x380
#define REG_TIMER_CURRENT 0x390
#define REG_TIMER_DIVIDE 0x3E0
#define SVR_ENABLE (1u << 8)                    // APIC software enable (Intel SDM vol. 3A, 11.9)
#define LVT_MASKED (1u << 16)                   // Intel SDM vol. 3A, 11.5.1
#define LVT_TIMER_PERIODIC (1u << 17)           // timer mode 01b (Intel SDM vol. 3A, 11.5.1)
#define DIVIDE_BY_16 0x3                        // Intel SDM vol. 3A, 11.5.4 Figure 11-10
#define X2APIC_MSR_BASE 0x800u                  // Intel SDM vol. 3A, 11.12.1.2
#define CALIBRATION_US 10000                    // 10 ms

volatile uint64_t lapic_ticks;
uint32_t lapic_counts_per_10ms;
static uint64_t mmio_base;
static int x2apic;

static uint32_t apic_read(uint32_t reg) {
    return x2apic ? (uint32_t)rdmsr(X2APIC_MSR_BASE + (reg >> 4)) : mmio_read32(mmio_base + reg);
}
static void apic_write(uint32_t reg, uint32_t v) {
    if (x2apic) wrmsr(X2APIC_MSR_BASE + (reg >> 4), v);
    else mmio_write32(mmio_base + reg, v);
}

void lapic_init(void) {
    uint64_t base = rdmsr(MSR_APIC_BASE);
    x2apic = (base & APIC_BASE_X2APIC) != 0;
    mmio_base = base & APIC_BASE_MASK;
}

uint64_t lapic_base(void) { return mmio_base; }

int lapic_calibrate(void (*stall_us)(uint64_t us)) {
    uint32_t lvt = apic_read(REG_LVT_TIMER), init = apic_read(REG_TIMER_INITIAL);
    uint32_t divide = apic_read(REG_TIMER_DIVIDE);   // the firmware's settings, put back below
    apic_write(REG_LVT_TIMER, LVT_MASKED | VECTOR_TIMER);   // one-shot, masked
    apic_write(REG_TIMER_DIVIDE, DIVIDE_BY_16);
    apic_write(REG_TIMER_INITIAL, 0xFFFFFFFFu);
    stall_us(CALIBRATION_US);
    uint32_t left = apic_read(REG_TIMER_CURRENT);
    apic_write(REG_TIMER_INITIAL, 0);
    lapic_counts_per_10ms = 0xFFFFFFFFu - left;
    apic_write(REG_TIMER_DIVIDE, divide);
    apic_write(REG_LVT_TIMER, lvt);
    apic_write(REG_TIMER_INITIAL, init);
    return lapic_counts_per_10ms != 0;
}

void lapic_timer_start(uint32_t hz) {
    uint64_t count = (uint64_t)lapic_counts_per_10ms * 100 / hz;
    if (count == 0) count = 1;
    if (count > 0xFFFFFFFFu) count = 0xFFFFFFFFu;
    apic_write(REG_SVR, SVR_ENABLE | VECTOR_SPURIOUS);
    apic_write(REG_TIMER_DIVIDE, DIVIDE_BY_16);
    apic_write(REG_LVT_TIMER, LVT_TIMER_PERIODIC | VECTOR_TIMER);
    apic_write(REG_TIMER_INITIAL, (uint32_t)count);
}

void lapic_timer_interrupt(void) {
    lapic_ticks++;
    apic_write(REG_EOI, 0);
}
