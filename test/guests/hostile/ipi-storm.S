// ipi-storm.S: hostile case: 5000 self-IPIs through the local APIC's ICR ("self" shorthand, fixed,
// vector 0x40), each taken and acknowledged (EOI) before the next, with interrupts on. wisp's
// local APIC model delivers every one and the VM goes on. Checks:
//   1  the handler ran exactly 5000 times
//   0x80 + n: unexpected exception n
#include "case.inc"

#define APIC                0xfee00000  // SDM vol. 3A, 11.4.1
#define APIC_EOI            0xb0
#define APIC_SVR            0xf0
#define APIC_ICR_LOW        0x300
#define ICR_SELF_FIXED      ((1 << 18) | (1 << 14))  // shorthand self, assert, fixed delivery
#define IPI_VECTOR          0x40
#define IPIS                5000

        CASE_START
        DIRTY_MEMORY
        movl $ipi_handler, %eax
        movl $IPI_VECTOR, %ecx
        call interrupt_gate
        movl $0x1ff, APIC + APIC_SVR
        sti
        CHECK 1, check_storm, name_storm
        cli
        jmp finish

check_storm:
        movl $IPIS, %esi
1:      movl $(ICR_SELF_FIXED | IPI_VECTOR), APIC + APIC_ICR_LOW
        decl %esi
        jnz 1b
        movl $100000, %ecx              // the last one may still be on its way
2:      loop 2b
        cmpl $IPIS, ipi_count
        ret

ipi_handler:
        incl ipi_count
        movl $0, APIC + APIC_EOI
        iret

        CASE_DATA
ipi_count:           .long 0
name_storm:          .asciz "5000 self-ipis delivered"
