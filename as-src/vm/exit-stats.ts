// Exit statistics: u64[STATS_COUNT] (abi.ts) read by the shim at statsOffset(): counts by exit reason (slot
// 0 counts reasons the core does not know), then slot STAT_MSR_REFUSED, the MSR accesses refused with #GP.

import { EXIT_REASON_COUNT, STATS_COUNT, STAT_MSR_REFUSED } from "../abi";

export const statsBase: usize = memory.data(<i32>STATS_COUNT * 8, 8);

function count(slot: usize): void {
  const p = statsBase + (slot << 3);
  store<u64>(p, load<u64>(p) + 1);
}

export function countExit(reason: u32): void {
  count(reason < EXIT_REASON_COUNT ? <usize>reason : 0);
}

export function countRefusedMsr(): void {
  count(<usize>STAT_MSR_REFUSED);
}

export function exitCount(reason: u32): u64 {
  return load<u64>(statsBase + (<usize>reason << 3));
}

export function resetStats(): void {
  memory.fill(statsBase, 0, <usize>STATS_COUNT * 8);
}

/** Export: where the u64[STATS_COUNT] exit counts are. */
export function statsOffset(): usize {
  return statsBase;
}
