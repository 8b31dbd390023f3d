// The I/O bitmaps (25.6.4), the MSR bitmap (25.6.9) and the MSR lists VM entry and exit switch
// (25.7.2, 25.8.2).
#include "vmx/vmx.h"
#include "host/alloc.h"
#include "host/cpu.h"

#define IO_BITMAPS_BYTES (8 * 1024)             // A (ports 0-0x7FFF) and B (0x8000-0xFFFF), 4 KiB each
#define MSR_BITMAP_BYTES 4096                   // read low, read high, write low, write high: 1 KiB each
#define MSR_BITMAP_WRITE 2048                   // offset of the write bitmaps
#define MSR_HIGH_BASE 0xC0000000u               // the "high" MSRs C0000000H-C0001FFFH

static void fill(uint8_t *p, uint64_t n, uint8_t v) {
    for (uint64_t i = 0; i < n; i++) ((volatile uint8_t *)p)[i] = v;
}

uint8_t *io_bitmaps_create(void) {
    uint8_t *p = wisp_alloc(IO_BITMAPS_BYTES, 4096);
    if (p) fill(p, IO_BITMAPS_BYTES, 0xFF);     // every port exits
    return p;
}

// The same set SVM passes through (svm/permission_maps.c). FS/GS base and SYSENTER_* are VMCS
// guest-state fields (25.4.1); the five syscall MSRs below are switched by the MSR lists.
// EFER and PAT stay intercepted: the core emulates them.
static const uint32_t passthrough[] = {
    0x00000174,                                 // IA32_SYSENTER_CS  (SDM vol. 4, Table 2-2)
    0x00000175,                                 // IA32_SYSENTER_ESP
    0x00000176,                                 // IA32_SYSENTER_EIP
    0xC0000081,                                 // IA32_STAR
    0xC0000082,                                 // IA32_LSTAR
    0xC0000083,                                 // IA32_CSTAR (AMD; no effect on Intel)
    0xC0000084,                                 // IA32_FMASK
    0xC0000100,                                 // IA32_FS_BASE
    0xC0000101,                                 // IA32_GS_BASE
    0xC0000102,                                 // IA32_KERNEL_GS_BASE
};

uint8_t *msr_bitmap_create(void) {
    uint8_t *p = wisp_alloc(MSR_BITMAP_BYTES, 4096);
    if (!p) return 0;
    fill(p, MSR_BITMAP_BYTES, 0xFF);            // every read and write exits
    for (unsigned i = 0; i < sizeof passthrough / sizeof passthrough[0]; i++) {
        uint32_t msr = passthrough[i];
        uint32_t bit = msr >= MSR_HIGH_BASE ? 1024 * 8 + (msr - MSR_HIGH_BASE) : msr;
        p[bit / 8] &= (uint8_t)~(1u << (bit % 8));
        p[MSR_BITMAP_WRITE + bit / 8] &= (uint8_t)~(1u << (bit % 8));
    }
    return p;
}

// Not part of the VMCS guest state, so switched through the lists: VM entry loads the guest's
// values, VM exit stores them back and loads the host's.
static const uint32_t switched[MSR_LIST_COUNT] = { 0xC0000102, 0xC0000081, 0xC0000082, 0xC0000083, 0xC0000084 };

struct msr_entry *msr_lists_create(void) {
    struct msr_entry *l = alloc_page();         // 16-byte aligned (25.7.2)
    if (!l) return 0;
    for (int i = 0; i < MSR_LIST_COUNT; i++) {
        l[i].index = switched[i];               // the guest's values start at 0
        l[MSR_LIST_HOST_OFFSET + i].index = switched[i];
    }
    return l;
}
