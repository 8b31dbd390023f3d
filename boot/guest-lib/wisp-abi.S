// wisp-abi.S: what a guest may ask of wisp: the CPUID signature, the hypercall numbers (VMMCALL,
// function in rax), the exit reasons EXIT_STATS counts. docs/architecture.md, "Hypercalls" and
// "Neutral exit record". Mode: all. Clobbers nothing: definitions only.

#ifndef GUEST_LIB_WISP_ABI_S
#define GUEST_LIB_WISP_ABI_S

#define SIGNATURE           0x70736977  // "wisp" as a little-endian u32 (CPUID 0x40000000, VERSION)
#define HC_VERSION          0
#define HC_CONSOLE_WRITE    1
#define HC_EXIT_STATS       2
#define HC_TEST_TRAP        0x7e57      // test builds only
#define EXIT_REASON_CPUID   1
#define EXIT_REASON_WBINVD  14
#define EXIT_REASON_NMI_WINDOW 15
#define STAT_MSR_REFUSED    16          // EXIT_STATS slot after the reasons: MSR accesses refused with #GP

#endif
