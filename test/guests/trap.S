// trap.S: calls the test-build-only hypercall TEST_TRAP (rax = 0x7E57), for which the core makes
// an out-of-bounds access in its own Wasm instance. The instance traps; wisp must report it,
// end this VM with result TRAP and go on with the next VM. Entry mode protected32.
// Should the VMMCALL return, it says so and ends with exit 1.

        .code32
        .text
        .globl start

#define UART_THR            0x3f8
#define UART_LSR            0x3fd       // PC16550D datasheet, Table II: line status register
#define LSR_THR_EMPTY       0x20        // LSR bit 5
#define DEBUG_EXIT_PORT     0xf4
#define HC_TEST_TRAP        0x7e57      // docs/architecture.md, "Hypercalls"
#define STACK_TOP           0x80000

start:
        cli
        cld
        movl $STACK_TOP, %esp
        movl $text_before, %esi
        call puts
        movl $HC_TEST_TRAP, %eax
        vmmcall
        movl $text_after, %esi
        call puts
        movb $1, %al
        outb %al, $DEBUG_EXIT_PORT
1:      hlt
        jmp 1b

// puts: the C string at ESI to the UART, waiting (bounded) for LSR THR empty before each byte.
puts:
1:      lodsb
        testb %al, %al
        jz 4f
        movb %al, %ah
        movw $UART_LSR, %dx
        movl $1000, %ecx
2:      inb %dx, %al
        testb $LSR_THR_EMPTY, %al
        jnz 3f
        loop 2b
3:      movb %ah, %al
        movw $UART_THR, %dx
        outb %al, %dx
        jmp 1b
4:      ret

text_before:    .asciz "calling TEST_TRAP\n"
text_after:     .asciz "FAIL TEST_TRAP returned\n"
