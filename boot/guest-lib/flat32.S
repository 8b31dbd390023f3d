// flat32.S: the guests' own GDT and the switch to it.
//
// Provides: the selectors CODE32_SELECTOR, DATA_SELECTOR, CODE64_SELECTOR; the GDT (in library
// code); set_gate32, which writes an IDT gate (32-bit guests); the macro ENTER_FLAT32, for a guest's entry point in protected mode (after GUEST_START
// .code32, layout.S): the GDT loaded, CS the 32-bit code segment, DS, ES, SS, FS, GS the data
// segment, ESP = STACK_TOP. Nothing is assumed about the entry descriptors beyond "flat".
// Mode: 32-bit protected mode (it leaves the assembler in .code32). Clobbers: EAX.

#ifndef GUEST_LIB_FLAT32_S
#define GUEST_LIB_FLAT32_S
#include "width.S"
#include "layout.S"

#define CODE32_SELECTOR     0x08
#define DATA_SELECTOR       0x10
#define CODE64_SELECTOR     0x18

        GUEST_LIB_BEGIN
// GDT (SDM vol. 3, 3.4.5 and 5.2.1): base 0, limit 4 GiB (G = 1), present, DPL 0.
        .balign 8
gdt:
        .quad 0                         // null descriptor
        .quad 0x00cf9a000000ffff        // 0x08: 32-bit code (D = 1), execute/read (type 1010b)
        .quad 0x00cf92000000ffff        // 0x10: data, read/write (type 0010b)
        .quad 0x00af9a000000ffff        // 0x18: 64-bit code (L = 1, D = 0), execute/read
gdt_end:
gdt_pointer:
        .word gdt_end - gdt - 1
        .long gdt

#if GUEST_BITS == 32
// set_gate32: gate ECX of the IDT at EDI -> handler EAX in CODE32_SELECTOR, with the P, DPL and
// type bits in BX, GATE_INTERRUPT32 for a ring-0 interrupt gate (SDM vol. 3A, 6.11 Figure 6-2).
// Clobbers: nothing.
set_gate32:
        pushl %edx
        movl %eax, %edx
        andl $0xffff, %edx
        orl $CODE32_SELECTOR << 16, %edx
        movl %edx, (%edi, %ecx, 8)
        movl %eax, %edx
        andl $0xffff0000, %edx
        movw %bx, %dx
        movl %edx, 4(%edi, %ecx, 8)
        popl %edx
        ret
#endif
        GUEST_LIB_END

.macro ENTER_FLAT32
        .code32
        lgdt gdt_pointer
        ljmp $CODE32_SELECTOR, $1f
1:      movl $DATA_SELECTOR, %eax
        movl %eax, %ds
        movl %eax, %es
        movl %eax, %ss
        movl %eax, %fs
        movl %eax, %gs
        movl $STACK_TOP, %esp
.endm

#endif
