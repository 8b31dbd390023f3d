// pit-storm.S: hostile case: the PIT's channel 0 at about 18.6 kHz (mode 2, count 64 of its
// 1.193182 MHz; Intel 8254 datasheet), 18 times Linux's fastest tick, through the 8259 (IRQ 0,
// vector 0x30) with interrupts on: an interrupt storm from a device. wisp coalesces the ticks it
// cannot deliver in time and the VM goes on. (At count 2, 600 kHz, an emulated CPU spends all its
// time in the handler, as a real one would: a soak, not a CI case.)
// Checks:
//   1  the handler ran (at least once) while the guest kept running, and the VM gets back out
//   0x80 + n: unexpected exception n
#include "case.inc"

#define PIT_VECTOR          0x30

        CASE_START
        DIRTY_MEMORY
        movl $pit_handler, %eax
        movl $PIT_VECTOR, %ecx
        call interrupt_gate
        // The 8259 pair as a PC BIOS leaves it, the master's base at 0x30 (ICW1-ICW4), IRQ 0 only.
        movb $0x11, %al
        outb %al, $0x20
        movb $PIT_VECTOR, %al
        outb %al, $0x21
        movb $0x04, %al
        outb %al, $0x21
        movb $0x01, %al
        outb %al, $0x21
        movb $0xfe, %al
        outb %al, $0x21
        movb $0x34, %al                 // PIT channel 0, lobyte/hibyte, mode 2
        outb %al, $0x43
        movb $64, %al
        outb %al, $0x40
        xorb %al, %al
        outb %al, $0x40
        sti
        CHECK 1, check_storm, name_storm
        jmp finish

check_storm:
        movl $100000, %ecx
1:      loop 1b
        cli
        movb $0xff, %al                 // mask it again
        outb %al, $0x21
        cmpl $0, pit_count
        je 2f
        cmpl %eax, %eax
        ret
2:      cmpl $0, %esp
        ret

pit_handler:
        incl pit_count
        pushl %eax
        movb $0x20, %al                 // non-specific EOI
        outb %al, $0x20
        popl %eax
        iret

        CASE_DATA
pit_count:           .long 0
name_storm:          .asciz "pit interrupt storm"
