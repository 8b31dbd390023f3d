// unmapped.S: writes to a guest-physical address beyond the VM's memory. Entry mode protected32
// with paging off, so the linear address is the guest-physical address; the VM has 2 MiB, and
// 0x1F000000 (496 MiB) has no nested-page-table mapping. wisp must stop this VM with result
// FAULT and go on with the next one.
//
// It prints "writing beyond guest memory" first so the test can see it got that far. If the
// write somehow completes, it says so and ends with exit 1 (not the expected fault).

#define GUEST_BITS          32
#include "layout.S"
#include "exit.S"
#include "uart.S"

#define BEYOND_MEMORY       0x1f000000

        GUEST_START .code32
        movl $STACK_TOP, %esp           // the entry segments are flat: no GDT of its own needed
        movl $text_before, %esi
        call puts
        movl $0x5a5a5a5a, BEYOND_MEMORY
        movl $text_after, %esi
        call puts
        movb $1, %al
        jmp debug_exit

text_before:    .asciz "writing beyond guest memory\n"
text_after:     .asciz "FAIL write beyond guest memory completed\n"
