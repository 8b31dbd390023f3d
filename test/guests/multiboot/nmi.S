// nmi.S: a Multiboot v1 test kernel of NMIs sent through the local APIC's ICR (SDM vol. 3A,
// "Interrupt Command Register"; 6.7.1 "Handling Multiple NMIs"), entered in 32-bit protected mode.
// Everything runs with interrupts off (RFLAGS.IF does not mask NMIs). Each check is one line on
// COM1; the first failed check's code goes to the debug-exit port 0xF4:
//   1  self         an NMI to its own APIC ID (physical destination) is taken, once
//   2  shorthand    an NMI with the "self" shorthand is taken, once
//   3  blocked      in the NMI handler two more NMIs are sent: none is taken before its IRET
//   4  one pending  after that IRET exactly one of the two is taken (one NMI can be pending)
//   5  others       an NMI to "all excluding self" reaches nobody (one CPU)
//   0x80 + n  unexpected exception n
// Linked at 1 MiB by kernel.ld (build/guests.ts: multiboot-nmi.elf); no module or command line.

#include "cpu-kernel.S"

#define APIC                0xfee00000  // the local APIC's registers (SDM vol. 3A, 11.4.1)
#define APIC_ID             0x20        // bits 31:24
#define APIC_SVR            0xf0        // bit 8: software enable
#define APIC_ICR_LOW        0x300
#define APIC_ICR_HIGH       0x310       // bits 31:24: the destination
#define ICR_NMI             (4 << 8)    // delivery mode 100b
#define ICR_ASSERT          (1 << 14)
#define ICR_SELF            (1 << 18)   // destination shorthand 01b
#define ICR_ALL_BUT_SELF    (3 << 18)   // 11b
#define VECTOR_NMI          2
#define SETTLE              200000      // LOOP iterations in which a pending NMI must have come

        KERNEL_START
        movl $nmi_handler, %eax
        movl $VECTOR_NMI, %ecx
        call set_gate
        movl $0x1ff, APIC + APIC_SVR    // software-enabled, spurious vector 0xff
        mov $text_hello, %esi
        call puts
        CHECK 1, check_self, name_self
        CHECK 2, check_shorthand, name_shorthand
        CHECK 3, check_blocked, name_blocked
        CHECK 4, check_one_pending, name_one_pending
        CHECK 5, check_others, name_others
        jmp finish


settle:                                 // time for a pending NMI to arrive
        pushl %ecx
        movl $SETTLE, %ecx
1:      loop 1b
        popl %ecx
        ret

// send_nmi: ICR low = EAX | NMI | assert, to the destination in ICR high (its own APIC ID).
send_nmi:
        movl APIC + APIC_ID, %edx
        movl %edx, APIC + APIC_ICR_HIGH
        orl $(ICR_NMI | ICR_ASSERT), %eax
        movl %eax, APIC + APIC_ICR_LOW
        ret

// ZF = 1 when nmi_count went up by exactly EAX since BL
count_is:
        movl nmi_count, %ecx
        subl %ebx, %ecx
        cmpl %eax, %ecx
        ret

check_self:
        movl nmi_count, %ebx
        xorl %eax, %eax                 // no shorthand: the destination field
        call send_nmi
        call settle
        movl $1, %eax
        jmp count_is

check_shorthand:
        movl nmi_count, %ebx
        movl $ICR_SELF, %eax
        call send_nmi
        call settle
        movl $1, %eax
        jmp count_is

// The handler, on its first entry with resend set, sends two NMIs and waits: it records whether
// it was entered again meanwhile (nested), then returns with IRET.
check_blocked:
        movl nmi_count, %ebx
        movl %ebx, count_before_resend
        movl $1, resend
        xorl %eax, %eax
        call send_nmi
        call settle
        cmpl $0, nested
        ret

check_one_pending:
        movl count_before_resend, %ebx
        movl $2, %eax                   // the first, and one of the two sent while blocked
        jmp count_is

check_others:
        movl nmi_count, %ebx
        movl $ICR_ALL_BUT_SELF, %eax
        call send_nmi
        call settle
        xorl %eax, %eax
        jmp count_is

nmi_handler:
        pushal
        cmpl $0, in_handler
        je 1f
        movl $1, nested                 // entered again before the IRET
1:      movl $1, in_handler
        incl nmi_count
        cmpl $0, resend
        je 2f
        movl $0, resend
        xorl %eax, %eax
        call send_nmi
        xorl %eax, %eax
        call send_nmi
        call settle                     // blocked: neither may come in here
2:      movl $0, in_handler
        popal
        iret

        .data
        .balign 8
nmi_count:              .long 0
count_before_resend:    .long 0
resend:                 .long 0
in_handler:             .long 0
nested:                 .long 0
text_hello:             .asciz "multiboot test kernel: NMIs through the local APIC\n"
name_self:              .asciz "self"
name_shorthand:         .asciz "shorthand"
name_blocked:           .asciz "blocked"
name_one_pending:       .asciz "one pending"
name_others:            .asciz "others"
