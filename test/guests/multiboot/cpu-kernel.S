// cpu-kernel.S: what the CPU model's test kernels (msr.S, tsc.S, nmi.S) share: the Multiboot
// header, the guest library, the entry, an IDT and the two ways a check routine ends.
//
// Provides: KERNEL_START (macro: the entry `start`, 32-bit protected mode with the library's flat
// GDT, interrupts off); setup_idt (every exception vector 0-31 to the library's stubs, which end the
// VM with exit 0x80 + n, and the IDT loaded); set_gate (gate ECX -> handler EAX, a ring-0 interrupt
// gate; after setup_idt); pass and fail (jump to them from a check routine: ZF = 1 or ZF = 0, then
// return). Mode: 32-bit. Clobbers: setup_idt and set_gate EAX, EBX, ECX, EDI.

#ifndef CPU_KERNEL_S
#define CPU_KERNEL_S
#define GUEST_BITS 32
#include "header.S"
#include "x86.S"
#include "report.S"
#include "exceptions.S"
#include "flat32.S"

.macro KERNEL_START
        .text
        .code32
        .globl start
start:
        cli
        cld
        ENTER_FLAT32
        call setup_idt
.endm

        GUEST_LIB_BEGIN
setup_idt:
        xorl %ecx, %ecx
1:      leal exception_stubs(, %ecx, 8), %eax
        call set_gate
        incl %ecx
        cmpl $32, %ecx
        jb 1b
        lidt idt_pointer
        ret

set_gate:
        movl $idt, %edi
        movl $GATE_INTERRUPT32, %ebx
        jmp set_gate32

pass:   cmpl %eax, %eax                 // ZF = 1
        ret
fail:   cmpl $0, %esp                   // ZF = 0
        ret

        .balign 8
idt:                    .fill 256, 8, 0
idt_pointer:            .word 256 * 8 - 1
                        .long idt
        GUEST_LIB_END
#endif
