// The VM's EPT: maps guest-physical [0, ram_bytes) to the VM's host memory, write-back, and nothing
// else, so any other guest-physical access is an EPT violation. 4-level (29.3.2), 2 MiB pages where
// the CPU has them and alignment allows, 4 KiB pages otherwise.
#include "vmx/vmx.h"
#include "vmx/vmcs.h"
#include "host/alloc.h"

#define EPT_RWX 7ull                            // 29.3.2 Tables "Format of an EPT ... Entry": read, write, execute
#define EPT_MEMTYPE_WB (6ull << 3)              // leaf bits 5:3: memory type write-back (29.3.7)
#define EPT_LARGE (1ull << 7)                   // PDE maps a 2 MiB page
#define ADDR_MASK 0x000FFFFFFFFFF000ull         // physical-address bits 51:12
#define PAGE 4096ull
#define MIB2 (1ull << 21)
#define MAX_RAM (512ull << 30)                  // one PML4 entry
#define INDEX(a, shift) (((a) >> (shift)) & 511)   // 47:39, 38:30, 29:21, 20:12

static uint64_t *child(uint64_t *table, uint64_t index) {
    if (!(table[index] & EPT_RWX)) {
        uint64_t *t = alloc_page();
        if (!t) return 0;
        table[index] = (uint64_t)t | EPT_RWX;  // non-leaf: memory type bits are reserved (0)
    }
    return (uint64_t *)(table[index] & ADDR_MASK);
}

uint64_t *ept_build(uint64_t ram_host, uint64_t ram_bytes) {
    if (ram_bytes == 0 || ram_bytes > MAX_RAM || (ram_bytes & (PAGE - 1)) || (ram_host & (PAGE - 1)))
        return 0;
    int large = (vmx_caps.ept_vpid & EPT_CAP_2M) != 0;
    uint64_t *pml4 = alloc_page();
    if (!pml4) return 0;
    for (uint64_t gpa = 0; gpa < ram_bytes;) {
        uint64_t *pdpt = child(pml4, INDEX(gpa, 39));
        uint64_t *pd = pdpt ? child(pdpt, INDEX(gpa, 30)) : 0;
        if (!pd) { ept_free(pml4); return 0; }
        uint64_t hpa = ram_host + gpa;
        if (large && !(hpa & (MIB2 - 1)) && gpa + MIB2 <= ram_bytes) {
            pd[INDEX(gpa, 21)] = hpa | EPT_RWX | EPT_MEMTYPE_WB | EPT_LARGE;
            gpa += MIB2;
            continue;
        }
        uint64_t *pt = child(pd, INDEX(gpa, 21));
        if (!pt) { ept_free(pml4); return 0; }
        pt[INDEX(gpa, 12)] = hpa | EPT_RWX | EPT_MEMTYPE_WB;
        gpa += PAGE;
    }
    return pml4;
}

void ept_free(uint64_t *pml4) {
    if (!pml4) return;
    uint64_t *pdpt = (pml4[0] & EPT_RWX) ? (uint64_t *)(pml4[0] & ADDR_MASK) : 0;
    for (int g = 0; pdpt && g < 512; g++) {
        if (!(pdpt[g] & EPT_RWX)) continue;
        uint64_t *pd = (uint64_t *)(pdpt[g] & ADDR_MASK);
        for (int i = 0; i < 512; i++)
            if ((pd[i] & EPT_RWX) && !(pd[i] & EPT_LARGE)) wisp_free((void *)(pd[i] & ADDR_MASK), PAGE);
        wisp_free(pd, PAGE);
    }
    if (pdpt) wisp_free(pdpt, PAGE);
    wisp_free(pml4, PAGE);
}
