// Interrupt entry stubs: push a uniform frame (struct isr_frame, host/idt.h) and call isr_dispatch
// (Microsoft x64 calling convention: argument in rcx, 32 bytes of shadow space, rsp 16-aligned).

    .text
.macro STUB name, vector, has_error
    .globl \name
\name:
    .if \has_error == 0
    pushq $0
    .endif
    pushq $\vector
    jmp isr_common
.endm

isr_common:
    pushq %rax
    pushq %rcx
    pushq %rdx
    pushq %rbx
    pushq %rbp
    pushq %rsi
    pushq %rdi
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, %rcx
    movq %rsp, %rbx
    andq $-16, %rsp
    subq $32, %rsp
    cld
    call isr_dispatch
    movq %rbx, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %r11
    popq %r10
    popq %r9
    popq %r8
    popq %rdi
    popq %rsi
    popq %rbp
    popq %rbx
    popq %rdx
    popq %rcx
    popq %rax
    addq $16, %rsp
    iretq

// Vectors that push an error code: 8, 10-14, 17, 21, 29, 30 (Intel SDM vol. 3A, 6.15; APM vol. 2, 8.2)
    STUB isr_0, 0, 0
    STUB isr_1, 1, 0
    STUB isr_2, 2, 0
    STUB isr_3, 3, 0
    STUB isr_4, 4, 0
    STUB isr_5, 5, 0
    STUB isr_6, 6, 0
    STUB isr_7, 7, 0
    STUB isr_8, 8, 1
    STUB isr_9, 9, 0
    STUB isr_10, 10, 1
    STUB isr_11, 11, 1
    STUB isr_12, 12, 1
    STUB isr_13, 13, 1
    STUB isr_14, 14, 1
    STUB isr_15, 15, 0
    STUB isr_16, 16, 0
    STUB isr_17, 17, 1
    STUB isr_18, 18, 0
    STUB isr_19, 19, 0
    STUB isr_20, 20, 0
    STUB isr_21, 21, 1
    STUB isr_22, 22, 0
    STUB isr_23, 23, 0
    STUB isr_24, 24, 0
    STUB isr_25, 25, 0
    STUB isr_26, 26, 0
    STUB isr_27, 27, 0
    STUB isr_28, 28, 0
    STUB isr_29, 29, 1
    STUB isr_30, 30, 1
    STUB isr_31, 31, 0
    STUB isr_timer, 0x20, 0
    STUB isr_spurious, 0xFF, 0

    .data
    .globl isr_exception_table
    .p2align 3
isr_exception_table:
    .quad isr_0, isr_1, isr_2, isr_3, isr_4, isr_5, isr_6, isr_7
    .quad isr_8, isr_9, isr_10, isr_11, isr_12, isr_13, isr_14, isr_15
    .quad isr_16, isr_17, isr_18, isr_19, isr_20, isr_21, isr_22, isr_23
    .quad isr_24, isr_25, isr_26, isr_27, isr_28, isr_29, isr_30, isr_31
