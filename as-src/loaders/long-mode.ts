// What a 64-bit entry needs in guest memory (Linux boot.rst, "64-bit Boot Protocol"): identity
// page tables for the first 4 GiB (2 MiB pages: 1 GiB pages need a CPUID feature the guest may
// lack) and a GDT with flat __BOOT_CS (0x10, 64-bit code) and __BOOT_DS (0x18, data).

import { scratch, clearScratch, scratchToGuest } from "./scratch";

export const GDT_ADDRESS: u64 = 0x6000;
export const GDT_LIMIT: u64 = 4 * 8 - 1;
export const PML4_ADDRESS: u64 = 0x9000;
const PDPT_ADDRESS: u64 = 0xa000;
const PD_ADDRESS: u64 = 0xb000;               // four page directories, 0xb000-0xefff
export const PAGE_TABLES_END: u64 = 0xf000;

const PRESENT_WRITABLE: u64 = 0x3;            // SDM vol. 3, 4.5: P | R/W
const PAGE_SIZE_2M: u64 = 0x80;               // PS in a page-directory entry
// Descriptors (SDM vol. 3, 3.4.5): base 0, limit 0xfffff with G, present, DPL 0.
const CODE64: u64 = 0x00af9b000000ffff;       // type 0xB execute/read accessed, L = 1, D = 0
const DATA: u64 = 0x00cf93000000ffff;         // type 0x3 read/write accessed, D/B = 1

/** Writes the page tables and the GDT; false if guest memory refused a write. */
export function buildLongModeTables(): bool {
  clearScratch(4096);
  store<u64>(scratch, PDPT_ADDRESS | PRESENT_WRITABLE);
  if (!scratchToGuest(0, PML4_ADDRESS, 4096)) return false;
  clearScratch(4096);
  for (let g: u64 = 0; g < 4; g++) store<u64>(scratch + <usize>(g << 3), (PD_ADDRESS + (g << 12)) | PRESENT_WRITABLE);
  if (!scratchToGuest(0, PDPT_ADDRESS, 4096)) return false;
  for (let g: u64 = 0; g < 4; g++) {
    for (let j: u64 = 0; j < 512; j++) {
      store<u64>(scratch + <usize>(j << 3), (g << 30) | (j << 21) | PAGE_SIZE_2M | PRESENT_WRITABLE);
    }
    if (!scratchToGuest(0, PD_ADDRESS + (g << 12), 4096)) return false;
  }
  clearScratch(32);
  store<u64>(scratch + 0x10, CODE64);
  store<u64>(scratch + 0x18, DATA);
  return scratchToGuest(0, GDT_ADDRESS, 32);
}
