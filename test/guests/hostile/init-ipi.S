// init-ipi.S: hostile case: INIT and start-up IPIs through the local APIC's ICR, to all excluding
// self, to APIC ID 1 and to 0xFF (broadcast). A VM's IPIs reach its own vCPUs only (it has one):
// the host's CPUs and the other VMs never see them, and the VM goes on. Checks:
//   1  INIT and SIPI (vector 0x10) to all-but-self, to APIC ID 1 and to 0xFF complete, and the VM
//      still runs after them
//   0x80 + n: unexpected exception n
// Not here: IA32_APIC_BASE.EXTD. CPUID hides x2APIC, where a CPU raises #GP for EXTD (SDM vol. 3A,
// 11.12.1), but wisp's local APIC model takes it (and then answers the x2APIC MSRs).
#include "case.inc"

#define APIC                0xfee00000
#define APIC_SVR            0xf0
#define APIC_ICR_LOW        0x300
#define APIC_ICR_HIGH       0x310
#define ICR_INIT            ((5 << 8) | (1 << 14))
#define ICR_SIPI            ((6 << 8) | (1 << 14) | 0x10)
#define ICR_ALL_BUT_SELF    (3 << 18)

        CASE_START
        DIRTY_MEMORY
        movl $0x1ff, APIC + APIC_SVR
        CHECK 1, check_ipis, name_ipis
        jmp finish

// send: ICR high = EDX << 24, low = EAX
send:
        shll $24, %edx
        movl %edx, APIC + APIC_ICR_HIGH
        movl %eax, APIC + APIC_ICR_LOW
        ret

check_ipis:
        xorl %edx, %edx
        movl $(ICR_INIT | ICR_ALL_BUT_SELF), %eax
        call send
        xorl %edx, %edx
        movl $(ICR_SIPI | ICR_ALL_BUT_SELF), %eax
        call send
        movl $1, %edx
        movl $ICR_INIT, %eax
        call send
        movl $1, %edx
        movl $ICR_SIPI, %eax
        call send
        movl $0xff, %edx
        movl $ICR_INIT, %eax
        call send
        movl $0x1234, marker            // still here
        cmpl $0x1234, marker
        ret

        CASE_DATA
marker:              .long 0
name_ipis:           .asciz "init and sipi reach no other cpu"
