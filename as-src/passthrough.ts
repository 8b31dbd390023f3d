// Blue-pill (docs/deployment.md, "Firmware driver and blue-pill"): the firmware, and the OS it
// boots, run as the guest of one instance per CPU, on the machine's own devices. Port I/O, HLT,
// interrupts and most MSRs never exit; what does exit and reaches the core here:
// - CPUID: the host's values with the hypervisor leaves (cpuid.ts),
// - hypercalls, including the protected-memory probe (hypercall.ts),
// - writes to the local APIC's page, mapped read-only by the nested page table, so that INIT and
//   STARTUP IPIs are the hypervisor's to deliver (devices/host-apic.ts),
// - any access to wisp's own memory, which the nested page table leaves unmapped: reads see all
//   ones, writes are dropped,
// - the SVM MSRs VM_CR and VM_HSAVE_PA: #GP, as on a CPU without SVM (CPUID hides it).
import { resetResult } from "./result";
import { resetStats } from "./exit-stats";
import { setConsoleName } from "./console";

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
