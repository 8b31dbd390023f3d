// MSR policy: the MSRs of the features the guest's CPUID reports (cpu-features.ts: inert counters,
// and TSC_ADJUST and TSC_AUX, emulated here) and the architectural ones emulated here. A read or write of any other MSR gets #GP(0), as on a CPU without
// that MSR, and the instruction is not completed (rip stays); each such MSR is named once per VM.

import { guestTsc, setGuestTsc } from "../vm/clock";
import { featureMsr } from "./cpu-features";
import { countRefusedMsr } from "../vm/exit-stats";
import { messageStart, messageString, messageHex, messageEnd } from "../vm/console";
import {
  apicBaseRead, apicBaseWrite, tscDeadlineRead, tscDeadlineWrite, x2apicReadable, x2apicRead, x2apicWrite,
} from "../devices/local-apic";
import {
  getReg, setReg, RAX, RCX, RDX, CR0, EFER, PAT, TSC_AUX, skipInstruction, injectGeneralProtection,
} from "./vcpu";

export const MSR_TSC: u32 = 0x10;
export const MSR_APIC_BASE: u32 = 0x1b;
export const MSR_TSC_ADJUST: u32 = 0x3b;          // with CPUID leaf 7 EBX bit 1 (cpu-features.ts)
export const MSR_MTRRCAP: u32 = 0xfe;
export const MSR_MISC_ENABLE: u32 = 0x1a0;
export const MSR_PAT: u32 = 0x277;
export const MSR_TSC_DEADLINE: u32 = 0x6e0;
export const MSR_X2APIC_FIRST: u32 = 0x800;       // x2APIC registers 0x800-0x8FF (devices/local-apic.ts)
export const MSR_X2APIC_LAST: u32 = 0x8ff;
export const MSR_EFER: u32 = 0xc0000080;
export const MSR_TSC_AUX: u32 = 0xc0000103;
// AMD family 0Fh/10h "Interrupt Pending Message" (BKDG for family 10h, MSRC001_0055), read-only
// here: 0, C1E never active. Linux reads it on CPUs with erratum 400 (QEMU's TCG CPU is family 0Fh).
export const MSR_INT_PENDING_MSG: u32 = 0xc0010055;

// EFER bits the guest may write: SCE (0), LME (8), LMA (10: set by the CPU, writes ignored), NXE (11).
const EFER_SCE: u64 = 1 << 0;
const EFER_LME: u64 = 1 << 8;
const EFER_LMA: u64 = 1 << 10;
const EFER_NXE: u64 = 1 << 11;
const CR0_PG: u64 = 1 << 31;
// IA32_MISC_ENABLE (SDM vol. 4, Table 2-2), read-only: fast strings on (0), branch trace storage (11)
// and PEBS (12) unavailable. Linux's verify_cpu reads it with a plain RDMSR on Intel family 6
// model >= 0xd (a #GP there is a triple fault).
const MISC_ENABLE: u64 = (1 << 0) | (1 << 11) | (1 << 12);

// IA32_TSC_ADJUST (SDM vol. 3B, 18.17.3): a write to IA32_TSC adds the change to it, and a write
// to it changes the TSC by as much. Both are the one offset in the area (clock.ts).
let tscAdjust: u64 = 0;

function writeTsc(value: u64): void {
  tscAdjust += value - guestTsc();
  setGuestTsc(value);
}

function writeTscAdjust(value: u64): void {
  setGuestTsc(guestTsc() + (value - tscAdjust));
  tscAdjust = value;
}

/** SDM 11.12.2: each PAT entry must be UC(0), WC(1), WT(4), WP(5), WB(6) or UC-(7). */
export function validPat(value: u64): bool {
  for (let i: u64 = 0; i < 64; i += 8) {
    const type = (value >> i) & 0xff;
    if (type == 2 || type == 3 || type > 7) return false;
  }
  return true;
}

const NAMED_MAX: i32 = 16;                          // refused MSRs named per VM; then one more line
const named: usize = memory.data(NAMED_MAX * 4, 4);  // static: the core allocates nothing at run time
let namedCount: i32 = 0;

/** "rdmsr 0xc0010299: #GP (not an MSR of this CPU model)", once per MSR and VM. */
function nameRefused(write: bool, msr: u32): void {
  for (let i = 0; i < namedCount && i < NAMED_MAX; i++) if (load<u32>(named + (<usize>i << 2)) == msr) return;
  if (namedCount > NAMED_MAX) return;
  messageStart();
  if (namedCount == NAMED_MAX) {
    messageString("further refused MSRs are not named");
  } else {
    store<u32>(named + (<usize>namedCount << 2), msr);
    messageString(write ? "wrmsr " : "rdmsr ");
    messageHex(msr);
    messageString(": #GP (not an MSR of this CPU model, or a value it refuses)");
  }
  messageEnd();
  namedCount++;
}

function refuse(write: bool): u32 {
  countRefusedMsr();
  nameRefused(write, <u32>getReg(RCX));
  injectGeneralProtection();
  return 0;
}

/** RDMSR exit: MSR number in ecx, value into edx:eax. */
export function handleMsrRead(): u32 {
  const msr = <u32>getReg(RCX);
  let value: u64;
  if (msr == MSR_EFER) value = getReg(EFER);
  else if (msr == MSR_TSC) value = guestTsc();
  else if (msr == MSR_PAT) value = getReg(PAT);
  else if (msr == MSR_APIC_BASE) value = apicBaseRead();
  else if (msr == MSR_TSC_DEADLINE) value = tscDeadlineRead();
  else if (msr - MSR_X2APIC_FIRST <= MSR_X2APIC_LAST - MSR_X2APIC_FIRST) {
    if (!x2apicReadable(msr)) return refuse(false);      // xAPIC mode, or not a readable register
    value = x2apicRead(msr);
  }
  else if (msr == MSR_MTRRCAP) value = 0;           // no MTRRs
  else if (msr == MSR_MISC_ENABLE) value = MISC_ENABLE;
  else if (msr == MSR_INT_PENDING_MSG) value = 0;
  else if (featureMsr(msr) > 0) {                   // a reported feature's MSR: emulated, or inert
    value = msr == MSR_TSC_ADJUST ? tscAdjust : msr == MSR_TSC_AUX ? getReg(TSC_AUX) : 0;
  }
  else return refuse(false);
  setReg(RAX, value & 0xffffffff);
  setReg(RDX, value >> 32);
  return skipInstruction("rdmsr");
}

/** WRMSR exit: MSR number in ecx, value in edx:eax. */
export function handleMsrWrite(): u32 {
  const msr = <u32>getReg(RCX);
  const value = (getReg(RDX) << 32) | (getReg(RAX) & 0xffffffff);
  if (msr == MSR_EFER) {
    const old = getReg(EFER);
    if ((value & ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE)) != 0) return refuse(true);
    // SDM 2.2.1: changing LME while paging is enabled raises #GP.
    if ((getReg(CR0) & CR0_PG) != 0 && ((old ^ value) & EFER_LME) != 0) return refuse(true);
    setReg(EFER, (value & (EFER_SCE | EFER_LME | EFER_NXE)) | (old & EFER_LMA));
  } else if (msr == MSR_PAT) {
    if (!validPat(value)) return refuse(true);
    setReg(PAT, value);
  } else if (msr == MSR_APIC_BASE) {
    if (!apicBaseWrite(value)) return refuse(true);     // cannot move; only valid mode transitions
  } else if (msr == MSR_TSC_DEADLINE) {
    tscDeadlineWrite(value);
  } else if (msr - MSR_X2APIC_FIRST <= MSR_X2APIC_LAST - MSR_X2APIC_FIRST) {
    if (!x2apicWrite(msr, value)) return refuse(true);
  } else if (msr == MSR_TSC) {
    writeTsc(value);
  } else if (msr == MSR_MISC_ENABLE) {
    if (value != MISC_ENABLE) return refuse(true);      // read-only: only its own value is accepted
  } else {
    if (featureMsr(msr) <= 0) return refuse(true);   // MTRRcap and all the rest
    if (msr == MSR_TSC_ADJUST) writeTscAdjust(value);
    else if (msr == MSR_TSC_AUX) {
      if ((value >> 32) != 0) return refuse(true);      // bits 63:32 reserved (SDM vol. 4, Table 2-2)
      setReg(TSC_AUX, value);
    }
  }
  return skipInstruction("wrmsr");
}
