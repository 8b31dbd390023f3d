// uart.S: console output on COM1, a PC16550D UART at 0x3f8 (wisp's device model for every VM).
//
// Provides: the UART register constants; putc (AL), puts (the C string at rSI). Each waits, bounded,
// for the line status register to report the transmit register empty before each byte, so a broken
// LSR model cannot hang the guest (the output then shows it). Mode: GUEST_BITS (16, 32 or 64;
// in real mode the strings are at DS:SI). Clobbers: nothing (flags aside).

#ifndef GUEST_LIB_UART_S
#define GUEST_LIB_UART_S
#include "width.S"

#define UART_THR            0x3f8
#define UART_LSR            0x3fd       // PC16550D datasheet, Table II: line status register
#define LSR_THR_EMPTY       0x20        // LSR bit 5
#define LSR_TEMT            0x40        // LSR bit 6
// Polls of LSR before a byte goes out regardless. Large: under plain QEMU on a loaded host the
// transmit register stays full while QEMU's stdio waits for its reader, and 1000 polls dropped
// bytes there. A working UART answers the first poll.
#define PUTC_POLLS          1000000

        GUEST_LIB_BEGIN
// putc: AL to the UART once LSR reports the transmit register empty (bounded wait).
putc:
        push rAX
        push rCX
        push rDX
        movb %al, %ah
        movw $UART_LSR, %dx
        mov $PUTC_POLLS, rCX
1:      inb %dx, %al
        testb $LSR_THR_EMPTY, %al
        jnz 2f
        loop 1b
2:      movb %ah, %al
        movw $UART_THR, %dx
        outb %al, %dx
        pop rDX
        pop rCX
        pop rAX
        ret

// puts: the C string at rSI.
puts:
        push rAX
        push rSI
1:      lodsb
        testb %al, %al
        jz 2f
        call putc
        jmp 1b
2:      pop rSI
        pop rAX
        ret
        GUEST_LIB_END

#endif
