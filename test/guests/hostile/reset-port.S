// reset-port.S: hostile case: a hard reset through the PCI reset control register (port 0xCF9,
// RST_CPU with SYS_RST, Intel ICH/PCH datasheets "RST_CNT"). It resets this VM only: result
// reset, and the machine and the next VM go on.
#include "case.inc"
        CASE_START
        DIRTY_MEMORY
        movw $0xcf9, %dx
        movb $0x06, %al
        outb %al, %dx
        movb $1, %al                    // not reached
        jmp debug_exit
        CASE_DATA
