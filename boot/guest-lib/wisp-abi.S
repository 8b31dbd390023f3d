// wisp-abi.S: what a guest may ask of wisp: the CPUID signature WISP_SIGNATURE, the hypercall
// numbers HC_* (VMMCALL, function in rax), the exit reasons EXIT_* and STAT_MSR_REFUSED that
// EXIT_STATS counts. They come from out/gen/abi.h, which the build generates from as-src/abi.ts
// (build/abi.ts; the guests are assembled with -I out/gen). docs/architecture.md, "Hypercalls" and
// "Neutral exit record". Mode: all. Clobbers nothing: definitions only.

#ifndef GUEST_LIB_WISP_ABI_S
#define GUEST_LIB_WISP_ABI_S
#include "abi.h"
#endif
