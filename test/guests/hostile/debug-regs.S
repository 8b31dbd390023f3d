// debug-regs.S: hostile case: the debug registers: an instruction breakpoint in DR0 (DR7 L0,
// R/W0 = 00b, LEN0 = 00b; SDM vol. 3B, 18.2) must raise #DB at that instruction in the guest, with
// DR6.B0 set, and only there. The state-clean VMs of wisp.cfg check that none of it outlives the VM.
// Checks:
//   1  the breakpoint raises #DB at the marked instruction, DR6 bit 0 set
//   0x80 + n: unexpected exception n
#include "case.inc"

#define VECTOR_DB           1
#define DR7_L0              1

        CASE_START
        DIRTY_MEMORY
        movl $idt, %edi
        movl $GATE_INTERRUPT32, %ebx
        movl $db_handler, %eax
        movl $VECTOR_DB, %ecx
        call set_gate32
        CHECK 1, check_breakpoint, name_breakpoint
        jmp finish

check_breakpoint:
        movl $breakpoint, %eax
        movl %eax, %dr0
        movl $DR7_L0, %eax
        movl %eax, %dr7
        nop
breakpoint:
        nop
        xorl %eax, %eax
        movl %eax, %dr7
        cmpl $breakpoint, db_eip
        jne 1f
        testl $1, db_dr6
        jz 1f
        cmpl $1, db_count
1:      ret

// #DB (a fault for an instruction breakpoint): record EIP and DR6, disarm DR7, return to the
// instruction, which then runs.
db_handler:
        pushl %eax
        movl 4(%esp), %eax
        movl %eax, db_eip
        movl %dr6, %eax
        movl %eax, db_dr6
        xorl %eax, %eax
        movl %eax, %dr7
        incl db_count
        popl %eax
        iret

        CASE_DATA
db_eip:              .long 0
db_dr6:              .long 0
db_count:            .long 0
name_breakpoint:     .asciz "instruction breakpoint raises #db"
