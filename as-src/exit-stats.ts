// Exit statistics: u64[15] counts indexed by exit reason, read by the shim at statsOffset().
// Slot 0 counts reasons the core does not know.

import { EXIT_REASON_SLOTS } from "./exit-reason";

export const statsBase: usize = memory.data(<i32>EXIT_REASON_SLOTS * 8, 8);

export function countExit(reason: u32): void {
  const slot: usize = reason < EXIT_REASON_SLOTS ? <usize>reason : 0;
  const p = statsBase + (slot << 3);
  store<u64>(p, load<u64>(p) + 1);
}

export function exitCount(reason: u32): u64 {
  return load<u64>(statsBase + (<usize>reason << 3));
}

export function resetStats(): void {
  memory.fill(statsBase, 0, <usize>EXIT_REASON_SLOTS * 8);
}

/** Export: where the u64[15] exit counts are. */
export function statsOffset(): usize {
  return statsBase;
}
