// nmi-storm.S: hostile case: 2000 NMIs to itself through the ICR, with interrupts off (NMIs do
// not care), each taken before the next is sent. wisp's NMI path (blocking until IRET) delivers
// every one and the VM goes on. Checks:
//   1  the NMI handler ran exactly 2000 times
//   0x80 + n: unexpected exception n
#include "case.inc"

#define APIC                0xfee00000
#define APIC_SVR            0xf0
#define APIC_ICR_LOW        0x300
#define ICR_SELF_NMI        ((1 << 18) | (1 << 14) | (4 << 8))   // shorthand self, assert, NMI
#define VECTOR_NMI          2
#define NMIS                2000

        CASE_START
        DIRTY_MEMORY
        movl $idt, %edi
        movl $GATE_INTERRUPT32, %ebx
        movl $nmi_handler, %eax
        movl $VECTOR_NMI, %ecx
        call set_gate32
        movl $0x1ff, APIC + APIC_SVR
        CHECK 1, check_storm, name_storm
        jmp finish

check_storm:
        movl $NMIS, %esi
1:      movl $ICR_SELF_NMI, APIC + APIC_ICR_LOW
        decl %esi
        jnz 1b
        movl $100000, %ecx
2:      loop 2b
        cmpl $NMIS, nmi_count
        ret

nmi_handler:
        incl nmi_count
        iret

        CASE_DATA
nmi_count:           .long 0
name_storm:          .asciz "2000 self-nmis delivered"
