// long-mode.S: the switch from protected mode to 64-bit long mode (SDM vol. 3, 10.8.5 "Initializing
// IA-32e Mode"): 4-level page tables identity-mapping the first 2 MiB with one large page, CR4.PAE,
// CR3, EFER.LME (WRMSR, which wisp intercepts and emulates), CR0.PG, and a far jump to the 64-bit
// code segment.
//
// Provides: the macro ENTER_LONG_MODE, for a guest's entry point in protected mode (after
// GUEST_START .code32, layout.S; the configuration's mode protected32, paging off). It starts with
// ENTER_FLAT32 (flat32.S) and ends in 64-bit mode with RSP = STACK_TOP, leaving the assembler in
// .code64: the code after it runs in long mode. The page tables take 0x10000-0x12FFF of guest memory, which is not assumed to be zero.
// Mode: 32-bit protected mode in, 64-bit mode out. Clobbers: RAX, RCX, RDX, RDI.

#ifndef GUEST_LIB_LONG_MODE_S
#define GUEST_LIB_LONG_MODE_S
#include "x86.S"
#include "flat32.S"

#define LONG_MODE_PML4      0x10000
#define LONG_MODE_PDPT      0x11000
#define LONG_MODE_PD        0x12000

.macro ENTER_LONG_MODE
        ENTER_FLAT32

        movl $LONG_MODE_PML4, %edi
        xorl %eax, %eax
        movl $3 * 4096 / 4, %ecx
        rep stosl
        movl $LONG_MODE_PDPT | PTE_P | PTE_RW, LONG_MODE_PML4
        movl $LONG_MODE_PD | PTE_P | PTE_RW, LONG_MODE_PDPT
        movl $0 | PTE_P | PTE_RW | PDE_PS, LONG_MODE_PD       // 0-2 MiB, identity

        // PAE, then CR3, then EFER.LME, then CR0.PG activates long mode.
        movl %cr4, %eax
        orl $CR4_PAE, %eax
        movl %eax, %cr4
        movl $LONG_MODE_PML4, %eax
        movl %eax, %cr3
        movl $MSR_EFER, %ecx
        rdmsr
        orl $EFER_LME, %eax
        wrmsr
        movl %cr0, %eax
        orl $CR0_PG, %eax
        movl %eax, %cr0
        ljmp $CODE64_SELECTOR, $2f

        .code64
2:      movq $STACK_TOP, %rsp
.endm

#endif
