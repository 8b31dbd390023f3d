// sentinel.S: the benign VM that battery.cfg runs after every hostile case: wisp must still serve
// it, and nothing of the case before it may be visible. Checks (the first failed code goes to the
// debug-exit port, 0: all passed):
//   1  its RAM from 1 MiB up reads zero: none of the previous VM's pattern (case.inc) is left
//   2  VMMCALL VERSION answers "wisp": the hypervisor still serves VMs
//   3  its TSC starts near 0 (below 2^40): it does not continue the previous VM's
//   4  CONSOLE_WRITE prints its line
//   0x80 + n: unexpected exception n
#include "case.inc"

        CASE_START
        CHECK 1, check_scrubbed, name_scrubbed
        CHECK 2, check_version, name_version
        CHECK 3, check_tsc, name_tsc
        CHECK 4, check_console, name_console
        jmp finish

check_scrubbed:
        movl $DIRTY_FROM, %edi
        movl $(DIRTY_TO - DIRTY_FROM) / 4, %ecx
        xorl %eax, %eax
        repe scasl                      // ZF = 1 when every dword was 0
        ret

check_version:
        movl $HC_VERSION, %eax
        xorl %ebx, %ebx
        vmmcall
        cmpl $WISP_SIGNATURE, %ebx
        ret

check_tsc:
        rdtsc
        cmpl $0x100, %edx
        jae 1f
        cmpl %eax, %eax
        ret
1:      cmpl $0, %esp
        ret

check_console:
        movl $HC_CONSOLE_WRITE, %eax
        movl $text_served, %ebx
        movl $text_served_end - text_served, %ecx
        vmmcall
        cmpl $text_served_end - text_served, %eax
        ret

        CASE_DATA
text_served:         .ascii "served after a hostile VM\n"
text_served_end:
name_scrubbed:       .asciz "memory scrubbed"
name_version:        .asciz "hypervisor serves"
name_tsc:            .asciz "tsc starts at 0"
name_console:        .asciz "console write"
