// ipi-coalesce.S: hostile case: 100 self-IPIs of one vector sent with interrupts off: the local
// APIC's IRR holds one request per vector (SDM vol. 3A, 11.8.4), so after STI exactly one is taken.
// Checks:
//   1  one interrupt, not 100, once interrupts are enabled
//   0x80 + n: unexpected exception n
#include "case.inc"

#define APIC                0xfee00000
#define APIC_EOI            0xb0
#define APIC_SVR            0xf0
#define APIC_ICR_LOW        0x300
#define ICR_SELF_FIXED      ((1 << 18) | (1 << 14))
#define IPI_VECTOR          0x41

        CASE_START
        DIRTY_MEMORY
        movl $0x1ff, APIC + APIC_SVR
        movl $ipi_handler, %eax
        movl $IPI_VECTOR, %ecx
        call interrupt_gate
        CHECK 1, check_one, name_one
        jmp finish

check_one:
        movl $100, %esi
1:      movl $(ICR_SELF_FIXED | IPI_VECTOR), APIC + APIC_ICR_LOW
        decl %esi
        jnz 1b
        sti
        movl $100000, %ecx
2:      loop 2b
        cli
        cmpl $1, ipi_count
        ret

ipi_handler:
        incl ipi_count
        movl $0, APIC + APIC_EOI
        iret

        CASE_DATA
ipi_count:           .long 0
name_one:            .asciz "100 ipis while masked are one"
