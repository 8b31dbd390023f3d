// The host's page tables: an identity map of [0, max(64 GiB, highest address in the memory map))
// with 2 MiB pages (at most 512 GiB: one PML4 entry).
//
// Memory types: every page uses PAT entry 0 (PWT = PCD = 0), which the firmware's PAT makes
// write-back; the effective type combines with the firmware's MTRRs, which mark the MMIO holes
// uncacheable (Intel SDM vol. 3A, 12.5.2.2 Table 12-7; APM vol. 2, 7.8.2). The LAPIC's page is
// additionally marked PCD|PWT (PAT entry 3, UC) so it is uncached whatever the MTRRs say.
#include "host/paging.h"
#include "host/alloc.h"
#include "host/cpu.h"
#include "host/lapic.h"

#define PTE_P (1ull << 0)                       // present   (Intel SDM vol. 3A, 4.5 Table 4-15..4-18)
#define PTE_RW (1ull << 1)                      // writable
#define PTE_PWT (1ull << 3)                     // write-through
#define PTE_PCD (1ull << 4)                     // cache disable
#define PTE_PS (1ull << 7)                      // 2 MiB page in a PDE
#define GIB (1ull << 30)
#define MIB2 (1ull << 21)
#define MIN_MAP (64 * GIB)
#define MAX_MAP (512 * GIB)                     // one PML4 entry

int paging_init(uint64_t max_physical) {
    uint64_t root = paging_build(max_physical);
    if (!root) return 0;
    write_cr3(root);
    return 1;
}

uint64_t paging_build(uint64_t max_physical) {
    uint64_t top = (max_physical + GIB - 1) & ~(GIB - 1);
    if (top < MIN_MAP) top = MIN_MAP;
    if (top > MAX_MAP) top = MAX_MAP;
    uint64_t *pml4 = alloc_page(), *pdpt = alloc_page();
    uint64_t gibs = top / GIB;
    uint64_t *pds = wisp_alloc(gibs * 4096, 4096);
    if (!pml4 || !pdpt || !pds) return 0;     // (pool exhausted: nothing to give back)
    uint64_t apic_page = lapic_base() & ~(MIB2 - 1);
    for (uint64_t i = 0; i < gibs * 512; i++) {
        uint64_t pa = i * MIB2;
        pds[i] = pa | PTE_P | PTE_RW | PTE_PS | (pa == apic_page ? PTE_PCD | PTE_PWT : 0);
    }
    for (uint64_t g = 0; g < gibs; g++) pdpt[g] = (uint64_t)&pds[g * 512] | PTE_P | PTE_RW;
    pml4[0] = (uint64_t)pdpt | PTE_P | PTE_RW;
    return (uint64_t)pml4;
}
