// CPUID policy: the host's values, minus what the guest must not see (virtualization extensions,
// x2APIC), plus the hypervisor-present bit and wisp's own leaves 0x40000000..0x400000FF.

import { hostCpuid } from "./host";
import { getReg, setReg, RAX, RBX, RCX, RDX, skipInstruction } from "./vcpu";

export const HYPERCALL_ABI_VERSION: u32 = (1 << 16) | 0;
const SIGNATURE: u32 = 0x70736977;                  // "wisp" read as a little-endian u32

const out: usize = memory.data(16, 16);             // eax, ebx, ecx, edx

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
      a = 0x40000001;                               // highest hypervisor leaf
      b = SIGNATURE; c = SIGNATURE; d = SIGNATURE;  // ebx, ecx, edx: "wispwispwisp"
    } else if (leaf == 0x40000001) {
      a = HYPERCALL_ABI_VERSION;
    }
  } else if (leaf != 0x8000000a) {                  // 0x8000000a, SVM features: none
    hostCpuid(leaf, <u32>getReg(RCX), out);
    a = load<u32>(out); b = load<u32>(out, 4); c = load<u32>(out, 8); d = load<u32>(out, 12);
    if (leaf == 1) {
      c |= 1 << 31;                                 // hypervisor present
      c &= ~(1 << 5);                               // VMX
      c &= ~(1 << 21);                              // x2APIC: the guest gets no APIC virtualization
      // MCE and MCA (SDM vol. 2A, CPUID Table 3-11; SDM vol. 3B, 16.3): the machine-check MSRs
      // (IA32_MCG_CAP/STATUS, banks) are not emulated, and Linux panics on a #GP from them.
      d &= ~((1 << 7) | (1 << 14));
    } else if (leaf == 0x80000001) {
      c &= ~(1 << 2);                               // SVM
    }
  }
  setReg(RAX, <u64>a);
  setReg(RBX, <u64>b);
  setReg(RCX, <u64>c);
  setReg(RDX, <u64>d);
  return skipInstruction("cpuid");
}
