// tsc.S: a Multiboot v1 test kernel of the time-stamp counter (SDM vol. 3B, 18.17; APM vol. 2,
// 13.2.4), entered in 32-bit protected mode. It reports each check on COM1 and ends through the
// debug-exit port 0xF4 with the code of the first failed check (0: all passed):
//   1  counts         two RDTSCs in a row: the second reads more
//   2  write          WRMSR IA32_TSC (10h) = 2^40: RDTSC then reads from there on (below 2^40 + 2^32)
//   3  rdmsr          RDMSR IA32_TSC lies between the RDTSCs before and after it
//   4  backwards      WRMSR IA32_TSC = 1000h: RDTSC then reads below 2^32
//   5  tsc_adjust     where CPUID leaf 7 EBX bit 1 reports IA32_TSC_ADJUST (3Bh): it holds the sum
//                     of the changes the TSC writes made, and a write to it moves the TSC as much
//   6  deadline       where CPUID leaf 1 ECX bit 24 reports the TSC-deadline timer: with the TSC
//                     set to 2^50, IA32_TSC_DEADLINE (6E0h) = now + 10^6 fires exactly once, not
//                     before the deadline (the local APIC's timer in TSC-deadline mode, vector 0x40)
//   0x80 + n  unexpected exception n
// Linked at 1 MiB by kernel.ld (build/guests.ts: multiboot-tsc.elf); no module or command line.

#include "cpu-kernel.S"

#define MSR_TSC             0x10        // SDM vol. 4, Table 2-2
#define MSR_TSC_ADJUST      0x3b
#define MSR_TSC_DEADLINE    0x6e0
#define APIC                0xfee00000  // the local APIC's registers (SDM vol. 3A, 11.4.1)
#define APIC_EOI            0xb0
#define APIC_SVR            0xf0        // bit 8: software enable
#define APIC_LVT_TIMER      0x320       // bits 18:17 = 10b: TSC-deadline mode (11.5.4.1)
#define LVT_TSC_DEADLINE    (2 << 17)
#define TIMER_VECTOR        0x40
#define DEADLINE_TICKS      1000000
#define WAIT_HIGH           0x40        // give the timer up to 0x40 << 32 ticks (a minute at 4 GHz)

        KERNEL_START
        movl $timer_interrupt, %eax
        movl $TIMER_VECTOR, %ecx
        call set_gate
        mov $text_hello, %esi
        call puts
        CHECK 1, check_counts, name_counts
        CHECK 2, check_write, name_write
        CHECK 3, check_rdmsr, name_rdmsr
        CHECK 4, check_backwards, name_backwards
        CHECK 5, check_adjust, name_adjust
        CHECK 6, check_deadline, name_deadline
        jmp finish

check_counts:
        rdtsc
        movl %eax, %esi
        movl %edx, %edi
        rdtsc
        subl %esi, %eax
        sbbl %edi, %edx                 // EDX:EAX = second - first
        jc fail
        orl %edx, %eax
        jz fail
        jmp pass

check_write:
        movl $MSR_TSC, %ecx
        xorl %eax, %eax
        movl $0x100, %edx               // 2^40
        wrmsr
        rdtsc
        cmpl $0x100, %edx               // 2^40 <= TSC < 2^40 + 2^32
        jne fail
        jmp pass

check_rdmsr:
        rdtsc
        movl %eax, %esi
        movl %edx, %edi
        movl $MSR_TSC, %ecx
        rdmsr
        movl %eax, msr_low
        movl %edx, msr_high
        subl %esi, %eax                 // rdmsr - before >= 0
        sbbl %edi, %edx
        jc fail
        rdtsc
        subl msr_low, %eax              // after - rdmsr >= 0
        sbbl msr_high, %edx
        jc fail
        jmp pass

check_backwards:
        movl $MSR_TSC, %ecx
        movl $0x1000, %eax
        xorl %edx, %edx
        wrmsr
        rdtsc
        testl %edx, %edx
        jnz fail
        jmp pass

// TSC_ADJUST: the TSC writes above changed the TSC by (2^40 - t1) + (0x1000 - t2), so TSC_ADJUST
// is not 0 (wrapping included); a write of A + 2^40 moves the TSC up by 2^40.
check_adjust:
        movl $7, %eax
        xorl %ecx, %ecx
        cpuid
        testl $(1 << 1), %ebx
        jz pass                         // not reported: nothing to check
        movl $MSR_TSC_ADJUST, %ecx
        rdmsr
        movl %eax, %esi
        orl %edx, %esi
        jz fail
        addl $0x100, %edx               // A + 2^40
        wrmsr
        rdtsc
        cmpl $0x100, %edx               // the TSC was below 2^32 (check 4), now 2^40 and a bit
        jne fail
        jmp pass

check_deadline:
        movl $1, %eax
        cpuid
        testl $(1 << 24), %ecx
        jz pass                         // no TSC-deadline timer: nothing to check
        movl $0x1ff, APIC + APIC_SVR    // software-enabled, spurious vector 0xff
        movl $(LVT_TSC_DEADLINE | TIMER_VECTOR), APIC + APIC_LVT_TIMER
        movl $MSR_TSC, %ecx             // the TSC far from where the host's is: 2^50
        xorl %eax, %eax
        movl $0x40000, %edx
        wrmsr
        rdtsc
        addl $DEADLINE_TICKS, %eax
        adcl $0, %edx
        movl %eax, deadline_low
        movl %edx, deadline_high
        movl $MSR_TSC_DEADLINE, %ecx
        wrmsr
        sti
1:      cmpl $0, timer_count
        jne 2f
        rdtsc
        subl deadline_low, %eax
        sbbl deadline_high, %edx
        jc 1b                           // before the deadline
        cmpl $WAIT_HIGH, %edx
        jb 1b
2:      movl $100000, %ecx              // a while longer: a second interrupt would come now
3:      loop 3b
        cli
        cmpl $1, timer_count
        jne fail
        movl fired_low, %eax            // fired at or after the deadline
        movl fired_high, %edx
        subl deadline_low, %eax
        sbbl deadline_high, %edx
        jc fail
        jmp pass

timer_interrupt:
        pushl %eax
        pushl %edx
        rdtsc
        movl %eax, fired_low
        movl %edx, fired_high
        incl timer_count
        movl $0, APIC + APIC_EOI
        popl %edx
        popl %eax
        iret

        .data
        .balign 8
msr_low:                .long 0
msr_high:               .long 0
deadline_low:           .long 0
deadline_high:          .long 0
fired_low:              .long 0
fired_high:             .long 0
timer_count:            .long 0
text_hello:             .asciz "multiboot test kernel: the TSC\n"
name_counts:            .asciz "counts"
name_write:             .asciz "write"
name_rdmsr:             .asciz "rdmsr"
name_backwards:         .asciz "backwards"
name_adjust:            .asciz "tsc_adjust"
name_deadline:          .asciz "deadline"
