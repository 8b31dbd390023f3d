/* Freestanding string.h: the four functions compilers and wasm2c output call
 * (c-shim/runtime/string.c). The macros keep fixed-size copies inline under -ffreestanding. */
#ifndef WISP_STRING_H
#define WISP_STRING_H

#include <stddef.h>

void *memcpy(void *dest, const void *src, size_t n);
void *memmove(void *dest, const void *src, size_t n);
void *memset(void *dest, int value, size_t n);
int memcmp(const void *a, const void *b, size_t n);

#define memcpy(d, s, n) __builtin_memcpy(d, s, n)
#define memmove(d, s, n) __builtin_memmove(d, s, n)
#define memset(d, v, n) __builtin_memset(d, v, n)
#define memcmp(a, b, n) __builtin_memcmp(a, b, n)

#endif /* WISP_STRING_H */
