// The CPU model's optional features and the MSRs that come with them: one table drives both the
// CPUID filter (cpuid.ts) and the MSR policy (msr.ts), so a feature bit the guest sees comes with
// its MSRs, and a feature wisp does not provide has its bit cleared and its MSRs refused (#GP), as
// on a CPU without it.
//
// An entry: the vendor it applies to, the CPUID bit that announces it (leaf, subleaf, register,
// bit; or none: every CPU of that vendor has it), the MSR range that comes with it, and what wisp
// does: HIDE (the bit is cleared; the MSRs #GP), INERT (the bit is the host's; while it is
// reported, the MSRs read their reset value, 0, and accept writes: counters that never count) or
// EMULATE (the bit is the host's; while it is reported, msr.ts implements the MSRs as defined).

import { hostCpuid } from "../host";

export const VENDOR_ANY: u32 = 0;
export const VENDOR_AMD: u32 = 1;
export const VENDOR_INTEL: u32 = 2;
export const HIDE: u32 = 0;
export const INERT: u32 = 1;
export const EMULATE: u32 = 2;
export const EAX: u32 = 0, EBX: u32 = 1, ECX: u32 = 2, EDX: u32 = 3;
export const NO_LEAF: u32 = 0xffffffff;           // a feature every CPU of the vendor has

// vendor, leaf, subleaf, register, bit, first MSR, last MSR, action. Sources: AMD APM vol. 2, 13.2
// (performance counters), APM vol. 3, E.4 (CPUID); Intel SDM vol. 2A, CPUID Table 3-8/3-10/3-11,
// SDM vol. 4 (MSRs). Last MSR 0 and first 0: the entry names no MSR (a bit to hide only).
const ENTRIES: StaticArray<u32> = [
  // AMD legacy core counters PerfEvtSel0-3 (C001_0000h-C001_0003h), PerfCtr0-3 (C001_0004h-
  // C001_0007h): every AMD64 CPU has them (APM vol. 2, 13.2.1); Linux and test kernels program them.
  VENDOR_AMD, NO_LEAF, 0, 0, 0, 0xc0010000, 0xc0010007, INERT,
  // HWCR (C001_0015h), on every AMD64 CPU (APM vol. 2, A.6): Linux reads it at start-up; 0 here.
  VENDOR_AMD, NO_LEAF, 0, 0, 0, 0xc0010015, 0xc0010015, INERT,
  // The microcode revision, Intel's IA32_BIOS_SIGN_ID (8Bh, SDM vol. 4, Table 2-2) and AMD's patch
  // level at the same number: 0, no update loaded; the write Linux makes before reading it is taken.
  VENDOR_ANY, NO_LEAF, 0, 0, 0, 0x8b, 0x8b, INERT,
  // Extended core counters PerfEvtSel/PerfCtr 0-5 (C001_0200h-C001_020Bh), when Fn8000_0001
  // ECX[PerfCtrExtCore] (bit 23) says so (APM vol. 2, 13.2.2).
  VENDOR_AMD, 0x80000001, 0, ECX, 23, 0xc0010200, 0xc001020b, INERT,
  // Northbridge counters (Fn8000_0001 ECX bit 24, C001_0240h-C001_0247h): not modelled.
  VENDOR_AMD, 0x80000001, 0, ECX, 24, 0xc0010240, 0xc0010247, HIDE,
  // Last-level-cache counters (Fn8000_0001 ECX bit 28): not modelled.
  VENDOR_AMD, 0x80000001, 0, ECX, 28, 0, 0, HIDE,
  // Intel: performance and debug capability MSR IA32_PERF_CAPABILITIES (345h), leaf 1 ECX bit 15 (PDCM).
  VENDOR_INTEL, 1, 0, ECX, 15, 0x345, 0x345, HIDE,
  // IA32_TSC_ADJUST (3Bh), leaf 7 EBX bit 1 (SDM vol. 3B, 18.17.3): part of the guest's TSC offset.
  VENDOR_ANY, 7, 0, EBX, 1, 0x3b, 0x3b, EMULATE,
  // IA32_TSC_AUX (C000_0103h), read by RDTSCP (Fn8000_0001 EDX bit 27) and RDPID (leaf 7 ECX bit
  // 22): the shim loads the guest's value into the CPU before entry (APM vol. 3, RDTSCP).
  VENDOR_ANY, 0x80000001, 0, EDX, 27, 0xc0000103, 0xc0000103, EMULATE,
  VENDOR_ANY, 7, 0, ECX, 22, 0xc0000103, 0xc0000103, EMULATE,
  // Protection keys for supervisor pages: IA32_PKRS (6E1h), leaf 7 ECX bit 31 (PKS).
  VENDOR_ANY, 7, 0, ECX, 31, 0x6e1, 0x6e1, HIDE,
];
const FIELDS: i32 = 8;

// Intel architectural performance monitoring (leaf 0Ah, SDM vol. 3B, 20.2) is not modelled: the
// leaf reads 0 (version 0: no counters), so IA32_PMCx, IA32_PERFEVTSELx, the fixed counters and
// their global controls are MSRs this CPU does not have (#GP). cpuid.ts applies it.
export const ARCH_PERFMON_LEAF: u32 = 0xa;

const out: usize = memory.data(16, 16);
let vendor: i32 = -1;                             // the host's (and so the guest's), on first use

// "AuthenticAMD" and "GenuineIntel" in leaf 0's EBX (the first four characters tell them apart)
const AMD_EBX: u32 = 0x68747541;
const INTEL_EBX: u32 = 0x756e6547;

export function cpuVendor(): u32 {
  if (vendor < 0) {
    hostCpuid(0, 0, out);
    const b = load<u32>(out, 4);
    vendor = b == AMD_EBX ? <i32>VENDOR_AMD : b == INTEL_EBX ? <i32>VENDOR_INTEL : <i32>VENDOR_ANY;
  }
  return <u32>vendor;
}

function applies(i: i32): bool {
  const v = ENTRIES[i * FIELDS];
  return v == VENDOR_ANY || v == cpuVendor();
}

/** The register `reg` of CPUID (leaf, subleaf) with the bits of HIDE entries cleared. */
export function hideFeatures(leaf: u32, subleaf: u32, reg: u32, value: u32): u32 {
  for (let i = 0; i < ENTRIES.length / FIELDS; i++) {
    const e = i * FIELDS;
    if (ENTRIES[e + 7] != HIDE || ENTRIES[e + 1] != leaf || ENTRIES[e + 2] != subleaf || ENTRIES[e + 3] != reg) continue;
    if (applies(i)) value &= ~(<u32>1 << ENTRIES[e + 4]);
  }
  return value;
}

/** Whether the guest's CPUID reports entry i's feature (after hideFeatures). */
function reported(i: i32): bool {
  const e = i * FIELDS;
  const leaf = ENTRIES[e + 1];
  if (leaf == NO_LEAF) return true;
  if (ENTRIES[e + 7] == HIDE) return false;
  hostCpuid(leaf & 0x80000000, 0, out);           // the highest leaf of this range
  if (load<u32>(out) < leaf) return false;
  hostCpuid(leaf, ENTRIES[e + 2], out);
  return ((load<u32>(out + <usize>ENTRIES[e + 3] * 4) >> ENTRIES[e + 4]) & 1) != 0;
}

/**
 * What the table says of an MSR: 1 an MSR of a reported feature (INERT: reads 0, takes writes;
 * EMULATE: msr.ts), -1 an MSR of a feature the guest does not have (#GP), 0 not in the table
 * (msr.ts decides). An MSR that comes with several features is there when any of them is.
 */
export function featureMsr(msr: u32): i32 {
  let found: i32 = 0;
  for (let i = 0; i < ENTRIES.length / FIELDS; i++) {
    const e = i * FIELDS;
    const first = ENTRIES[e + 5], last = ENTRIES[e + 6];
    if (last == 0 || msr - first > last - first || !applies(i)) continue;
    if (reported(i)) return 1;
    found = -1;
  }
  return found;
}
