// Hypercalls (VMMCALL): function number in rax, arguments in rbx, rcx, rdx, result in rax
// (all ones for an unknown function or a bad argument). docs/architecture.md, "Hypercalls".
//
// Privilege: the arguments are guest input from whatever code runs, and CONSOLE_WRITE's pointer is
// a guest-physical address that bypasses the caller's paging. So only VERSION, EXIT_STATS and
// PROTECTED_PROBE, which read no guest memory, may be called from CPL > 0; every other number
// (CONSOLE_WRITE, the test hypercalls, unknown ones) raises #UD there, which is what VMMCALL does
// on a CPU with no hypervisor to take it (APM vol. 3, VMMCALL).

import { guestRead, hostCanary } from "./host";
import {
  getReg, setReg, RAX, RBX, RCX, RDX, skipInstruction, currentPrivilegeLevel, injectException, VECTOR_UD,
} from "./cpu/vcpu";
import { consolePutByte } from "./vm/console";
import { setIrqLevel } from "./bus/irq";
import { exitCount } from "./vm/exit-stats";
import {
  STATS_COUNT, WISP_SIGNATURE, HC_VERSION as ABI_HC_VERSION, HC_CONSOLE_WRITE as ABI_HC_CONSOLE_WRITE,
  HC_EXIT_STATS as ABI_HC_EXIT_STATS, HC_PROTECTED_PROBE as ABI_HC_PROTECTED_PROBE, HC_TEST_TRAP as ABI_HC_TEST_TRAP,
  HC_TEST_MMIO as ABI_HC_TEST_MMIO, HC_TEST_LINT as ABI_HC_TEST_LINT, HC_TEST_IRQ as ABI_HC_TEST_IRQ,
} from "./abi";
import { HYPERCALL_ABI_VERSION } from "./cpu/cpuid";
import { LOCAL_APIC_BASE, localApicRead, localApicWrite, lapicAssertLint } from "./devices/local-apic";
import { IOAPIC_BASE, ioApicRead, ioApicWrite } from "./devices/ioapic";

// The numbers (abi.ts) as u64, for comparison with rax.
const HC_VERSION = <u64>ABI_HC_VERSION, HC_CONSOLE_WRITE = <u64>ABI_HC_CONSOLE_WRITE, HC_EXIT_STATS = <u64>ABI_HC_EXIT_STATS;
const HC_PROTECTED_PROBE = <u64>ABI_HC_PROTECTED_PROBE, HC_TEST_TRAP = <u64>ABI_HC_TEST_TRAP;
const HC_TEST_MMIO = <u64>ABI_HC_TEST_MMIO, HC_TEST_LINT = <u64>ABI_HC_TEST_LINT, HC_TEST_IRQ = <u64>ABI_HC_TEST_IRQ;

const ALL_ONES: u64 = 0xffffffffffffffff;
const CONSOLE_WRITE_MAX: u32 = 4096;
const consoleBuffer: usize = memory.data(<i32>CONSOLE_WRITE_MAX, 16);
const canary: usize = memory.data(16, 8);          // address, value

function consoleWriteCall(gpa: u64, length: u64): u64 {
  if (length > CONSOLE_WRITE_MAX) return ALL_ONES;
  const n = <u32>length;
  if (guestRead(gpa, consoleBuffer, n) == 0) return ALL_ONES;
  for (let i: u32 = 0; i < n; i++) consolePutByte(load<u8>(consoleBuffer + i));
  return length;
}

/**
 * Unit tests reach the APIC and IOAPIC registers without the instruction emulator: rbx = the
 * guest-physical address, rcx = size (bits 0-7) | write (bit 8), rdx = the value written.
 */
function testMmio(gpa: u64, sizeAndWrite: u64, value: u64): u64 {
  const size = <u32>sizeAndWrite & 0xff;
  const write = (sizeAndWrite & 0x100) != 0;
  if (gpa - LOCAL_APIC_BASE < 0x1000) {
    const offset = <u32>(gpa - LOCAL_APIC_BASE);
    if (!write) return localApicRead(offset, size);
    localApicWrite(offset, size, value);
    return 0;
  }
  if (gpa - IOAPIC_BASE < 0x1000) {
    const offset = <u32>(gpa - IOAPIC_BASE);
    if (!write) return ioApicRead(offset, size);
    ioApicWrite(offset, size, value);
    return 0;
  }
  return ALL_ONES;
}

/** A real out-of-bounds access, so the instance traps and the shim's trap recovery is tested. */
function testTrap(): u64 {
  return load<u64>(<usize>memory.size() << 16);
}

/** The hypercalls user mode may make: none of them reads guest memory. */
function unprivileged(fn: u64): bool {
  return fn == HC_VERSION || fn == HC_EXIT_STATS || fn == HC_PROTECTED_PROBE;
}

export function handleHypercall(): u32 {
  const fn = getReg(RAX);
  if (currentPrivilegeLevel() != 0 && !unprivileged(fn)) {
    injectException(VECTOR_UD, 0);                  // the VMMCALL is not completed: RIP stays on it
    return 0;
  }
  let result: u64 = ALL_ONES;
  if (fn == HC_VERSION) {
    result = HYPERCALL_ABI_VERSION;
    setReg(RBX, WISP_SIGNATURE);                    // "wisp"
  } else if (fn == HC_CONSOLE_WRITE) {
    result = consoleWriteCall(getReg(RBX), getReg(RCX));
  } else if (fn == HC_EXIT_STATS) {
    const reason = getReg(RBX);
    if (reason < STATS_COUNT) result = exitCount(<u32>reason);   // a reason, or 16: refused MSRs
  } else if (fn == HC_PROTECTED_PROBE) {
    // rbx = guest-physical address of a canary inside wisp's protected memory, rcx = its value as
    // wisp reads it: a guest that writes there and asks again sees whether the write got through.
    if (hostCanary(canary) != 0) {
      result = 0;
      setReg(RBX, load<u64>(canary));
      setReg(RCX, load<u64>(canary, 8));
    }
  } else if (fn == HC_TEST_TRAP) {
    if (isDefined(WISP_TEST_BUILD)) {
      if (WISP_TEST_BUILD != 0) result = testTrap();
    }
  } else if (fn == HC_TEST_MMIO) {
    if (isDefined(WISP_TEST_BUILD)) {
      if (WISP_TEST_BUILD != 0) result = testMmio(getReg(RBX), getReg(RCX), getReg(RDX));
    }
  } else if (fn == HC_TEST_LINT) {
    if (isDefined(WISP_TEST_BUILD)) {
      if (WISP_TEST_BUILD != 0) { lapicAssertLint(<u32>getReg(RBX) & 1); result = 0; }
    }
  } else if (fn == HC_TEST_IRQ) {
    if (isDefined(WISP_TEST_BUILD)) {
      if (WISP_TEST_BUILD != 0) { setIrqLevel(<u32>getReg(RBX) & 15, getReg(RCX) != 0); result = 0; }
    }
  }
  setReg(RAX, result);
  return skipInstruction("vmmcall");
}
