// The nested page table: maps guest-physical [0, ram_bytes) to the VM's host memory and nothing
// else, so any other guest-physical access is a nested page fault. 2 MiB pages where possible,
// 4 KiB pages for a tail. Long-mode format (APM vol. 2, 15.25.3); every entry has the U/S bit set
// because nested walks are treated as user accesses (APM vol. 2, 15.25.5).
#include "svm/svm.h"
#include "svm/npt.h"
#include "host/alloc.h"

#define MAX_RAM NPT_SPAN

static uint64_t *child(uint64_t *table, uint64_t index) {
    if (!(table[index] & NPT_P)) {
        uint64_t *t = alloc_page();
        if (!t) return 0;
        table[index] = (uint64_t)t | NPT_TABLE;
    }
    return (uint64_t *)(table[index] & ADDR_MASK);
}

uint64_t *npt_build(uint64_t ram_host, uint64_t ram_bytes) {
    if (ram_bytes == 0 || ram_bytes > MAX_RAM || (ram_bytes & (PAGE - 1)) || (ram_host & (PAGE - 1)))
        return 0;
    uint64_t *pml4 = alloc_page();
    if (!pml4) return 0;
    for (uint64_t gpa = 0; gpa < ram_bytes;) {
        uint64_t *pdpt = child(pml4, PML4_INDEX(gpa));
        uint64_t *pd = pdpt ? child(pdpt, PDPT_INDEX(gpa)) : 0;
        if (!pd) { npt_free(pml4, ram_bytes); return 0; }
        uint64_t hpa = ram_host + gpa;
        if (!(hpa & (MIB2 - 1)) && gpa + MIB2 <= ram_bytes) {
            pd[PD_INDEX(gpa)] = hpa | NPT_TABLE | NPT_PS;
            gpa += MIB2;
            continue;
        }
        uint64_t *pt = child(pd, PD_INDEX(gpa));
        if (!pt) { npt_free(pml4, ram_bytes); return 0; }
        pt[PT_INDEX(gpa)] = hpa | NPT_TABLE;
        gpa += PAGE;
    }
    return pml4;
}

void npt_free(uint64_t *pml4, uint64_t ram_bytes) {
    (void)ram_bytes;
    if (!pml4) return;
    uint64_t *pdpt = (pml4[0] & NPT_P) ? (uint64_t *)(pml4[0] & ADDR_MASK) : 0;
    for (int g = 0; pdpt && g < 512; g++) {
        if (!(pdpt[g] & NPT_P)) continue;
        uint64_t *pd = (uint64_t *)(pdpt[g] & ADDR_MASK);
        for (int i = 0; i < 512; i++)
            if ((pd[i] & NPT_P) && !(pd[i] & NPT_PS)) wisp_free((void *)(pd[i] & ADDR_MASK), PAGE);
        wisp_free(pd, PAGE);
    }
    if (pdpt) wisp_free(pdpt, PAGE);
    wisp_free(pml4, PAGE);
}
