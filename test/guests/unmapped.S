// unmapped.S: writes to a guest-physical address beyond the VM's memory. Entry mode protected32
// with paging off, so the linear address is the guest-physical address; the VM has 2 MiB, and
// 0x1F000000 (496 MiB) has no nested-page-table mapping. wisp must stop this VM with result
// FAULT and go on with the next one.
//
// It prints "writing beyond guest memory" first so the test can see it got that far. If the
// write somehow completes, it says so and ends with exit 1 (not the expected fault).

        .code32
        .text
        .globl start

#define UART_THR            0x3f8
#define UART_LSR            0x3fd       // PC16550D datasheet, Table II: line status register
#define LSR_THR_EMPTY       0x20        // LSR bit 5
#define DEBUG_EXIT_PORT     0xf4
#define BEYOND_MEMORY       0x1f000000
#define STACK_TOP           0x80000

start:
        cli
        cld
        movl $STACK_TOP, %esp           // the entry segments are flat: no GDT of its own needed
        movl $text_before, %esi
        call puts
        movl $0x5a5a5a5a, BEYOND_MEMORY
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

text_before:    .asciz "writing beyond guest memory\n"
text_after:     .asciz "FAIL write beyond guest memory completed\n"
