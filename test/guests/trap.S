// trap.S: calls the test-build-only hypercall TEST_TRAP (rax = 0x7E57), for which the core makes
// an out-of-bounds access in its own Wasm instance. The instance traps; wisp must report it,
// end this VM with result TRAP and go on with the next VM. Entry mode protected32.
// Should the VMMCALL return, it says so and ends with exit 1.

#define GUEST_BITS          32
#include "layout.S"
#include "exit.S"
#include "uart.S"
#include "wisp-abi.S"

        GUEST_START .code32
        movl $STACK_TOP, %esp
        movl $text_before, %esi
        call puts
        movl $HC_TEST_TRAP, %eax
        vmmcall
        movl $text_after, %esi
        call puts
        movb $1, %al
        jmp debug_exit

text_before:    .asciz "calling TEST_TRAP\n"
text_after:     .asciz "FAIL TEST_TRAP returned\n"
