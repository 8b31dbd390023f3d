// The host's GDT: null, 64-bit code, data, and one 64-bit TSS (needed for a valid TR, which
// VMSAVE/VMLOAD switch, and for the double-fault stack). One per CPU (blue-pill runs on every CPU).
#include <stdint.h>
#include "host/gdt.h"

static struct host_gdt boot_cpu_gdt;
static uint8_t double_fault_stack[8192] __attribute__((aligned(16)));

void gdt_init(void) { gdt_setup(&boot_cpu_gdt, (uint64_t)(double_fault_stack + sizeof double_fault_stack)); }

// Each CPU needs its own: loading TR marks the TSS descriptor busy (Intel SDM vol. 3A, 8.2.2).
void gdt_setup(struct host_gdt *g, uint64_t double_fault_stack_top) {
    uint64_t *gdt = g->gdt;
    struct tss64 *tss = &g->tss;
    uint64_t base = (uint64_t)tss;
    uint64_t limit = sizeof *tss - 1;
    gdt[0] = 0;
    gdt[1] = 0x00AF9B000000FFFFull;                      // code: P, DPL0, S, type 0xB, L=1, G   (Intel SDM vol. 3A, 3.4.5)
    gdt[2] = 0x00CF93000000FFFFull;                      // data: P, DPL0, S, type 0x3, D/B, G   (Intel SDM vol. 3A, 3.4.5)
    tss->ist[0] = double_fault_stack_top;
    tss->iomap_base = sizeof *tss;                       // no I/O bitmap
    gdt[3] = (limit & 0xFFFF) | ((base & 0xFFFFFF) << 16)
           | (0x89ull << 40)                             // P, type 9 = 64-bit TSS available (Intel SDM vol. 3A, 8.2.3)
           | (((limit >> 16) & 0xF) << 48) | (((base >> 24) & 0xFF) << 56);
    gdt[4] = base >> 32;

    struct __attribute__((packed)) { uint16_t limit; uint64_t base; } gdtr = { sizeof g->gdt - 1, (uint64_t)gdt };
    __asm__ volatile(
        "lgdt %0\n\t"
        "pushq %1\n\t"
        "leaq 1f(%%rip), %%rax\n\t"
        "pushq %%rax\n\t"
        "lretq\n"
        "1:\n\t"
        "movw %w2, %%ax\n\t"
        "movw %%ax, %%ds\n\t"
        "movw %%ax, %%es\n\t"
        "movw %%ax, %%ss\n\t"
        "xorl %%eax, %%eax\n\t"
        "movw %%ax, %%fs\n\t"
        "movw %%ax, %%gs\n\t"
        "movw %w3, %%ax\n\t"
        "ltr %%ax\n\t"
        :: "m"(gdtr), "i"(GDT_CODE64), "i"(GDT_DATA), "i"(GDT_TSS) : "rax", "memory");
}
