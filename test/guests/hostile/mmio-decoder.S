// mmio-decoder.S: hostile case: local APIC register accesses in encodings the core's MMIO decoder
// must get right (the nested page fault gives only the address; the core fetches and decodes the
// instruction itself, as-src/x86/). The task-priority register (TPR, 0xFEE00080, bits 7:0) is the
// target. Checks:
//   1  a load with an ES override reads the TPR written just before
//   2  a 16-bit load (66h prefix) reads its low half
//   3  LOCK OR on it (a read-modify-write, which LOCK allows) sets the bits
//   4  XCHG with it swaps the register and the TPR
//   5  LOCK on a plain MOV to it raises #UD (SDM vol. 2A, LOCK), before any access
//   6  a load whose instruction crosses a page boundary (its bytes at 0x2FFE-0x3002) reads the TPR
//   0x80 + n: unexpected exception n
#include "case.inc"

#define TPR                 0xfee00080

        CASE_START
        DIRTY_MEMORY
        movl $0x1ff, 0xfee000f0         // SVR: software-enabled
        CHECK 1, check_segment, name_segment
        CHECK 2, check_word, name_word
        CHECK 3, check_lock_or, name_lock_or
        CHECK 4, check_xchg, name_xchg
        CHECK 5, check_bad_lock, name_bad_lock
        CHECK 6, check_crossing, name_crossing
        jmp finish

check_segment:
        movl $0x20, TPR
        movl %es:TPR, %eax
        cmpl $0x20, %eax
        ret

check_word:
        movl $0x30, TPR
        movl $0xffffffff, %eax
        movw TPR, %ax
        cmpl $0xffff0030, %eax
        ret

check_lock_or:
        movl $0x40, TPR
        lock orl $0x05, TPR
        cmpl $0x45, TPR
        ret

check_xchg:
        movl $0x50, TPR
        movl $0x60, %eax
        xchgl %eax, TPR
        cmpl $0x50, %eax
        jne 1f
        cmpl $0x60, TPR
1:      ret

check_bad_lock:
        // lock movl $0x70, TPR: F0, C7 /0 with ModRM 05 (disp32), disp32 0xFEE00080, imm32 0x70
        EXPECT_FAULT VECTOR_UD, .byte 0xf0, 0xc7, 0x05, 0x80, 0x00, 0xe0, 0xfe, 0x70, 0x00, 0x00, 0x00
        ret

check_crossing:
        movl $0x10, TPR
        xorl %eax, %eax
        jmp crossing
crossing_back:
        cmpl $0x10, %eax
        ret

        CASE_DATA
name_segment:        .asciz "es override"
name_word:           .asciz "16-bit load"
name_lock_or:        .asciz "lock or"
name_xchg:           .asciz "xchg"
name_bad_lock:       .asciz "lock mov raises #ud"
name_crossing:       .asciz "instruction across a page"

// The load, 5 bytes (A1 moffs32), from 0x2FFE: the image starts at 0x1000.
        .org 0x2ffe - 0x1000
crossing:
        movl TPR, %eax
        jmp crossing_back
