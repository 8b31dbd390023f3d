// CPUID policy: the host's values, minus what the guest must not see (virtualization extensions,
// x2APIC), plus the hypervisor-present bit and wisp's own leaves 0x40000000..0x400000FF.

import { hostCpuid } from "./host";
import { getReg, setReg, RAX, RBX, RCX, RDX, skipInstruction } from "./vcpu";

export const HYPERCALL_ABI_VERSION: u32 = (1 << 16) | 0;
const SIGNATURE: u32 = 0x70736977;                  // "wisp" read as a little-endian u32

const out: usize = memory.data(16, 16);             // eax, ebx, ecx, edx

function policy(leaf: u32, subleaf: u32): void {
  if (leaf >= 0x40000000 && leaf <= 0x400000ff) {   // hypervisor range (like KVM's "KVMKVMKVM")
    store<u32>(out, 0); store<u32>(out, 0, 4); store<u32>(out, 0, 8); store<u32>(out, 0, 12);
    if (leaf == 0x40000000) {
      store<u32>(out, 0x40000001);                  // highest hypervisor leaf
      store<u32>(out, SIGNATURE, 4);                // ebx, ecx, edx: "wispwispwisp"
      store<u32>(out, SIGNATURE, 8);
      store<u32>(out, SIGNATURE, 12);
    } else if (leaf == 0x40000001) {
      store<u32>(out, HYPERCALL_ABI_VERSION);
    }
    return;
  }
  hostCpuid(leaf, subleaf, out);
  if (leaf == 1) {
    let ecx = load<u32>(out, 8);
    ecx |= 1 << 31;                                 // hypervisor present
    ecx &= ~(1 << 5);                               // VMX
    ecx &= ~(1 << 21);                              // x2APIC: the guest gets no APIC virtualization
    store<u32>(out, ecx, 8);
    // MCE and MCA (SDM vol. 2A, CPUID Table 3-11; SDM vol. 3B, 16.3): the machine-check MSRs
    // (IA32_MCG_CAP/STATUS, banks) are not emulated, and Linux panics on a #GP from them.
    store<u32>(out, load<u32>(out, 12) & ~((1 << 7) | (1 << 14)), 12);
  } else if (leaf == 0x80000001) {
    store<u32>(out, load<u32>(out, 8) & ~(1 << 2), 8); // SVM
  } else if (leaf == 0x8000000a) {                  // SVM features: none
    store<u32>(out, 0); store<u32>(out, 0, 4); store<u32>(out, 0, 8); store<u32>(out, 0, 12);
  }
}

/** CPUID exit: leaf in eax, subleaf in ecx; results zero-extended into rax, rbx, rcx, rdx. */
export function handleCpuid(): u32 {
  policy(<u32>getReg(RAX), <u32>getReg(RCX));
  setReg(RAX, <u64>load<u32>(out));
  setReg(RBX, <u64>load<u32>(out, 4));
  setReg(RCX, <u64>load<u32>(out, 8));
  setReg(RDX, <u64>load<u32>(out, 12));
  return skipInstruction("cpuid");
}
