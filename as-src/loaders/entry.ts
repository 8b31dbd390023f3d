// The vCPU state a loader leaves in the vCPU area for the VM's first entry (as-src/README.md,
// "Loaders"): all general registers, rip, rflags, cr0/cr3/cr4/efer, the entry mode and the GDT.

import { vcpuBase, setReg, RIP, RFLAGS, CR0, CR2, CR3, CR4, EFER, MODE, CPL, INJECT, NEXT_RIP,
  ENTRY_GDTR_BASE, ENTRY_GDTR_LIMIT } from "../cpu/vcpu";

export const ENTRY_REAL16: u32 = 0;
export const ENTRY_PROTECTED32: u32 = 2;
export const ENTRY_LONG64: u32 = 3;           // 64-bit mode, CS 0x10 (L=1) and DS/ES/SS 0x18, flat

export const CR0_PE: u64 = 1 << 0;            // SDM vol. 3, 2.5
export const CR0_ET: u64 = 1 << 4;
export const CR0_NE: u64 = 1 << 5;
export const CR0_PG: u64 = 1 << 31;
export const CR4_PAE: u64 = 1 << 5;
export const EFER_LME: u64 = 1 << 8;          // SDM vol. 3, 2.2.1
export const EFER_LMA: u64 = 1 << 10;
const RFLAGS_FIXED: u64 = 0x2;                // bit 1 reads as one; IF = 0: interrupts off

/** Clears the general registers and sets the entry state; rax/rbx/rsi are set by the caller. */
export function setEntryState(mode: u32, rip: u64, cr0: u64, cr3: u64, cr4: u64, efer: u64): void {
  for (let off: u32 = 0; off < 0x80; off += 8) setReg(off, 0);
  setReg(RIP, rip);
  setReg(RFLAGS, RFLAGS_FIXED);
  setReg(NEXT_RIP, 0);
  setReg(CR0, cr0);
  setReg(CR2, 0);
  setReg(CR3, cr3);
  setReg(CR4, cr4);
  setReg(EFER, efer);
  store<u32>(vcpuBase + <usize>MODE, mode);
  store<u32>(vcpuBase + <usize>CPL, 0);
  setReg(INJECT, 0);
  setReg(ENTRY_GDTR_BASE, 0);
  setReg(ENTRY_GDTR_LIMIT, 0);
}

export function setEntryGdt(base: u64, limit: u64): void {
  setReg(ENTRY_GDTR_BASE, base);
  setReg(ENTRY_GDTR_LIMIT, limit);
}
