// outside-ram.S: hostile case: a load from guest-physical 4 MiB, beyond the VM's 2 MiB of RAM and
// in no device's range. There is nothing there: wisp stops the VM (result fault) and runs the next.
#include "case.inc"
        CASE_START
        DIRTY_MEMORY
        movl 0x400000, %eax
        movb $1, %al                    // not reached
        jmp debug_exit
        CASE_DATA
