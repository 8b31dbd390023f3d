#pragma once
void serial_init(void);
void serial_putc(char c);
int serial_getc(void);                  // a received byte, or -1 when none is waiting (polled)
