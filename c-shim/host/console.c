#include "host/console.h"
#include "host/serial.h"

void wisp_console_write(const char *s, uint64_t len) {
    for (uint64_t i = 0; i < len; i++) {
        if (s[i] == '\n') serial_putc('\r');
        serial_putc(s[i]);
    }
}

void con_str(const char *s) {
    uint64_t n = 0;
    while (s[n]) n++;
    wisp_console_write(s, n);
}

void con_hex(uint64_t v) {
    char buf[18];
    int i = 18;
    do { buf[--i] = "0123456789abcdef"[v & 15]; v >>= 4; } while (v);
    buf[--i] = 'x';
    buf[--i] = '0';
    wisp_console_write(buf + i, 18 - i);
}

void con_dec(uint64_t v) {
    char buf[20];
    int i = 20;
    do { buf[--i] = (char)('0' + v % 10); v /= 10; } while (v);
    wisp_console_write(buf + i, 20 - i);
}

void con_nl(void) { wisp_console_write("\n", 1); }
