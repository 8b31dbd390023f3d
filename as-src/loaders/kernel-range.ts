// Where a Multiboot kernel may be loaded (inside the RAM, clear of the BIOS area that holds the
// ACPI tables), and where its boot information then goes: the information structure, module list,
// memory map and strings take INFO_SIZE bytes wherever the kernel's segments leave room, chosen
// after they are loaded (as QEMU's loader does), so a kernel may be linked anywhere from 0x1000.

import { say, sayHex, saySize } from "./report";
import { ramTop, LOW_RAM_END, HIGH_RAM_START } from "./memory-map";
import { guestMemoryBytes } from "../vm/vm";

export const INFO_SIZE: u64 = 0x8000;         // Multiboot information, strings, module list
const INFO_PREFERRED: u64 = 0x8000;           // where it goes when the kernel leaves it free
const LOW_START: u64 = 0x1000;                // the information is never put in page 0 (a NULL pointer)
const PAGE: u64 = 4096;

// The span of the kernel's loaded bytes, lowest start to highest end (segments in between count
// as taken: a conservative, one-range record).
let kernelLow: u64 = 0;
let kernelHigh: u64 = 0;

/** Forgets the kernel's span: before a kernel is loaded. */
export function clearKernelRange(): void {
  kernelLow = 0xffffffffffffffff;
  kernelHigh = 0;
}

/** True if [start, end) may hold kernel bytes (and records it); else the reason continues the message. */
export function checkKernelRange(start: u64, end: u64): bool {
  if (end > ramTop()) {
    say("it needs RAM up to "); sayHex(end); say(" but the VM has "); saySize(guestMemoryBytes());
    return false;
  }
  if (start < HIGH_RAM_START && end > LOW_RAM_END) {
    say("its range "); sayHex(start); say("-"); sayHex(end - 1);
    say(" overlaps the BIOS area at 0x9f000-0xfffff");
    return false;
  }
  if (end > start) {
    if (start < kernelLow) kernelLow = start;
    if (end > kernelHigh) kernelHigh = end;
  }
  return true;
}

function free(start: u64): bool {
  return start + INFO_SIZE <= kernelLow || start >= kernelHigh;
}

/**
 * Where the boot information goes: INFO_PREFERRED when the kernel leaves it free, else the first
 * free place in conventional memory (at 0x1000 or just above the kernel), else the first page at
 * or above `above` (the caller puts the modules after it). 0 when RAM has no room.
 */
export function placeInfo(above: u64): u64 {
  if (free(INFO_PREFERRED)) return INFO_PREFERRED;
  if (free(LOW_START)) return LOW_START;
  const afterKernel = (kernelHigh + PAGE - 1) & ~(PAGE - 1);
  if (afterKernel + INFO_SIZE <= LOW_RAM_END) return afterKernel;
  const high = (above + PAGE - 1) & ~(PAGE - 1);
  return high + INFO_SIZE <= ramTop() ? high : 0;
}

/** The message for placeInfo's 0: both ranges, the kernel's and the RAM's. */
export function sayNoInfoRoom(): void {
  say("no room for the boot information ("); saySize(INFO_SIZE); say("): the kernel takes ");
  sayHex(kernelLow); say("-"); sayHex(kernelHigh - 1); say(" and RAM ends at "); sayHex(ramTop());
}
