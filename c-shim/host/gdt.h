#pragma once
#define GDT_CODE64 0x08                 // selector of the 64-bit code segment (gdt.c)
#define GDT_DATA 0x10                   // selector of the data segment (gdt.c)
#define GDT_TSS 0x18                    // selector of the TSS (gdt.c)
#include <stdint.h>

struct __attribute__((packed)) tss64 {  // Intel SDM vol. 3A, 8.7 Task Management in 64-bit Mode
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
};

struct host_gdt {                       // null, code, data, TSS (16 bytes), and the TSS itself
    uint64_t gdt[5] __attribute__((aligned(16)));
    struct tss64 tss;
};

void gdt_init(void);                    // the boot CPU's: loads the GDT, reloads segments, loads TR
void gdt_setup(struct host_gdt *g, uint64_t double_fault_stack_top);   // the same for any CPU
