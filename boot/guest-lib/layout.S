// layout.S: where things are in every guest, and its entry point.
//
// Provides:
//   the memory layout: the image at 0x1000 (build/guests.ts links it there; each configuration
//   says load = entry = 0x1000); STACK_TOP, the stack below 0x80000 in protected and long mode;
//   REAL_MODE_STACK_TOP, below 0xF000 in real mode (inside segment 0); the long-mode page tables
//   at 0x10000-0x12FFF (long-mode.S). The VMs have 2 MiB.
//   GUEST_START mode (macro; mode is .code16 or .code32, the configuration's entry mode): the entry
//   point `start`, the first byte of the image, which begins with interrupts off (no interrupt is
//   expected: one would fail loudly) and the direction flag clear.
// Mode: all. Clobbers nothing (GUEST_START: RFLAGS.IF and DF).

#ifndef GUEST_LIB_LAYOUT_S
#define GUEST_LIB_LAYOUT_S

#define STACK_TOP           0x80000
#define REAL_MODE_STACK_TOP 0xf000

.macro GUEST_START mode
        .text
        .globl start
        \mode
start:
        cli
        cld
.endm

#endif
