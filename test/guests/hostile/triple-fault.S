// triple-fault.S: hostile case: an exception with an empty IDT (limit 0): #GP while delivering
// #BP, then #DF, then shutdown. The VM ends with result shutdown; the machine goes on.
#include "case.inc"
        CASE_START
        DIRTY_MEMORY
        lidt empty_idt
        int3
        movb $1, %al                    // not reached
        jmp debug_exit
        CASE_DATA
empty_idt:
        .word 0
        .long 0
