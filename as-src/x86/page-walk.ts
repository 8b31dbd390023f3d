// Guest-linear to guest-physical translation through the guest's own page tables, as the CPU would
// walk them for the paging mode that CR0, CR4 and EFER select (SDM vol. 3A, 4.1.1 and Table 4-2;
// APM vol. 2, 5.1). Entries are read through guestRead; accessed/dirty bits are left alone and no
// permission is checked: a nested fault means the guest's own walk already succeeded.

import { guestRead } from "../host";
import { getReg, CR0, CR3, CR4, EFER } from "../cpu/vcpu";

export const WALK_OK: u32 = 0;
export const WALK_NOT_PRESENT: u32 = 1;     // an entry on the way has P = 0
export const WALK_BAD_TABLE: u32 = 2;       // a table lies outside the guest's memory

const CR0_PG: u64 = 1 << 31;
const CR4_PSE: u64 = 1 << 4;
const CR4_PAE: u64 = 1 << 5;
const CR4_LA57: u64 = 1 << 12;
const EFER_LME: u64 = 1 << 8;
const EFER_LMA: u64 = 1 << 10;

const PTE_P: u64 = 1;
const PTE_PS: u64 = 1 << 7;
const ADDR_MASK: u64 = 0x000ffffffffff000;   // bits 51:12 of a PAE or long-mode entry

const entryBuf: usize = memory.data(8, 8);
let walkStatus: u32 = WALK_OK;
let physical: u64 = 0;

/** The guest-physical address of the last successful translate(). */
export function walkPhysical(): u64 {
  return physical;
}

/** Reads the 8-byte (or 4-byte) entry at gpa; walkStatus = WALK_BAD_TABLE when it is not RAM. */
function readEntry(gpa: u64, wide: bool): u64 {
  store<u64>(entryBuf, 0);
  if (guestRead(gpa, entryBuf, wide ? 8 : 4) == 0) {
    walkStatus = WALK_BAD_TABLE;
    return 0;
  }
  const e = load<u64>(entryBuf);
  if ((e & PTE_P) == 0) walkStatus = WALK_NOT_PRESENT;
  return e;
}

/** One level of a PAE or long-mode walk: the entry for `linear` in the table at `table`. */
// @ts-ignore: decorator
@inline function entryAt(table: u64, linear: u64, shift: u64): u64 {
  return readEntry((table & ADDR_MASK) + (((linear >> shift) & 0x1ff) << 3), true);
}

function walkLong(linear: u64, cr3: u64, fiveLevel: bool): u64 {
  let table = cr3;
  if (fiveLevel) {
    table = entryAt(table, linear, 48);
    if (walkStatus != WALK_OK) return 0;
  }
  const pml4e = entryAt(table, linear, 39);
  if (walkStatus != WALK_OK) return 0;
  const pdpte = entryAt(pml4e, linear, 30);
  if (walkStatus != WALK_OK) return 0;
  if ((pdpte & PTE_PS) != 0) return (pdpte & ADDR_MASK & ~<u64>0x3fffffff) | (linear & 0x3fffffff);   // 1 GiB
  return walkDirectory(pdpte, linear);
}

/** The page-directory and page-table levels shared by PAE and long mode. */
function walkDirectory(pdpte: u64, linear: u64): u64 {
  const pde = entryAt(pdpte, linear, 21);
  if (walkStatus != WALK_OK) return 0;
  if ((pde & PTE_PS) != 0) return (pde & ADDR_MASK & ~<u64>0x1fffff) | (linear & 0x1fffff);           // 2 MiB
  const pte = entryAt(pde, linear, 12);
  if (walkStatus != WALK_OK) return 0;
  return (pte & ADDR_MASK) | (linear & 0xfff);
}

/** PAE: CR3 bits 31:5 locate four PDPTEs indexed by linear bits 31:30 (SDM vol. 3A, 4.4.1). */
function walkPae(linear: u64, cr3: u64): u64 {
  const pdpte = readEntry((cr3 & 0xffffffe0) + (((linear >> 30) & 3) << 3), true);
  if (walkStatus != WALK_OK) return 0;
  return walkDirectory(pdpte, linear);
}

/** 32-bit paging: two levels of 4-byte entries; PSE 4 MiB pages with PSE-36 bits 20:13 (SDM vol. 3A, 4.3). */
function walk32(linear: u64, cr3: u64, pse: bool): u64 {
  const pde = readEntry((cr3 & 0xfffff000) + (((linear >> 22) & 0x3ff) << 2), false);
  if (walkStatus != WALK_OK) return 0;
  if (pse && (pde & PTE_PS) != 0) {
    return (pde & 0xffc00000) | (((pde >> 13) & 0xff) << 32) | (linear & 0x3fffff);
  }
  const pte = readEntry((pde & 0xfffff000) + (((linear >> 12) & 0x3ff) << 2), false);
  if (walkStatus != WALK_OK) return 0;
  return (pte & 0xfffff000) | (linear & 0xfff);
}

/**
 * Translates a guest-linear address with the paging mode of the vCPU area's CR0/CR4/EFER.
 * Returns WALK_OK (result in walkPhysical()), WALK_NOT_PRESENT or WALK_BAD_TABLE.
 */
export function translate(linear: u64): u32 {
  walkStatus = WALK_OK;
  physical = 0;
  const cr0 = getReg(CR0);
  let gpa: u64;
  if ((cr0 & CR0_PG) == 0) {
    gpa = linear & 0xffffffff;                  // no paging: linear is physical (32 bits)
  } else {
    const cr3 = getReg(CR3);
    const cr4 = getReg(CR4);
    const efer = getReg(EFER);
    if ((efer & (EFER_LMA | EFER_LME)) != 0) gpa = walkLong(linear, cr3, (cr4 & CR4_LA57) != 0);
    else if ((cr4 & CR4_PAE) != 0) gpa = walkPae(linear & 0xffffffff, cr3);
    else gpa = walk32(linear & 0xffffffff, cr3, (cr4 & CR4_PSE) != 0);
  }
  if (walkStatus == WALK_OK) physical = gpa;
  return walkStatus;
}
