#pragma once
#include <stdint.h>
void lapic_init(void);                                   // find the LAPIC (xAPIC or x2APIC mode)
int lapic_calibrate(void (*stall_us)(uint64_t us));      // timer counts per 10 ms; 0 on failure
void lapic_timer_start(uint32_t hz);                     // periodic, VECTOR_TIMER
void lapic_timer_interrupt(void);                        // from the ISR: count and EOI
uint64_t lapic_base(void);                               // xAPIC MMIO base (for the host page tables)
extern volatile uint64_t lapic_ticks;
extern uint32_t lapic_counts_per_10ms;
