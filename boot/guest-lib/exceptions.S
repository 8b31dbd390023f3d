// exceptions.S: handlers for the exceptions a test guest does not expect.
//
// Provides: exception_stubs, 32 stubs 8 bytes apart, one per exception vector 0-31 (stub n at
// exception_stubs + 8 * n), for the guest to put in its IDT or real-mode IVT. Each prints
// "unexpected exception 0x<n>" and ends the VM at once with exit 0x80 + n.
// Mode: GUEST_BITS (16, 32 or 64). Clobbers: does not return. Needs uart.S, print.S and exit.S,
// which it includes.

#ifndef GUEST_LIB_EXCEPTIONS_S
#define GUEST_LIB_EXCEPTIONS_S
#include "width.S"
#include "uart.S"
#include "print.S"
#include "exit.S"

        GUEST_LIB_BEGIN
// One 8-byte stub per exception vector 0-31; each pushes its vector number.
        .balign 8
exception_stubs:
        .set vector, 0
        .rept 32
        .balign 8
        PUSH_IMM $vector
        jmp unexpected_exception
        .set vector, vector + 1
        .endr

unexpected_exception:
        pop rBX                         // the vector the stub pushed
        mov $text_unexpected, rSI
        call puts
        movb %bl, %al
        call put_hex8
        call put_newline
        movb %bl, %al
        orb $0x80, %al
        jmp debug_exit

text_unexpected:     .asciz "unexpected exception 0x"
        GUEST_LIB_END

#endif
