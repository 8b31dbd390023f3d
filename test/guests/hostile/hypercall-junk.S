// hypercall-junk.S: hostile case: every hypercall number from 4 to 0xFFF (and all ones), and the
// defined ones with bad arguments: each answers all ones (docs/architecture.md, "Hypercalls") and
// the VM goes on. Checks:
//   1  numbers 4-0xFFF and 0xFFFFFFFF return all ones
//   2  CONSOLE_WRITE with an address beyond RAM, a range at the top of 4 GiB, and 4097 bytes return all ones
//   3  EXIT_STATS with reasons past the statistics return all ones
//   0x80 + n: unexpected exception n
#include "case.inc"

        CASE_START
        DIRTY_MEMORY
        CHECK 1, check_numbers, name_numbers
        CHECK 2, check_console, name_console
        CHECK 3, check_stats, name_stats
        jmp finish

check_numbers:
        movl $4, %esi
1:      movl %esi, %eax
        xorl %ebx, %ebx
        xorl %ecx, %ecx
        vmmcall
        cmpl $0xffffffff, %eax
        jne 2f
        incl %esi
        cmpl $0x1000, %esi
        jb 1b
        movl $0xffffffff, %eax
        vmmcall
        cmpl $0xffffffff, %eax
2:      ret

// ZF = 1 when CONSOLE_WRITE(EBX, ECX) returns all ones
console_refused:
        movl $HC_CONSOLE_WRITE, %eax
        vmmcall
        cmpl $0xffffffff, %eax
        ret

check_console:
        movl $0x400000, %ebx            // beyond the VM's 2 MiB
        movl $16, %ecx
        call console_refused
        jne 1f
        movl $0xfffff800, %ebx          // the top of the 32-bit space
        movl $0x1000, %ecx
        call console_refused
        jne 1f
        movl $DIRTY_FROM, %ebx          // over the 4096-byte limit
        movl $4097, %ecx
        call console_refused
1:      ret

check_stats:
        movl $HC_EXIT_STATS, %eax
        movl $STATS_COUNT, %ebx
        vmmcall
        cmpl $0xffffffff, %eax
        jne 1f
        movl $HC_EXIT_STATS, %eax
        movl $0xffffffff, %ebx
        vmmcall
        cmpl $0xffffffff, %eax
1:      ret

        CASE_DATA
name_numbers:        .asciz "unknown hypercall numbers"
name_console:        .asciz "console_write with bad arguments"
name_stats:          .asciz "exit_stats past the statistics"
