/*
 * wisp_setjmp / wisp_longjmp / wisp_halt (prototypes and use: trap.h).
 *
 * Hand-written because clang's __builtin_setjmp restores rbp wrongly on x86_64-windows (a #GP under
 * OVMF). One file serves both calling conventions; the preprocessor picks the registers:
 *   Microsoft x64 (UEFI, _WIN32): args rcx, rdx; callee-saved rbx rbp rdi rsi r12-r15 (+ xmm6-15,
 *     which the host never touches: it is built with -mgeneral-regs-only).
 *   System V (Linux host build): args rdi, rsi; callee-saved rbx rbp r12-r15.
 * Slots of wisp_trap_point.regs: 0 rbx, 1 rbp, 2 r12, 3 r13, 4 r14, 5 r15, 6 rsp, 7 rip, 8 rdi, 9 rsi.
 */
#ifdef _WIN32
#define POINT %rcx
#define VALUE %edx
#define SCRATCH %rdx
#else
#define POINT %rdi
#define VALUE %esi
#define SCRATCH %rsi
#endif

  .text
  .globl wisp_setjmp
  .p2align 4
wisp_setjmp:
  movq %rbx, 0(POINT)
  movq %rbp, 8(POINT)
  movq %r12, 16(POINT)
  movq %r13, 24(POINT)
  movq %r14, 32(POINT)
  movq %r15, 40(POINT)
  leaq 8(%rsp), SCRATCH          /* the caller's rsp once this call has returned */
  movq SCRATCH, 48(POINT)
  movq (%rsp), SCRATCH           /* return address */
  movq SCRATCH, 56(POINT)
#ifdef _WIN32
  movq %rdi, 64(POINT)
  movq %rsi, 72(POINT)
#endif
  xorl %eax, %eax
  ret

  .globl wisp_longjmp
  .p2align 4
wisp_longjmp:
  movl VALUE, %eax
  testl %eax, %eax               /* setjmp's second return must differ from its first */
  jnz 1f
  incl %eax
1:
  movq 0(POINT), %rbx
  movq 8(POINT), %rbp
  movq 16(POINT), %r12
  movq 24(POINT), %r13
  movq 32(POINT), %r14
  movq 40(POINT), %r15
#ifdef _WIN32
  movq 64(POINT), %rdi
  movq 72(POINT), %rsi
#endif
  movq 48(POINT), %rsp
  jmpq *56(POINT)

  .globl wisp_halt
  .p2align 4
wisp_halt:
#ifdef _WIN32
  cli
2:
  hlt
  jmp 2b
#else
  ud2                            /* host build: SIGILL ends the process loudly */
#endif

#ifndef _WIN32
  .section .note.GNU-stack,"",@progbits
#endif
