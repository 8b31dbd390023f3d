// COM1, a 16550-compatible UART at I/O port 0x3F8 (PC/AT convention), 115200 8N1, polled.
#include "host/serial.h"
#include "host/cpu.h"

#define COM1 0x3F8                      // PC/AT COM1 base port
#define UART_THR 0                      // 16550 datasheet: transmit holding register (DLAB=0)
#define UART_DLL 0                      // 16550: divisor latch low (DLAB=1)
#define UART_IER 1                      // 16550: interrupt enable; divisor latch high (DLAB=1)
#define UART_FCR 2                      // 16550: FIFO control
#define UART_LCR 3                      // 16550: line control
#define UART_MCR 4                      // 16550: modem control
#define UART_LSR 5                      // 16550: line status
#define LCR_DLAB 0x80                   // 16550: divisor latch access bit
#define LCR_8N1 0x03                    // 16550: 8 data bits, no parity, 1 stop bit
#define FCR_ENABLE_CLEAR 0x07           // 16550: enable FIFOs, clear receive and transmit
#define MCR_DTR_RTS 0x03                // 16550: DTR, RTS
#define LSR_THRE 0x20                   // 16550: transmit holding register empty
#define LSR_DR 0x01                     // 16550: data ready (a received byte in RBR / the FIFO)
#define UART_RBR 0                      // 16550: receiver buffer register (DLAB=0)
#define DIVISOR_115200 1                // 1.8432 MHz / 16 / 115200

void serial_init(void) {
    outb(COM1 + UART_IER, 0);           // no UART interrupts: we poll
    outb(COM1 + UART_LCR, LCR_DLAB);
    outb(COM1 + UART_DLL, DIVISOR_115200);
    outb(COM1 + UART_IER, 0);           // divisor high byte
    outb(COM1 + UART_LCR, LCR_8N1);
    outb(COM1 + UART_FCR, FCR_ENABLE_CLEAR);
    outb(COM1 + UART_MCR, MCR_DTR_RTS);
}

void serial_putc(char c) {
    for (int i = 0; i < 1000000 && !(inb(COM1 + UART_LSR) & LSR_THRE); i++) pause();
    outb(COM1 + UART_THR, (uint8_t)c);
}

int serial_getc(void) {
    if (!(inb(COM1 + UART_LSR) & LSR_DR)) return -1;
    return inb(COM1 + UART_RBR);
}
