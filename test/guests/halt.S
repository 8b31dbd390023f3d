// halt.S: HLT with interrupts disabled, which can never resume: wisp ends the VM with result
// HALT. Entry mode protected32. Should HLT return anyway, it says so and ends with exit 1.

        .code32
        .text
        .globl start

#define UART_THR            0x3f8
#define UART_LSR            0x3fd       // PC16550D datasheet, Table II: line status register
#define LSR_THR_EMPTY       0x20        // LSR bit 5
#define DEBUG_EXIT_PORT     0xf4
#define STACK_TOP           0x80000

start:
        cli
        cld
        movl $STACK_TOP, %esp
        movl $text_before, %esi
        call puts
        cli                             // RFLAGS.IF = 0: nothing may wake the HLT
        hlt
        movl $text_after, %esi
        call puts
        movb $1, %al
        outb %al, $DEBUG_EXIT_PORT
1:      jmp 1b

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

text_before:    .asciz "halting with interrupts off\n"
text_after:     .asciz "FAIL hlt returned\n"
