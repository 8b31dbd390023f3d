// QEMU's isa-debug-exit device (hw/misc/debugexit.c) at 0xF4-0xF7: a write of V of any size ends
// the VM with result EXIT V (QEMU itself would exit with status (V << 1) | 1). Reads give all ones.

import { endVm, RESULT_EXIT } from "../vm/result";

export const DEBUG_EXIT_BASE: u32 = 0xf4;
export const DEBUG_EXIT_PORTS: u32 = 4;

/** Returns 1: the VM has ended. */
export function debugExitOut(value: u64): u32 {
  return endVm(RESULT_EXIT, value);
}
