// The host's IDT: exceptions 0-31 are host bugs (print and halt), plus the LAPIC timer and
// spurious vectors.
#include "host/idt.h"
#include "host/gdt.h"
#include "host/console.h"
#include "host/cpu.h"
#include "host/lapic.h"

extern const uint64_t isr_exception_table[32];   // isr.S
extern void isr_timer(void), isr_spurious(void);

struct __attribute__((packed)) idt_gate {        // Intel SDM vol. 3A, 6.14.1 64-bit IDT gate
    uint16_t offset0, selector;
    uint8_t ist, type_attr;
    uint16_t offset1;
    uint32_t offset2, reserved;
};

static struct idt_gate idt[256] __attribute__((aligned(16)));

static void set_gate(int vector, uint64_t handler, int ist) {
    idt[vector].offset0 = (uint16_t)handler;
    idt[vector].selector = GDT_CODE64;
    idt[vector].ist = (uint8_t)ist;
    idt[vector].type_attr = 0x8E;                // P, DPL0, type 0xE = 64-bit interrupt gate (Intel SDM vol. 3A, 6.14.1)
    idt[vector].offset1 = (uint16_t)(handler >> 16);
    idt[vector].offset2 = (uint32_t)(handler >> 32);
}

void idt_init(void) {
    idt_build();
    idt_load();
}

void idt_build(void) {
    for (int v = 0; v < 32; v++)
        set_gate(v, isr_exception_table[v], v == 8 ? 1 : 0);   // #DF on IST1 (Intel SDM vol. 3A, 6.14.5)
    set_gate(VECTOR_TIMER, (uint64_t)isr_timer, 0);
    set_gate(VECTOR_SPURIOUS, (uint64_t)isr_spurious, 0);
}

void idt_load(void) {                            // the same table on every CPU
    struct __attribute__((packed)) { uint16_t limit; uint64_t base; } idtr = { sizeof idt - 1, (uint64_t)idt };
    __asm__ volatile("lidt %0" ::"m"(idtr) : "memory");
}

void isr_dispatch(struct isr_frame *f) {
    if (f->vector == VECTOR_TIMER) { lapic_timer_interrupt(); return; }
    if (f->vector == VECTOR_SPURIOUS) return;
    if (f->vector == 2) return;                  // NMI: nothing of ours raises one; ignore it
    con_str("\nwisp: host exception ");
    con_dec(f->vector);
    con_str(" error ");
    con_hex(f->error);
    con_str(" RIP ");
    con_hex(f->rip);
    con_str(" CR2 ");
    con_hex(read_cr2());
    con_str(" RSP ");
    con_hex(f->rsp);
    con_str(": a wisp bug; halting\n");
    halt_forever();
}
