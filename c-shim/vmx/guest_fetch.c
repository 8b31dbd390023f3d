// Reading guest code by linear address: the bytes at the guest's RIP when it raised #UD (exit.c).
// A small walker of the guest's own page tables (SDM vol. 3A, chapter 4: 32-bit, PAE and 4-level
// paging) over the VM's RAM; anything outside it, or not present, is "cannot fetch".
#include "vmx/vmx.h"
#include "vmx/vmcs.h"

#define CR0_PG (1ull << 31)                     // SDM vol. 3A, 2.5
#define CR4_PSE (1ull << 4)
#define CR4_PAE (1ull << 5)
#define EFER_LMA (1ull << 10)
#define PTE_P (1ull << 0)                       // SDM vol. 3A, 4.3 and 4.5 entry formats
#define PTE_PS (1ull << 7)
#define ADDR_MASK 0x000FFFFFFFFFF000ull

static int read_phys(struct vcpu *v, uint64_t gpa, void *out, uint32_t n) {
    if (gpa >= v->ram_bytes || n > v->ram_bytes - gpa) return 0;
    const uint8_t *src = (const uint8_t *)(v->ram_host + gpa);
    for (uint32_t i = 0; i < n; i++) ((uint8_t *)out)[i] = src[i];
    return 1;
}

// From a table at `level` (4 = PML4 ... 1 = page table) down to the page; PS marks a 1 GiB or
// 2 MiB page at levels 3 and 2.
static int walk(struct vcpu *v, uint64_t table, int level, uint64_t linear, uint64_t *gpa) {
    for (;; level--) {
        uint64_t shift = 12 + 9 * (uint64_t)(level - 1), e;
        if (!read_phys(v, table + ((linear >> shift) & 511) * 8, &e, 8) || !(e & PTE_P)) return 0;
        if (level == 1 || (level <= 3 && (e & PTE_PS))) {
            uint64_t page = 1ull << shift;
            *gpa = (e & ADDR_MASK & ~(page - 1)) | (linear & (page - 1));
            return 1;
        }
        table = e & ADDR_MASK;
    }
}

static int translate(struct vcpu *v, uint64_t linear, uint64_t *gpa) {
    uint64_t cr0 = vmread(VMCS_GUEST_CR0), cr4 = vmread(VMCS_GUEST_CR4), cr3 = vmread(VMCS_GUEST_CR3);
    if (!(cr0 & CR0_PG)) { *gpa = linear & 0xFFFFFFFFull; return 1; }
    if (!(cr4 & CR4_PAE)) {                     // 4.3: 32-bit paging, 4 MiB pages with CR4.PSE
        uint32_t pde, pte;
        if (!read_phys(v, (cr3 & 0xFFFFF000ull) + ((linear >> 22) & 0x3FF) * 4, &pde, 4) || !(pde & PTE_P)) return 0;
        if ((cr4 & CR4_PSE) && (pde & PTE_PS)) { *gpa = (pde & 0xFFC00000ull) | (linear & 0x3FFFFF); return 1; }
        if (!read_phys(v, (pde & 0xFFFFF000ull) + ((linear >> 12) & 0x3FF) * 4, &pte, 4) || !(pte & PTE_P)) return 0;
        *gpa = (pte & 0xFFFFF000ull) | (linear & 0xFFF);
        return 1;
    }
    if (vmread(VMCS_GUEST_EFER) & EFER_LMA) return walk(v, cr3 & ADDR_MASK, 4, linear, gpa);   // 4.5
    uint64_t pdpte;                             // 4.4.1: PAE, four PDPTEs at CR3[31:5]
    linear &= 0xFFFFFFFFull;
    if (!read_phys(v, (cr3 & 0xFFFFFFE0ull) + ((linear >> 30) & 3) * 8, &pdpte, 8) || !(pdpte & PTE_P)) return 0;
    return walk(v, pdpte & ADDR_MASK, 2, linear, gpa);
}

int guest_fetch(struct vcpu *v, uint64_t linear, uint8_t *out, uint32_t n) {
    for (uint32_t i = 0; i < n; i++) {          // byte by byte: an instruction may cross a page
        uint64_t gpa;
        if (!translate(v, linear + i, &gpa) || !read_phys(v, gpa, out + i, 1)) return 0;
    }
    return 1;
}
