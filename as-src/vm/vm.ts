// The VM this instance runs: chosen from the configuration by vmSetup.

import { parseConfig, vmCount, vmNameOffset, vmNameLength, noSuchVm, consoleRawEnabled } from "./config";
import { setConsoleName, setConsoleRaw } from "./console";
import { resetResult } from "./result";
import { resetStats } from "./exit-stats";
import { setGuestTsc } from "./clock";

let memoryBytes: u64 = 0;
let vmIndex: u32 = 0;

/** The configuration index of this instance's VM (valid after vmSetup). */
export function currentVm(): u32 {
  return vmIndex;
}

/** Bytes of guest RAM at guest-physical 0 (0 before vmSetup). */
export function guestMemoryBytes(): u64 {
  return memoryBytes;
}

/**
 * Parses the configuration in the input buffer and becomes VM vmIndex with `bytes` of memory.
 * 0 ok; -1 with the reason at messageOffset()/messageLength().
 */
export function vmSetup(configLen: u32, index: u32, bytes: u64): i32 {
  if (parseConfig(configLen) < 0) return -1;
  if (index >= vmCount()) {
    noSuchVm(index);
    return -1;
  }
  setConsoleName(vmNameOffset(index), vmNameLength(index));
  setConsoleRaw(consoleRawEnabled());
  vmIndex = index;
  memoryBytes = bytes;
  resetResult();
  resetStats();
  setGuestTsc(0);                                   // the TSC is 0 after reset (SDM vol. 3B, 18.17)
  return 0;
}
