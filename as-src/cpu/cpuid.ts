// CPUID policy: the host's values, minus what the guest must not see (virtualization extensions,
// x2APIC), plus the hypervisor-present bit and wisp's own leaves 0x40000000..0x400000FF.

import { hostCpuid } from "../host";
import { WISP_SIGNATURE } from "../abi";
import { measuredTscKhz } from "../vm/clock";
import { LOCAL_APIC_TIMER_KHZ } from "../devices/local-apic";
import { getReg, setReg, RAX, RBX, RCX, RDX, CR4, skipInstruction } from "./vcpu";
import { passthrough } from "../vm/passthrough";
import { hideFeatures, ARCH_PERFMON_LEAF, EBX, ECX, EDX } from "./cpu-features";

export const HYPERCALL_ABI_VERSION: u32 = (1 << 16) | 0;
const SIGNATURE: u32 = WISP_SIGNATURE;              // "wisp" read as a little-endian u32 (abi.ts)

const out: usize = memory.data(16, 16);             // eax, ebx, ecx, edx

// "GenuineIntel" in leaf 0's ebx, edx, ecx
const INTEL_EBX: u32 = 0x756e6547;
const INTEL_EDX: u32 = 0x49656e69;
const INTEL_ECX: u32 = 0x6c65746e;
// Linux computes the TSC rate from leaf 0x15 as crystal kHz * EBX / EAX in 32-bit arithmetic
// (native_calibrate_tsc), so EBX stays below 2^32 / (crystal kHz) = 4294 for the 1 GHz crystal.
const MAX_RATIO_NUMERATOR: u64 = 0xffffffff / <u64>LOCAL_APIC_TIMER_KHZ;

/**
 * Intel's leaves 0x15 (TSC / core crystal clock) and 0x16 (processor frequencies), SDM vol. 2A,
 * CPUID, Table 3-8, into `out`: the measured TSC rate, and as the crystal the local APIC timer's
 * 1 GHz clock (Linux takes its APIC timer period from the crystal). Only for an Intel guest (the
 * host's vendor), where the host has the leaf, once the TSC rate is known; false: the host's values.
 */
function frequencyLeaf(leaf: u32): bool {
  const khz = <u64>measuredTscKhz();
  if (khz == 0) return false;
  hostCpuid(0, 0, out);
  if (load<u32>(out) < leaf || load<u32>(out, 4) != INTEL_EBX || load<u32>(out, 12) != INTEL_EDX ||
      load<u32>(out, 8) != INTEL_ECX) return false;
  if (leaf == 0x15) {
    // TSC = crystal * EBX / EAX: the last continued-fraction convergent of khz / crystal kHz whose
    // numerator fits. Usually within 1 ppm; a rate just off a whole GHz multiple (3.0005 GHz) can be
    // off by up to 2 parts in 10^4, the limit of a numerator below 4295. Linux guests get the exact
    // rate on their command line as well (loaders/linux.ts).
    let n = khz, d = <u64>LOCAL_APIC_TIMER_KHZ;
    let h: u64 = 1, h0: u64 = 0, k: u64 = 0, k0: u64 = 1;   // convergents h/k, the previous h0/k0
    while (d != 0) {
      const q = n / d;
      const hn = q * h + h0, kn = q * k + k0;
      if (hn > MAX_RATIO_NUMERATOR) break;
      h0 = h; k0 = k; h = hn; k = kn;
      const r = n - q * d;
      n = d; d = r;
    }
    store<u32>(out, <u32>(k == 0 ? 1 : k));         // EAX: denominator
    store<u32>(out, <u32>(k == 0 ? 0 : h), 4);      // EBX: numerator (0: ratio not enumerated)
    store<u32>(out, LOCAL_APIC_TIMER_KHZ * 1000, 8);// ECX: crystal clock in Hz
  } else {
    const mhz = <u32>((khz + 500) / 1000);
    store<u32>(out, mhz);                           // EAX: base frequency (MHz)
    store<u32>(out, mhz, 4);                        // EBX: maximum frequency (MHz)
    store<u32>(out, LOCAL_APIC_TIMER_KHZ / 1000, 8);// ECX: bus (reference) frequency (MHz)
  }
  store<u32>(out, 0, 12);
  return true;
}

/**
 * CPUID exit: leaf in eax, subleaf in ecx; results zero-extended into rax, rbx, rcx, rdx. The
 * policy works on locals (not on `out`) so that an exit reads the host's values once.
 */
// @ts-ignore: decorator
@inline export function handleCpuid(): u32 {        // one caller (exit.ts), the most frequent exit
  const leaf = <u32>getReg(RAX);
  let a: u32 = 0, b: u32 = 0, c: u32 = 0, d: u32 = 0;
  if (leaf - 0x40000000 <= 0xff) {                  // hypervisor range (like KVM's "KVMKVMKVM")
    if (leaf == 0x40000000) {
      a = 0x40000010;                               // highest hypervisor leaf
      b = SIGNATURE; c = SIGNATURE; d = SIGNATURE;  // ebx, ecx, edx: "wispwispwisp"
    } else if (leaf == 0x40000001) {
      a = HYPERCALL_ABI_VERSION;
    } else if (leaf == 0x40000010) {                // timing, as VMware and ACRN define it (0: unknown)
      a = measuredTscKhz();                         // TSC frequency in kHz
      b = LOCAL_APIC_TIMER_KHZ;                     // local APIC timer frequency in kHz
    }
  } else if (leaf - 0x15 <= 1 && frequencyLeaf(leaf)) {     // 0x15, 0x16 (Intel only)
    a = load<u32>(out); b = load<u32>(out, 4); c = load<u32>(out, 8); d = load<u32>(out, 12);
  } else if (leaf != 0x8000000a && leaf != 0x8000001f && leaf != ARCH_PERFMON_LEAF) {
    // Not passed on: SVM features; SME/SEV (AMD APM vol. 3, E.4.17); Intel's architectural
    // performance monitoring (cpu-features.ts): those read 0.
    // (Linux's decompressor reads MSR SEV_STATUS, which is not emulated, when 0x8000001f reports SEV.)
    hostCpuid(leaf, <u32>getReg(RCX), out);
    a = load<u32>(out); b = load<u32>(out, 4); c = load<u32>(out, 8); d = load<u32>(out, 12);
    if (leaf == 1) {
      c |= 1 << 31;                                 // hypervisor present
      c &= ~(1 << 5);                               // VMX
      c &= ~(1 << 21);                              // x2APIC: the guest gets no APIC virtualization
      // OSXSAVE mirrors CR4.OSXSAVE (SDM vol. 2A, CPUID Table 3-10): the guest's CR4, not the host's.
      c = (c & ~(1 << 27)) | ((<u32>(getReg(CR4) >> 18) & 1) << 27);
      // A blue-pill guest has the real machine-check and MTRR MSRs; an emulated VM has neither:
      if (!passthrough()) {
        // MCE and MCA (SDM vol. 2A, CPUID Table 3-11; SDM vol. 3B, 16.3): the machine-check MSRs
        // (IA32_MCG_CAP/STATUS, banks) are not emulated, and Linux panics on a #GP from them.
        d &= ~((1 << 7) | (1 << 14));
        // MTRR (Table 3-11): none (MTRRcap reads 0, msr.ts) and MTRRdefType is not emulated; Linux
        // would read it (a #GP) and then skip PAT setup either way.
        d &= ~(1 << 12);
      }
      c = hideFeatures(1, 0, ECX, c);
    } else if (leaf == 7) {                         // the leaves cpu-features.ts names (its test checks)
      const sub = <u32>getReg(RCX);
      b = hideFeatures(7, sub, EBX, b);
      c = hideFeatures(7, sub, ECX, c);
      d = hideFeatures(7, sub, EDX, d);
    } else if (leaf == 0x80000001) {
      c &= ~(1 << 2);                               // SVM
      c = hideFeatures(0x80000001, 0, ECX, c);
    }
  }
  setReg(RAX, <u64>a);
  setReg(RBX, <u64>b);
  setReg(RCX, <u64>c);
  setReg(RDX, <u64>d);
  return skipInstruction("cpuid");
}
