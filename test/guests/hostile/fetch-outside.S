// fetch-outside.S: hostile case: a jump to guest-physical 6 MiB, beyond the VM's RAM: the
// instruction fetch finds nothing; wisp stops the VM (result fault).
#include "case.inc"
        CASE_START
        DIRTY_MEMORY
        movl $0x600000, %eax
        jmp *%eax
        CASE_DATA
