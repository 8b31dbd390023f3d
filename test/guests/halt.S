// halt.S: HLT with interrupts disabled, which can never resume: wisp ends the VM with result
// HALT. Entry mode protected32. Should HLT return anyway, it says so and ends with exit 1.

#define GUEST_BITS          32
#include "layout.S"
#include "exit.S"
#include "uart.S"

        GUEST_START .code32
        movl $STACK_TOP, %esp
        movl $text_before, %esi
        call puts
        cli                             // RFLAGS.IF = 0: nothing may wake the HLT
        hlt
        movl $text_after, %esi
        call puts
        movb $1, %al
        outb %al, $DEBUG_EXIT_PORT
1:      jmp 1b                          // not debug_exit: its HLT would end the VM as this test expects

text_before:    .asciz "halting with interrupts off\n"
text_after:     .asciz "FAIL hlt returned\n"
