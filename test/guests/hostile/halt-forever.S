// halt-forever.S: hostile case: HLT with interrupts off, which nothing can end (no NMI comes).
// wisp ends the VM (result halt) rather than keep the CPU, and runs the next.
#include "case.inc"
        CASE_START
        DIRTY_MEMORY
        cli
1:      hlt
        jmp 1b
        CASE_DATA
