// Blue-pill (docs/deployment.md, "Firmware driver and blue-pill"): the firmware, and the OS it
// boots, run as the guest of one instance per CPU, on the machine's own devices. Port I/O, HLT,
// interrupts and most MSRs never exit; what does exit and reaches the core here:
// - CPUID: the host's values with the hypervisor leaves (cpuid.ts),
// - hypercalls, including the protected-memory probe (hypercall.ts),
// - writes to the local APIC's page, mapped read-only by the nested page table, so that INIT and
//   STARTUP IPIs are the hypervisor's to deliver (devices/host-apic.ts),
// - any access to wisp's own memory, which the nested page table leaves unmapped: reads see all
//   ones, writes are dropped,
// - the SVM MSRs VM_CR and VM_HSAVE_PA: #GP, as on a CPU without SVM (CPUID hides it),
// - writes of IA32_APIC_BASE: the guest may enable or disable its local APIC, but not move it away
//   from the page wisp watches nor switch to x2APIC (whose ICR is an MSR): either would let it send
//   real INITs and take a CPU out of the hypervisor. #GP, as for a reserved bit.
import { resetResult } from "./result";
import { resetStats } from "./exit-stats";
import { setConsoleName } from "./console";
import { hostApicEnable } from "../host";
import { getReg, RAX, RCX, RDX, injectGeneralProtection, skipInstruction } from "../cpu/vcpu";

const IA32_APIC_BASE: u32 = 0x1b;                  // SDM vol. 3A, 11.4.4 Figure 11-5
const APIC_BASE_BSP: u64 = 1 << 8;
const APIC_BASE_ENABLE: u64 = 1 << 11;

let active = false;
let apicPage: u64 = 0xfee00000;                     // IA32_APIC_BASE's reset value (SDM vol. 3A, 11.4.4)
const NAME: usize = memory.data<u8>([0x62, 0x6c, 0x75, 0x65, 0x2d, 0x70, 0x69, 0x6c, 0x6c]);   // "blue-pill"

/** True in a blue-pill instance (bluepillSetup was called). */
export function passthrough(): bool {
  return active;
}

/** The guest-physical page of this CPU's local APIC. */
export function hostApicPage(): u64 {
  return apicPage;
}

/**
 * Export: makes this instance the blue-pill guest of one CPU whose local APIC is at `apicBase`
 * (IA32_APIC_BASE, low 12 bits ignored). Instead of vmSetup; there is no configuration.
 */
export function bluepillSetup(apicBase: u64): i32 {
  active = true;
  apicPage = apicBase & ~(<u64>0xfff);
  setConsoleName(NAME, 9);
  resetResult();
  resetStats();
  return 0;
}

/** MSR_WRITE of a blue-pill guest: IA32_APIC_BASE (enable bit only), anything else (VM_CR,
 * VM_HSAVE_PA) #GP. 0: resume. */
export function passthroughMsrWrite(): u32 {
  const value = (getReg(RDX) << 32) | (getReg(RAX) & 0xffffffff);
  if (<u32>getReg(RCX) == IA32_APIC_BASE && (value & ~(APIC_BASE_BSP | APIC_BASE_ENABLE)) == apicPage) {
    hostApicEnable(value);
    return skipInstruction("wrmsr");
  }
  injectGeneralProtection();
  return 0;
}
