/* Freestanding alloca.h (wasm2c output includes it on non-Windows targets). */
#ifndef WISP_ALLOCA_H
#define WISP_ALLOCA_H
#define alloca(n) __builtin_alloca(n)
#endif
