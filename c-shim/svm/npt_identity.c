// Blue-pill's nested page table: guest-physical addresses are host-physical addresses (the
// firmware and the OS keep the machine's memory map), except where npt_identity_set makes 4 KiB
// pages read-only or not present: wisp's own memory (not present) and the local APIC (read-only,
// so that IPIs are seen). Long-mode format, U/S set on every entry (APM vol. 2, 15.25.3 and 15.25.5).
#include "svm/svm.h"
#include "svm/npt.h"
#include "host/alloc.h"

#define PD_INDEX_ALL(a) ((a) >> 21)             // index into the 512 contiguous page directories

uint64_t *npt_identity_build(void) {
    uint64_t *pml4 = alloc_page(), *pdpt = alloc_page();
    uint64_t *pds = wisp_alloc(512 * PAGE, PAGE);       // 512 page directories: 512 GiB of 2 MiB pages
    if (!pml4 || !pdpt || !pds) return 0;
    for (uint64_t i = 0; i < 512 * 512; i++) pds[i] = i * MIB2 | NPT_TABLE | NPT_PS;
    for (uint64_t g = 0; g < 512; g++) pdpt[g] = (uint64_t)&pds[g * 512] | NPT_TABLE;
    pml4[0] = (uint64_t)pdpt | NPT_TABLE;
    return pml4;
}

// The page directory entry of gpa (the directories are contiguous, npt_identity_build).
static uint64_t *pde_of(uint64_t *root, uint64_t gpa) {
    uint64_t *pdpt = (uint64_t *)(root[0] & ADDR_MASK);
    return (uint64_t *)(pdpt[0] & ADDR_MASK) + PD_INDEX_ALL(gpa);
}

int npt_identity_set(uint64_t *root, uint64_t gpa, uint64_t bytes, int flags) {
    uint64_t start = gpa & ~(PAGE - 1), end = (gpa + bytes + PAGE - 1) & ~(PAGE - 1);
    if (end > NPT_SPAN || end < start) return 0;
    for (uint64_t a = start; a < end; a += PAGE) {
        uint64_t *pde = pde_of(root, a);
        if (*pde & NPT_PS) {                    // split the 2 MiB page into 512 identity 4 KiB pages
            uint64_t *pt = alloc_page();
            if (!pt) return 0;
            uint64_t base = *pde & ADDR_MASK & ~(MIB2 - 1);
            for (uint64_t i = 0; i < 512; i++) pt[i] = (base + i * PAGE) | NPT_TABLE;
            *pde = (uint64_t)pt | NPT_TABLE;
        }
        uint64_t *pt = (uint64_t *)(*pde & ADDR_MASK);
        pt[PT_INDEX(a)] = flags == NPT_IDENTITY_READ ? a | NPT_P | NPT_US : 0;
    }
    return 1;
}
