// The guest's physical memory map, one table for both boot protocols (Linux e820 in boot_params,
// Multiboot's mmap): RAM below the EBDA, the BIOS area holding the ACPI tables, RAM from 1 MiB to
// the end of the VM's memory, and the APIC MMIO windows.

import { guestMemoryBytes } from "../vm/vm";
import { IOAPIC_BASE, LAPIC_BASE, APIC_WINDOW } from "../acpi/layout";

export const E820_RAM: u32 = 1;
export const E820_RESERVED: u32 = 2;

export const LOW_RAM_END: u64 = 0x9f000;      // the EBDA and the BIOS area above it are reserved
export const HIGH_RAM_START: u64 = 0x100000;

/** Where usable RAM ends: the VM's memory, cut at the IOAPIC window (RAM above it is not used). */
export function ramTop(): u64 {
  const bytes = guestMemoryBytes();
  return bytes < IOAPIC_BASE ? bytes : IOAPIC_BASE;
}

/**
 * Writes the map at buf as entries of `stride` bytes: Linux e820 entries (stride 20: base u64,
 * length u64, type u32) or Multiboot mmap entries (stride 24: size u32 = 20, then the same).
 * Returns the number of entries (at most 5).
 */
export function writeMemoryMap(buf: usize, stride: u32): u32 {
  const top = ramTop();
  const lowEnd = top < LOW_RAM_END ? top : LOW_RAM_END;
  let n: u32 = 0;
  n = entry(buf, stride, n, 0, lowEnd, E820_RAM);
  n = entry(buf, stride, n, LOW_RAM_END, HIGH_RAM_START - LOW_RAM_END, E820_RESERVED);
  if (top > HIGH_RAM_START) n = entry(buf, stride, n, HIGH_RAM_START, top - HIGH_RAM_START, E820_RAM);
  n = entry(buf, stride, n, IOAPIC_BASE, APIC_WINDOW, E820_RESERVED);
  n = entry(buf, stride, n, LAPIC_BASE, APIC_WINDOW, E820_RESERVED);
  return n;
}

function entry(buf: usize, stride: u32, n: u32, base: u64, length: u64, type: u32): u32 {
  let p = buf + <usize>(n * stride);
  if (stride == 24) {
    store<u32>(p, 20);                          // Multiboot: the size of the rest of the entry
    p += 4;
  }
  store<u64>(p, base);
  store<u64>(p + 8, length);
  store<u32>(p + 16, type);
  return n + 1;
}
