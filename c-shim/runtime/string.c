/*
 * memcpy, memmove, memset, memcmp: clang emits calls to them even with -ffreestanding, and wasm2c
 * output calls them for memory.copy, memory.fill and call_indirect's type check.
 * The parentheses around the names keep string.h's builtin macros from expanding here.
 */
#include <string.h>

void *(memcpy)(void *dest, const void *src, size_t n) {
  void *d = dest;
  __asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
  return dest;
}

void *(memmove)(void *dest, const void *src, size_t n) {
  unsigned char *d = dest;
  const unsigned char *s = src;
  if (d <= s || d >= s + n)
    return (memcpy)(dest, src, n);
  /* Overlap with dest above src: copy backwards, from the last byte down. */
  d += n - 1;
  s += n - 1;
  __asm__ volatile("std\n\trep movsb\n\tcld" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
  return dest;
}

void *(memset)(void *dest, int value, size_t n) {
  void *d = dest;
  __asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(value) : "memory");
  return dest;
}

int (memcmp)(const void *a, const void *b, size_t n) {
  const unsigned char *x = a, *y = b;
  for (size_t i = 0; i < n; i++) {
    if (x[i] != y[i])
      return x[i] < y[i] ? -1 : 1;
  }
  return 0;
}
