/* Freestanding malloc.h: wasm2c output includes it on Windows targets (x86_64-unknown-windows defines
 * _MSC_VER) for _alloca, and then defines alloca as _alloca. No malloc: see wisp_alloc. */
#ifndef WISP_MALLOC_H
#define WISP_MALLOC_H
#define _alloca(n) __builtin_alloca(n)
#endif
