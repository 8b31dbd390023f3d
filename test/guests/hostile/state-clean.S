// state-clean.S: hostile case, part 2 of 2 (after state-dirty.S, and as the first VM after the
// firmware): the CPU state that VM entry does not switch must be what a reset CPU has, whatever
// ran before (host/cpu_reset.c). Every check prints "<check> ok" or "FAIL <check>"; the first
// failed code goes to the debug-exit port (0: all passed):
//   1  x87: FCW 037Fh, FSW 0, every register empty (abridged tag word 0), FOP 0
//   2  x87 registers ST0-ST7 all zero
//   3  MXCSR 1F80h
//   4  XMM0-XMM7 all zero
//   5  XCR0 = 1 (x87 only), where the CPU has XSAVE
//   6  CR2 = 0
//   7  DR0-DR3 = 0
//   8  DR6 = FFFF0FF0h, DR7 = 400h
//   0x80 + n: unexpected exception n
//
// Memory: image at 0x1000, stack below 0x80000 (the VM has 2 MiB).

#define GUEST_BITS          32
#include "layout.S"
#include "x86.S"
#include "report.S"
#include "exceptions.S"
#include "flat32.S"
#include "cpu-state.inc"

        GUEST_START .code32
        ENTER_FLAT32
        INSTALL_IDT
        ENABLE_SSE
        fxsave fxsave_area              // before anything here touches x87 or SSE state

        CHECK 1, check_x87_control, name_x87_control
        CHECK 2, check_x87_registers, name_x87_registers
        CHECK 3, check_mxcsr, name_mxcsr
        CHECK 4, check_xmm, name_xmm
        CHECK 5, check_xcr0, name_xcr0
        CHECK 6, check_cr2, name_cr2
        CHECK 7, check_dr0_3, name_dr0_3
        CHECK 8, check_dr6_7, name_dr6_7
        jmp finish

check_x87_control:
        cmpw $RESET_FCW, fxsave_area + FXSAVE_FCW
        jne 1f
        cmpw $0, fxsave_area + FXSAVE_FSW
        jne 1f
        cmpb $0, fxsave_area + FXSAVE_FTW
        jne 1f
        cmpw $0, fxsave_area + FXSAVE_FOP
1:      ret

// all_zero: ZF = 1 when the ECX bytes at ESI are all zero.
all_zero:
        xorl %eax, %eax
1:      orb (%esi), %al
        incl %esi
        loop 1b
        testb %al, %al
        ret

check_x87_registers:
        movl $fxsave_area + FXSAVE_ST0, %esi
        movl $8 * 16, %ecx
        jmp all_zero

check_mxcsr:
        cmpl $RESET_MXCSR, fxsave_area + FXSAVE_MXCSR
        ret

check_xmm:
        movl $fxsave_area + FXSAVE_XMM0, %esi
        movl $8 * 16, %ecx
        jmp all_zero

check_xcr0:
        cmpb $0, xsave_present
        je 1f                           // no XSAVE: no XCR0 to leak (ZF = 1)
        xorl %ecx, %ecx
        xgetbv
        cmpl $1, %eax
        jne 1f
        testl %edx, %edx
1:      ret

check_cr2:
        movl %cr2, %eax
        testl %eax, %eax
        ret

check_dr0_3:
        movl %dr0, %eax
        movl %dr1, %ebx
        orl %ebx, %eax
        movl %dr2, %ebx
        orl %ebx, %eax
        movl %dr3, %ebx
        orl %ebx, %eax
        ret

check_dr6_7:
        movl %dr6, %eax
        cmpl $RESET_DR6, %eax
        jne 1f
        movl %dr7, %eax
        cmpl $RESET_DR7, %eax
1:      ret

        CPU_STATE_DATA
        .balign 16
// Zero before FXSAVE: QEMU's FXSAVE stores neither FOP nor the six unused bytes of each ST slot
// (it leaves memory as it was), so a fill pattern there would read as stale state.
fxsave_area:         .fill 512, 1, 0
name_x87_control:    .asciz "x87 control, status and tags at reset"
name_x87_registers:  .asciz "x87 registers zero"
name_mxcsr:          .asciz "mxcsr at reset"
name_xmm:            .asciz "xmm0-7 zero"
name_xcr0:           .asciz "xcr0 at reset"
name_cr2:            .asciz "cr2 zero"
name_dr0_3:          .asciz "dr0-3 zero"
name_dr6_7:          .asciz "dr6 and dr7 at reset"
