// Where a Multiboot kernel may be loaded: inside the RAM, clear of the boot information the
// loader writes (multiboot.ts) and of the BIOS area holding the ACPI tables.

import { say, sayHex, saySize } from "./report";
import { ramTop, LOW_RAM_END, HIGH_RAM_START } from "./memory-map";
import { guestMemoryBytes } from "../vm";

export const INFO_START: u64 = 0x8000;        // Multiboot information, strings, module list
export const INFO_END: u64 = 0x10000;

/** True if [start, end) may hold kernel bytes; else the reason continues the message. */
export function checkKernelRange(start: u64, end: u64): bool {
  if (end > ramTop()) {
    say("it needs RAM up to "); sayHex(end); say(" but the VM has "); saySize(guestMemoryBytes());
    return false;
  }
  if (start < INFO_END && end > INFO_START) {
    say("its range "); sayHex(start); say("-"); sayHex(end - 1);
    say(" overlaps the boot information at 0x8000-0xffff");
    return false;
  }
  if (start < HIGH_RAM_START && end > LOW_RAM_END) {
    say("its range "); sayHex(start); say("-"); sayHex(end - 1);
    say(" overlaps the BIOS area at 0x9f000-0xfffff");
    return false;
  }
  return true;
}
