// width.S: how the guest library is assembled for the guest's operating mode. Included by every
// other library file; a guest never needs to include it itself.
//
// Mode: all. A guest defines GUEST_BITS (16, 32 or 64: the mode its checks and printing run in)
// before it includes any library file. Clobbers nothing: definitions only.
//
// Library code goes between GUEST_LIB_BEGIN and GUEST_LIB_END, into subsection 1 of .text, which the
// assembler places after all of the guest's own code and data (subsection 0), whatever the order of
// the #includes: the guest's `start` stays the first byte of its image, at the load address 0x1000.
// GUEST_LIB_BEGIN switches the assembler to the guest's mode, so a guest states its entry mode
// (.code16, .code32) after its #includes. Library code uses absolute addresses (the guests are linked
// at 0x1000 and run identity-mapped), so one source serves every mode.
//
// Register names, as the AMD APM writes rAX for "AX, EAX or RAX, by operand size":
//   rAX, rBX, rCX, rDX, rSI, rDI, rSP   the registers of the mode's operand and address size: what
//                                       PUSH, POP, CALL, LODSB and LOOP use
//   wAX, wBX, wCX, wDX                  the widest registers the mode has: EAX... in real and
//                                       protected mode (with an operand-size prefix in real mode),
//                                       RAX... in long mode
//   PUSH_IMM                            PUSH of an immediate at the mode's operand size

#ifndef GUEST_LIB_WIDTH_S
#define GUEST_LIB_WIDTH_S

#if !defined(GUEST_BITS)
#error "define GUEST_BITS (16, 32 or 64) before including the guest library"
#elif GUEST_BITS == 16
#define GUEST_CODE  .code16
#define rAX %ax
#define rBX %bx
#define rCX %cx
#define rDX %dx
#define rSI %si
#define rDI %di
#define rSP %sp
#define wAX %eax
#define wBX %ebx
#define wCX %ecx
#define wDX %edx
#define PUSH_IMM pushw
#elif GUEST_BITS == 32
#define GUEST_CODE  .code32
#define rAX %eax
#define rBX %ebx
#define rCX %ecx
#define rDX %edx
#define rSI %esi
#define rDI %edi
#define rSP %esp
#define wAX %eax
#define wBX %ebx
#define wCX %ecx
#define wDX %edx
#define PUSH_IMM pushl
#elif GUEST_BITS == 64
#define GUEST_CODE  .code64
#define rAX %rax
#define rBX %rbx
#define rCX %rcx
#define rDX %rdx
#define rSI %rsi
#define rDI %rdi
#define rSP %rsp
#define wAX %rax
#define wBX %rbx
#define wCX %rcx
#define wDX %rdx
#define PUSH_IMM pushq
#else
#error "GUEST_BITS must be 16, 32 or 64"
#endif

#define GUEST_LIB_BEGIN     .pushsection .text, 1; GUEST_CODE
#define GUEST_LIB_END       .popsection

#endif
