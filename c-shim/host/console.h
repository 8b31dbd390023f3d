// The host console (COM1): plain text, no formatting engine.
#pragma once
#include <stdint.h>

void wisp_console_write(const char *s, uint64_t len);   // also used by the wasm2c runtime
void con_str(const char *s);
void con_hex(uint64_t v);                                // 0x-prefixed, no leading zeros
void con_dec(uint64_t v);
void con_nl(void);
