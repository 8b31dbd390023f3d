// state-dirty.S: hostile case, part 1 of 2: state that VM entry does not switch. The guest fills
// what the CPU keeps across VM exits and entries with values a reset CPU never has: XMM0-XMM7,
// MXCSR, the x87 control word and registers, XCR0, CR2, DR0-DR3 and DR6. Then it ends (exit 0).
// The VM after it runs state-clean.S, which must see none of it (test/integration/hostile.test.ts).
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

        movdqu pattern, %xmm0
        movdqu pattern + 4, %xmm1
        movdqu pattern + 8, %xmm2
        movdqu pattern + 12, %xmm3
        movdqu pattern + 16, %xmm4
        movdqu pattern + 20, %xmm5
        movdqu pattern + 24, %xmm6
        movdqu pattern + 28, %xmm7
        ldmxcsr dirty_mxcsr
        fldpi                           // two x87 registers in use: tag word, stack top, contents
        fld1
        fldcw dirty_fcw
        cmpb $0, xsave_present
        je 1f
        movl $CPUID_XSAVE_LEAF, %eax    // XCR0 = x87 | SSE | AVX, as far as the CPU has them
        xorl %ecx, %ecx
        cpuid
        andl $XCR0_X87_SSE_AVX, %eax
        xorl %edx, %edx
        xorl %ecx, %ecx
        xsetbv
1:      movl $0xc2c2c000, %eax
        movl %eax, %cr2
        movl $0xd0d0d000, %eax
        movl %eax, %dr0
        movl $0xd1d1d000, %eax
        movl %eax, %dr1
        movl $0xd2d2d000, %eax
        movl %eax, %dr2
        movl $0xd3d3d000, %eax
        movl %eax, %dr3
        movl $RESET_DR6 | 0xf, %eax     // B0-B3: "breakpoint condition met"
        movl %eax, %dr6

        movl $text_dirtied, %esi
        call puts
        xorl %eax, %eax
        jmp debug_exit

        CPU_STATE_DATA
        .balign 16
pattern:             .ascii "wisp-leak-0123456789abcdefghijklmnopqrstuvwxyz"
dirty_mxcsr:         .long 0x7f80               // RC = round toward zero (SDM vol. 1, 10.2.3)
dirty_fcw:           .word 0x027f               // PC = double precision (SDM vol. 1, 8.1.5)
text_dirtied:        .asciz "left XMM0-7, MXCSR, x87, XCR0, CR2, DR0-3, DR6 dirty\n"
