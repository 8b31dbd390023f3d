// The I/O and MSR permission maps (APM vol. 2, 15.10.1 and 15.11).
#include "svm/svm.h"
#include "host/alloc.h"

#define IOPM_BYTES (12 * 1024)                  // APM vol. 2, 15.10.1: 12 KiB, one bit per port
#define MSRPM_BYTES (8 * 1024)                  // APM vol. 2, 15.11: 8 KiB, two bits per MSR

static void fill(uint8_t *p, uint64_t n, uint8_t v) {
    for (uint64_t i = 0; i < n; i++) ((volatile uint8_t *)p)[i] = v;
}

uint8_t *iopm_create(void) {
    uint8_t *p = wisp_alloc(IOPM_BYTES, 4096);  // physically contiguous, 4 KiB aligned
    if (p) fill(p, IOPM_BYTES, 0xFF);           // intercept every port
    return p;
}

// MSRs that VMLOAD/VMSAVE switch with the guest (APM vol. 2, 15.5.2), so the guest may read and
// write them directly. EFER and PAT stay intercepted: the core emulates them.
static const uint32_t passthrough[] = {
    0x00000174,                                 // SYSENTER_CS   (APM vol. 2, Appendix A.2)
    0x00000175,                                 // SYSENTER_ESP
    0x00000176,                                 // SYSENTER_EIP
    0xC0000081,                                 // STAR
    0xC0000082,                                 // LSTAR
    0xC0000083,                                 // CSTAR
    0xC0000084,                                 // SFMASK
    0xC0000100,                                 // FS_BASE
    0xC0000101,                                 // GS_BASE
    0xC0000102,                                 // KERNEL_GS_BASE
};

// Byte offset of an MSR's two bits (read = even bit, write = odd): APM vol. 2, 15.11 Table 15-5.
static int64_t msrpm_bit(uint32_t msr) {
    if (msr <= 0x1FFF) return (int64_t)msr * 2;
    if (msr >= 0xC0000000 && msr <= 0xC0001FFF) return 0x800 * 8 + (int64_t)(msr - 0xC0000000) * 2;
    if (msr >= 0xC0010000 && msr <= 0xC0011FFF) return 0x1000 * 8 + (int64_t)(msr - 0xC0010000) * 2;
    return -1;
}

uint8_t *msrpm_create(void) {
    uint8_t *p = wisp_alloc(MSRPM_BYTES, 4096);
    if (!p) return 0;
    fill(p, MSRPM_BYTES, 0xFF);                 // intercept every read and write
    for (unsigned i = 0; i < sizeof passthrough / sizeof passthrough[0]; i++) {
        int64_t bit = msrpm_bit(passthrough[i]);
        p[bit / 8] &= (uint8_t)~(3u << (bit % 8));
    }
    return p;
}
