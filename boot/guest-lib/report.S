// report.S: how a test guest reports its checks, and how it ends.
//
// Provides:
//   CHECK code, routine, name   macro: calls routine, which sets ZF = 1 when the check passed, and
//                               reports the result under name (the label of a C string): one console
//                               line "<name> ok" or "FAIL <name>"; the first failed code is kept
//   report                      the same for a result already in ZF: AL = code, rSI = name
//   finish                      (jump to it) prints "all checks passed" or "checks failed, exit code
//                               0x<code>" and ends the VM through the debug-exit port with the first
//                               failed code (0: all passed), so the VM's result is "exit <code>"
// Mode: GUEST_BITS (16, 32 or 64). Clobbers: report and CHECK rSI (and whatever routine clobbers);
// finish does not return. Needs uart.S, print.S and exit.S, which it includes.

#ifndef GUEST_LIB_REPORT_S
#define GUEST_LIB_REPORT_S
#include "width.S"
#include "uart.S"
#include "print.S"
#include "exit.S"

.macro CHECK code, routine, name
        call \routine
        movb $\code, %al
        mov $\name, rSI
        call report
.endm

        GUEST_LIB_BEGIN
// report: the check named by rSI (a C string) passed if ZF = 1; otherwise AL is its code, and
// the first failed code is kept for the exit port.
report:
        jnz 1f
        call puts
        mov $text_ok, rSI
        call puts
        ret
1:      cmpb $0, result
        jne 2f
        movb %al, result
2:      push rSI
        mov $text_fail, rSI
        call puts
        pop rSI
        call puts
        call put_newline
        ret

// finish: summary line, then the result code to the debug-exit port, which ends the VM.
finish:
        cmpb $0, result
        jne 1f
        mov $text_all_passed, rSI
        call puts
        jmp 2f
1:      mov $text_failed_code, rSI
        call puts
        movb result, %al
        call put_hex8
        call put_newline
2:      movb result, %al
        jmp debug_exit

result:              .byte 0
text_ok:             .asciz " ok\n"
text_fail:           .asciz "FAIL "
text_all_passed:     .asciz "all checks passed\n"
text_failed_code:    .asciz "checks failed, exit code 0x"
        GUEST_LIB_END

#endif
