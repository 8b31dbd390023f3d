// print.S: numbers on the console: put_hex8 (AL as two hex digits), put_decimal (rAX, unsigned,
// in decimal), put_newline. Mode: GUEST_BITS (16, 32 or 64). Clobbers: nothing (flags aside).
// Needs uart.S, which it includes.

#ifndef GUEST_LIB_PRINT_S
#define GUEST_LIB_PRINT_S
#include "width.S"
#include "uart.S"

        GUEST_LIB_BEGIN
// put_hex8: AL as two hex digits.
put_hex8:
        push rAX
        push rBX
        movb %al, %bl
        shrb $4, %al
        call put_hex4
        movb %bl, %al
        call put_hex4
        pop rBX
        pop rAX
        ret
put_hex4:
        andb $0x0f, %al
        addb $'0', %al
        cmpb $'9', %al
        jbe 1f
        addb $'a' - '9' - 1, %al
1:      call putc
        ret

// put_decimal: rAX in decimal, digits produced least significant first on the stack.
put_decimal:
        push rAX
        push rCX
        push rDX
        push rDI
        mov $10, rDI
        xor rCX, rCX
1:      xor rDX, rDX
        div rDI
        push rDX
        inc rCX
        test rAX, rAX
        jnz 1b
2:      pop rAX
        addb $'0', %al
        call putc
        loop 2b
        pop rDI
        pop rDX
        pop rCX
        pop rAX
        ret

// put_newline: "\n".
put_newline:
        push rAX
        movb $'\n', %al
        call putc
        pop rAX
        ret
        GUEST_LIB_END

#endif
