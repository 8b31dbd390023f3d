// Nested page table entries, long-mode format (APM vol. 2, 15.25.3): shared by npt.c (a VM's RAM)
// and npt_identity.c (blue-pill). Every entry has U/S set: nested walks are user accesses (15.25.5).
#pragma once

#define NPT_P (1ull << 0)                       // APM vol. 2, 5.4.1 Table 5-1: present
#define NPT_RW (1ull << 1)                      // writable
#define NPT_US (1ull << 2)                      // user
#define NPT_PS (1ull << 7)                      // 2 MiB page in a PDE (APM vol. 2, 5.3.4)
#define NPT_TABLE (NPT_P | NPT_RW | NPT_US)
#define ADDR_MASK 0x000FFFFFFFFFF000ull          // APM vol. 2, 5.3.3 physical-address bits 51:12
#define PAGE 4096ull
#define MIB2 (1ull << 21)
#define GIB (1ull << 30)
#define NPT_SPAN (512 * GIB)                    // what one PML4 entry maps
// Table indices of an address: bits 47:39, 38:30, 29:21, 20:12 (APM vol. 2, 5.3.3 Figure 5-17)
#define PML4_INDEX(a) (((a) >> 39) & 511)
#define PDPT_INDEX(a) (((a) >> 30) & 511)
#define PD_INDEX(a) (((a) >> 21) & 511)
#define PT_INDEX(a) (((a) >> 12) & 511)
