/* Freestanding intrin.h: wasm2c output includes it when _MSC_VER is defined (the UEFI target) and then
 * counts bits with these. Clang implements them as builtins; they only need declaring. */
#ifndef WISP_INTRIN_H
#define WISP_INTRIN_H

unsigned char _BitScanForward(unsigned long *index, unsigned long mask);
unsigned char _BitScanReverse(unsigned long *index, unsigned long mask);
unsigned char _BitScanForward64(unsigned long *index, unsigned long long mask);
unsigned char _BitScanReverse64(unsigned long *index, unsigned long long mask);

#endif /* WISP_INTRIN_H */
