#pragma once
#define GDT_CODE64 0x08                 // selector of the 64-bit code segment (gdt.c)
#define GDT_DATA 0x10                   // selector of the data segment (gdt.c)
#define GDT_TSS 0x18                    // selector of the TSS (gdt.c)
void gdt_init(void);                    // loads the GDT, reloads segments, loads TR
