// The local APIC of the one vCPU: Intel SDM vol. 3A, chapter 11 "Advanced Programmable Interrupt
// Controller (APIC)" (chapter 12 in the 2024+ editions; sections cited by name). xAPIC registers
// through MMIO at 0xFEE00000 (localApicRead/localApicWrite, called by the MMIO bus with the offset
// in the page), x2APIC through MSRs 0x800-0x8FF once IA32_APIC_BASE.EXTD is set (msr.ts calls
// x2apicRead/x2apicWrite). The timer counts at a 1 GHz bus clock, like QEMU's, so one tick is one
// nanosecond before the divider.

import { nowNs, tscToNs, dueTsc, timersChanged, guestTsc, hostTscAtGuest, NO_DEADLINE } from "../vm/clock";
import { ioapicEndOfInterrupt } from "./ioapic";
import { interruptStateChanged, raiseNmi } from "../bus/irq";

export const LOCAL_APIC_BASE: u64 = 0xfee00000;
export const LOCAL_APIC_TIMER_KHZ: u32 = 1_000_000;  // the 1 GHz bus clock (what CPUID tells the guest)

// "Local APIC Register Address Map" (xAPIC offsets; the x2APIC MSR is 0x800 + offset / 16).
const REG_ID: u32 = 0x020;
const REG_VERSION: u32 = 0x030;
const REG_TPR: u32 = 0x080;
const REG_APR: u32 = 0x090;
const REG_PPR: u32 = 0x0a0;
const REG_EOI: u32 = 0x0b0;
const REG_RRD: u32 = 0x0c0;
const REG_LDR: u32 = 0x0d0;
const REG_DFR: u32 = 0x0e0;
const REG_SVR: u32 = 0x0f0;
const REG_ISR: u32 = 0x100;                         // 0x100-0x170, 8 x 32 bits
const REG_TMR: u32 = 0x180;                         // 0x180-0x1f0
const REG_IRR: u32 = 0x200;                         // 0x200-0x270
const REG_ESR: u32 = 0x280;
const REG_LVT_CMCI: u32 = 0x2f0;
const REG_ICR_LOW: u32 = 0x300;
const REG_ICR_HIGH: u32 = 0x310;
const REG_LVT_TIMER: u32 = 0x320;
const REG_LVT_THERMAL: u32 = 0x330;
const REG_LVT_PERF: u32 = 0x340;
const REG_LVT_LINT0: u32 = 0x350;
const REG_LVT_LINT1: u32 = 0x360;
const REG_LVT_ERROR: u32 = 0x370;
const REG_TIMER_INITIAL: u32 = 0x380;
const REG_TIMER_CURRENT: u32 = 0x390;
const REG_TIMER_DIVIDE: u32 = 0x3e0;
const REG_SELF_IPI: u32 = 0x3f0;                    // x2APIC only (MSR 0x83F)

// "Local APIC Version Register": version 0x14 (integrated APIC), max LVT entry 5 (timer, thermal,
// performance, LINT0, LINT1, error: six, like QEMU), no EOI-broadcast suppression (bit 24).
const VERSION: u32 = 0x00050014;

const LVT_MASKED: u32 = 1 << 16;
const LVT_DELIVERY_MODE: u32 = 7 << 8;
const DELIVERY_FIXED: u32 = 0 << 8;               // delivery modes ("Local Vector Table", "ICR")
const DELIVERY_NMI: u32 = 4 << 8;
const DELIVERY_EXTINT: u32 = 7 << 8;
const TIMER_MODE_SHIFT: u32 = 17;                   // "Local Vector Table": bits 18:17
const TIMER_ONE_SHOT: u32 = 0;
const TIMER_PERIODIC: u32 = 1;
const TIMER_TSC_DEADLINE: u32 = 2;
const SVR_ENABLE: u32 = 1 << 8;

// Writable bits of each LVT entry ("Local Vector Table", figure "Local Vector Table (LVT)").
const LVT_TIMER_BITS: u32 = 0x700ff;                // vector, mask, timer mode
const LVT_LINT_BITS: u32 = 0x1a7ff;                 // vector, delivery mode, polarity, trigger, mask
const LVT_OTHER_BITS: u32 = 0x107ff;                // vector, delivery mode, mask (thermal, perf, CMCI)
const LVT_ERROR_BITS: u32 = 0x100ff;                // vector, mask

// "Error Handling": ESR bits.
const ESR_SEND_ILLEGAL_VECTOR: u32 = 1 << 5;
const ESR_RECEIVE_ILLEGAL_VECTOR: u32 = 1 << 6;
const ESR_ILLEGAL_REGISTER: u32 = 1 << 7;

// IA32_APIC_BASE ("Local APIC Status and Location"): BSP (8), EXTD x2APIC mode (10), EN (11).
const APIC_BASE_BSP: u64 = 1 << 8;
const APIC_BASE_EXTD: u64 = 1 << 10;
const APIC_BASE_EN: u64 = 1 << 11;

let apicBase: u64 = LOCAL_APIC_BASE | APIC_BASE_EN | APIC_BASE_BSP;
let apicId: u32 = 0;
let tpr: u32 = 0;
let ldr: u32 = 0;
let dfr: u32 = 0xffffffff;                          // flat model
let svr: u32 = 0xff;                                // software-disabled at reset
let esr: u32 = 0;
let esrPending: u32 = 0;                            // errors since the last ESR write
let icrLow: u32 = 0;
let icrHigh: u32 = 0;
let lvtTimer: u32 = LVT_MASKED;
let lvtThermal: u32 = LVT_MASKED;
let lvtPerf: u32 = LVT_MASKED;
// The BSP's LINT0 in virtual-wire mode (ExtINT, unmasked), as the BIOS leaves it ("Local Vector
// Table"; MP spec 3.6.2.2) and as QEMU resets it: the 8259 reaches the CPU until the OS says otherwise.
let lvtLint0: u32 = DELIVERY_EXTINT;
let lvtLint1: u32 = LVT_MASKED;
let lvtError: u32 = LVT_MASKED;
let lvtCmci: u32 = LVT_MASKED;

// ISR, TMR, IRR: 256 bits each ("Interrupt, Task, and Processor Priority": IRR, ISR, TMR).
const bits: usize = memory.data(96, 16);
const ISR_BITS: usize = 0;
const TMR_BITS: usize = 32;
const IRR_BITS: usize = 64;

// Timer ("APIC Timer"): counting runs from timerStartNs; the divider is a power of two.
let timerInitial: u32 = 0;
let timerDivideConfig: u32 = 0;                     // divide by 2
let timerShift: u32 = 1;
let timerStartNs: u64 = 0;
let timerNextNs: u64 = 0;                           // next expiry while timerRunning
let timerRunning: bool = false;
let tscDeadline: u64 = 0;                           // IA32_TSC_DEADLINE, 0 disarmed

// @ts-ignore: decorator
@inline function testBit(set: usize, v: u32): bool {
  return (load<u32>(bits + set + ((<usize>v >> 5) << 2)) & (1 << (v & 31))) != 0;
}

function assignBit(set: usize, v: u32, on: bool): void {
  interruptStateChanged();                          // IRR or ISR: the pending vector may change
  const at = bits + set + ((<usize>v >> 5) << 2);
  const m: u32 = 1 << (v & 31);
  store<u32>(at, on ? load<u32>(at) | m : load<u32>(at) & ~m);
}

/** The highest vector set in a 256-bit register, or -1. */
function highestBit(set: usize): i32 {
  for (let i: i32 = 7; i >= 0; i--) {
    const w = load<u32>(bits + set + (<usize>i << 2));
    if (w != 0) return (i << 5) + 31 - <i32>clz(w);
  }
  return -1;
}

export function x2apicEnabled(): bool {
  return (apicBase & APIC_BASE_EXTD) != 0;
}

function globallyEnabled(): bool {
  return (apicBase & APIC_BASE_EN) != 0;
}

function softwareEnabled(): bool {
  return (svr & SVR_ENABLE) != 0;
}

/** "Processor Priority Register (PPR)". */
function processorPriority(): u32 {
  const isrv = highestBit(ISR_BITS);
  const isrClass: u32 = isrv < 0 ? 0 : <u32>isrv & 0xf0;
  return (tpr & 0xf0) >= isrClass ? tpr & 0xff : isrClass;
}

function signalError(bit: u32): void {
  esrPending |= bit;
  if ((lvtError & LVT_MASKED) == 0) acceptVector(lvtError & 0xff, false);
}

/** An interrupt message arrives for this APIC ("Interrupt Acceptance for Fixed Interrupts"). */
function acceptVector(vector: u32, level: bool): void {
  if (vector < 16) {                                // vectors 0-15 are illegal
    if (vector != (lvtError & 0xff)) signalError(ESR_RECEIVE_ILLEGAL_VECTOR);
    else esrPending |= ESR_RECEIVE_ILLEGAL_VECTOR;
    return;
  }
  assignBit(IRR_BITS, vector, true);
  assignBit(TMR_BITS, vector, level);
}

/** A fixed interrupt from the IOAPIC (or any other bus agent). `level`: level-triggered. */
export function lapicAcceptInterrupt(vector: u32, level: bool): void {
  if (globallyEnabled()) acceptVector(vector, level);
}

/**
 * Does this APIC match an 8-bit destination ("Determining IPI Destination")? `logical` selects the
 * logical destination mode (flat or cluster model per DFR; x2APIC: cluster in LDR). 0xFF: all.
 */
export function lapicDestinationMatches(dest: u32, logical: bool): bool {
  if (!globallyEnabled()) return false;
  if (x2apicEnabled()) {
    if (dest == 0xffffffff || (!logical && dest == 0xff)) return true;
    if (!logical) return dest == apicId;
    return (dest >> 16) == (ldr >> 16) && (dest & ldr & 0xffff) != 0;
  }
  dest &= 0xff;
  if (dest == 0xff) return true;
  if (!logical) return dest == apicId;
  const id = ldr >> 24;
  if ((dfr >> 28) == 0xf) return (dest & id) != 0;  // flat model: a bit per APIC
  return (dest >> 4) == (id >> 4) && (dest & id & 0xf) != 0;   // cluster model
}

/** True when the 8259's INTR reaches the CPU: LINT0 is an unmasked ExtINT, or the APIC is off. */
export function lapicPassesExtInt(): bool {
  if (!globallyEnabled()) return true;
  return (lvtLint0 & LVT_MASKED) == 0 && (lvtLint0 & LVT_DELIVERY_MODE) == DELIVERY_EXTINT;
}

/** The vector the APIC would present to the CPU now ("Interrupt Acceptance"), or -1. */
export function lapicPendingVector(): i32 {
  if (!globallyEnabled()) return -1;
  const irrv = highestBit(IRR_BITS);
  if (irrv < 0 || (<u32>irrv & 0xf0) <= (processorPriority() & 0xf0)) return -1;
  return irrv;
}

/** The CPU takes `vector`: IRR -> ISR. */
export function lapicAcknowledge(vector: u32): void {
  assignBit(IRR_BITS, vector, false);
  assignBit(ISR_BITS, vector, true);
}

/** "EOI Register": retire the highest in-service vector; a level-triggered one is broadcast. */
function endOfInterrupt(): void {
  const v = highestBit(ISR_BITS);
  if (v < 0) return;
  assignBit(ISR_BITS, <u32>v, false);
  if (testBit(TMR_BITS, <u32>v)) ioapicEndOfInterrupt(<u32>v);
}

// ---- Timer ("APIC Timer") ----

function timerMode(): u32 {
  return (lvtTimer >> TIMER_MODE_SHIFT) & 3;
}

function timerPeriodNs(): u64 {
  return <u64>timerInitial << timerShift;
}

function startTimer(now: u64): void {
  timersChanged();
  timerStartNs = now;
  timerRunning = timerInitial != 0 && timerMode() != TIMER_TSC_DEADLINE;
  timerNextNs = now + timerPeriodNs();
}

function timerFire(): void {
  if ((lvtTimer & LVT_MASKED) == 0) acceptVector(lvtTimer & 0xff, false);
}

/** "Current Count Register": derived from the time since the count was loaded. */
function timerCurrent(now: u64): u32 {
  if (timerMode() == TIMER_TSC_DEADLINE || timerInitial == 0 || now < timerStartNs) return 0;
  const elapsed = (now - timerStartNs) >> timerShift;
  if (timerMode() == TIMER_PERIODIC) return timerInitial - <u32>(elapsed % <u64>timerInitial);
  return elapsed >= <u64>timerInitial ? 0 : timerInitial - <u32>elapsed;
}

/** Fires the timer if it is due. Called by pollDevices. */
export function lapicPollTimer(now: u64): void {
  if (timerMode() == TIMER_TSC_DEADLINE) {
    if (tscDeadline != 0 && guestTsc() >= tscDeadline) {
      tscDeadline = 0;                              // "TSC-Deadline Mode": one interrupt, then disarmed
      timerFire();
    }
    return;
  }
  if (!timerRunning || now < timerNextNs) return;
  timerFire();                                      // missed periods are coalesced into one interrupt
  if (timerMode() == TIMER_PERIODIC) {
    const period = timerPeriodNs();
    timerNextNs = timerStartNs + ((now - timerStartNs) / period + 1) * period;
  } else {
    timerRunning = false;
  }
}

/** The host TSC from which lapicPollTimer fires the timer, or NO_DEADLINE. */
export function lapicTimerDueTsc(): u64 {
  if (timerMode() == TIMER_TSC_DEADLINE) return tscDeadline == 0 ? NO_DEADLINE : hostTscAtGuest(tscDeadline);
  return timerRunning ? dueTsc(timerNextNs) : NO_DEADLINE;
}

/** Nanoseconds from `now` until the timer fires, or NO_DEADLINE. */
export function lapicTimerDeadlineNs(now: u64): u64 {
  if (timerMode() == TIMER_TSC_DEADLINE) {
    if (tscDeadline == 0) return NO_DEADLINE;
    const tsc = guestTsc();                         // IA32_TSC_DEADLINE is in the guest's TSC
    return tscDeadline <= tsc ? 0 : tscToNs(tscDeadline - tsc) + 1;
  }
  if (!timerRunning) return NO_DEADLINE;
  return timerNextNs <= now ? 0 : timerNextNs - now;
}

/** IA32_TSC_DEADLINE (MSR 0x6E0): reads 0 and ignores writes outside TSC-deadline mode. */
export function tscDeadlineRead(): u64 {
  return timerMode() == TIMER_TSC_DEADLINE ? tscDeadline : 0;
}

export function tscDeadlineWrite(value: u64): void {
  timersChanged();
  if (timerMode() == TIMER_TSC_DEADLINE) tscDeadline = value;
}

// ---- ICR ("Interrupt Command Register (ICR)") ----

function sendIpi(low: u32, dest: u32): void {
  const vector = low & 0xff;
  const mode = (low >> 8) & 7;
  const shorthand = (low >> 18) & 3;
  let toSelf: bool;
  if (shorthand == 1 || shorthand == 2) toSelf = true;          // self, all including self
  else if (shorthand == 3) toSelf = false;                      // all excluding self: nobody here
  else toSelf = lapicDestinationMatches(dest, (low & (1 << 11)) != 0);
  if (mode == 0 || mode == 1) {                     // fixed, lowest priority
    if (vector < 16) { signalError(ESR_SEND_ILLEGAL_VECTOR); return; }
    if (toSelf) acceptVector(vector, false);
  } else if ((low & LVT_DELIVERY_MODE) == DELIVERY_NMI) {   // the vector is ignored
    if (toSelf) raiseNmi();
  }
  // SMI, INIT and start-up IPIs: there is no other CPU to take them.
}

/**
 * The local interrupt pin LINT0 or LINT1 (`pin`) is asserted: what its LVT entry says happens
 * ("Local Vector Table"): nothing while masked or with the APIC off (then LINT1 is the CPU's NMI
 * pin, LINT0 its INTR), an NMI in NMI mode, its vector in fixed mode. ExtINT is the 8259's path
 * (lapicPassesExtInt). On a PC the chipset's NMI sources reach LINT1 (SDM vol. 3A, 11.5.1).
 */
export function lapicAssertLint(pin: u32): void {
  const lvt = pin == 0 ? lvtLint0 : lvtLint1;
  if (!globallyEnabled()) {
    if (pin == 1) raiseNmi();
    return;
  }
  if ((lvt & LVT_MASKED) != 0) return;
  const mode = lvt & LVT_DELIVERY_MODE;
  if (mode == DELIVERY_NMI) raiseNmi();
  else if (mode == DELIVERY_FIXED) acceptVector(lvt & 0xff, false);   // as an edge: no remote IRR modelled
}

// ---- The register file ----

function readRegister(reg: u32): u32 {
  if (reg >= REG_ISR && reg < REG_ISR + 0x80) return load<u32>(bits + ISR_BITS + ((reg - REG_ISR) >> 2));
  if (reg >= REG_TMR && reg < REG_TMR + 0x80) return load<u32>(bits + TMR_BITS + ((reg - REG_TMR) >> 2));
  if (reg >= REG_IRR && reg < REG_IRR + 0x80) return load<u32>(bits + IRR_BITS + ((reg - REG_IRR) >> 2));
  switch (reg) {
    case REG_ID: return x2apicEnabled() ? apicId : apicId << 24;
    case REG_VERSION: return VERSION;
    case REG_TPR: return tpr;
    case REG_APR: return 0;
    case REG_PPR: return processorPriority();
    case REG_LDR: return x2apicEnabled() ? ldr : ldr & 0xff000000;
    case REG_DFR: return dfr;
    case REG_SVR: return svr;
    case REG_ESR: return esr;
    case REG_LVT_CMCI: return lvtCmci;
    case REG_ICR_LOW: return icrLow;
    case REG_ICR_HIGH: return icrHigh;
    case REG_LVT_TIMER: return lvtTimer;
    case REG_LVT_THERMAL: return lvtThermal;
    case REG_LVT_PERF: return lvtPerf;
    case REG_LVT_LINT0: return lvtLint0;
    case REG_LVT_LINT1: return lvtLint1;
    case REG_LVT_ERROR: return lvtError;
    case REG_TIMER_INITIAL: return timerInitial;
    case REG_TIMER_CURRENT: return timerCurrent(nowNs());
    case REG_TIMER_DIVIDE: return timerDivideConfig;
    default: return 0;                              // EOI, RRD, reserved
  }
}

/** An LVT write: while software-disabled the mask bit stays set ("Local APIC State After It Has
 * Been Software Disabled"). */
function lvtValue(v: u32, writable: u32): u32 {
  v &= writable;
  return softwareEnabled() ? v : v | LVT_MASKED;
}

function writeTimerLvt(v: u32): void {
  timersChanged();
  const oldMode = timerMode();
  lvtTimer = lvtValue(v, LVT_TIMER_BITS);
  const mode = timerMode();
  if (mode == oldMode) return;
  // "TSC-Deadline Mode": switching to or from TSC-deadline mode disarms the timer.
  if (mode == TIMER_TSC_DEADLINE || oldMode == TIMER_TSC_DEADLINE) {
    timerRunning = false;
    timerInitial = 0;
    tscDeadline = 0;
  } else if (timerRunning && mode == TIMER_PERIODIC) {
    timerNextNs = timerStartNs + timerPeriodNs();
  }
}

function writeSvr(v: u32): void {
  svr = v & 0x3ff;                                  // vector, APIC enable, focus checking
  if (!softwareEnabled()) {
    lvtTimer |= LVT_MASKED; lvtThermal |= LVT_MASKED; lvtPerf |= LVT_MASKED;
    lvtLint0 |= LVT_MASKED; lvtLint1 |= LVT_MASKED; lvtError |= LVT_MASKED; lvtCmci |= LVT_MASKED;
  }
}

/** "Divide Configuration Register": bits 0, 1 and 3; 0b111 divides by 1, else 2 << value. */
function writeDivide(v: u32): void {
  timersChanged();
  timerDivideConfig = v & 0xb;
  const code = (v & 3) | ((v >> 1) & 4);
  timerShift = code == 7 ? 0 : code + 1;
}

function writeRegister(reg: u32, v: u32): void {
  interruptStateChanged();                          // TPR, EOI, SVR, LINT0, self-IPIs, ...
  switch (reg) {
    case REG_ID: { if (!x2apicEnabled()) apicId = v >> 24; break; }
    case REG_TPR: { tpr = v & 0xff; break; }
    case REG_EOI: { endOfInterrupt(); break; }
    case REG_LDR: { if (!x2apicEnabled()) ldr = v & 0xff000000; break; }
    case REG_DFR: { if (!x2apicEnabled()) dfr = v | 0x0fffffff; break; }
    case REG_SVR: { writeSvr(v); break; }
    case REG_ESR: { esr = esrPending; esrPending = 0; break; }  // "Error Status Register": write, then read
    case REG_LVT_CMCI: { lvtCmci = lvtValue(v, LVT_OTHER_BITS); break; }
    case REG_ICR_LOW: {
      icrLow = v & 0x000ccfff;                      // delivery status (12) always reads idle
      sendIpi(icrLow, x2apicEnabled() ? icrHigh : icrHigh >> 24);
      break;
    }
    case REG_ICR_HIGH: { icrHigh = x2apicEnabled() ? v : v & 0xff000000; break; }
    case REG_LVT_TIMER: { writeTimerLvt(v); break; }
    case REG_LVT_THERMAL: { lvtThermal = lvtValue(v, LVT_OTHER_BITS); break; }
    case REG_LVT_PERF: { lvtPerf = lvtValue(v, LVT_OTHER_BITS); break; }
    case REG_LVT_LINT0: { lvtLint0 = lvtValue(v, LVT_LINT_BITS); break; }
    case REG_LVT_LINT1: { lvtLint1 = lvtValue(v, LVT_LINT_BITS); break; }
    case REG_LVT_ERROR: { lvtError = lvtValue(v, LVT_ERROR_BITS); break; }
    case REG_TIMER_INITIAL: {
      if (timerMode() == TIMER_TSC_DEADLINE) break; // ignored in TSC-deadline mode
      timerInitial = v;
      startTimer(nowNs());
      break;
    }
    case REG_TIMER_DIVIDE: { writeDivide(v); break; }
    case REG_SELF_IPI: { if (x2apicEnabled()) acceptVector(v & 0xff, false); break; }
    default: break;                                 // read-only and reserved registers
  }
}

// ---- xAPIC MMIO ("Local APIC Register Address Map": 32-bit registers on 16-byte boundaries) ----

/** MMIO read of `size` bytes at `offset` in the APIC page. Unaligned bytes of a register read 0. */
export function localApicRead(offset: u32, size: u32): u64 {
  if (!globallyEnabled() || x2apicEnabled()) return 0;   // the MMIO interface is off
  const sub = offset & 0xf;
  if (sub >= 4) return 0;
  const v = <u64>(readRegister(offset & 0xff0) >>> (sub << 3));
  return size >= 4 ? v : v & ((<u64>1 << (<u64>size << 3)) - 1);
}

/** MMIO write. Only accesses at the start of a register count (the SDM requires aligned 32-bit). */
export function localApicWrite(offset: u32, size: u32, value: u64): void {
  if (!globallyEnabled() || x2apicEnabled() || (offset & 0xf) != 0) return;
  if (offset == REG_SELF_IPI) return;               // x2APIC only
  writeRegister(offset & 0xff0, <u32>value);
}

// ---- x2APIC MSRs ("x2APIC Register Address Space") ----

/** True if RDMSR of x2APIC MSR `msr` is valid now (else #GP). */
export function x2apicReadable(msr: u32): bool {
  if (!x2apicEnabled()) return false;
  const reg = (msr - 0x800) << 4;
  if (reg >= REG_ISR && reg < REG_ISR + 0x180) return true;     // ISR, TMR, IRR
  switch (reg) {
    case REG_ID: case REG_VERSION: case REG_TPR: case REG_PPR: case REG_LDR: case REG_SVR:
    case REG_ESR: case REG_LVT_CMCI: case REG_ICR_LOW: case REG_LVT_TIMER: case REG_LVT_THERMAL:
    case REG_LVT_PERF: case REG_LVT_LINT0: case REG_LVT_LINT1: case REG_LVT_ERROR:
    case REG_TIMER_INITIAL: case REG_TIMER_CURRENT: case REG_TIMER_DIVIDE:
      return true;
    default: return false;
  }
}

export function x2apicRead(msr: u32): u64 {
  const reg = (msr - 0x800) << 4;
  if (reg == REG_ICR_LOW) return (<u64>icrHigh << 32) | icrLow;  // the ICR is one 64-bit MSR
  return readRegister(reg);
}

/** WRMSR of an x2APIC MSR; false means #GP (not writable, or reserved bits set). */
export function x2apicWrite(msr: u32, value: u64): bool {
  if (!x2apicEnabled()) return false;
  const reg = (msr - 0x800) << 4;
  switch (reg) {
    case REG_EOI: case REG_ESR: {                   // both take only 0
      if (value != 0) return false;
      break;
    }
    case REG_ICR_LOW: {
      icrHigh = <u32>(value >> 32);
      writeRegister(REG_ICR_LOW, <u32>value);
      return true;
    }
    case REG_TPR: case REG_SVR: case REG_LVT_CMCI: case REG_LVT_TIMER: case REG_LVT_THERMAL:
    case REG_LVT_PERF: case REG_LVT_LINT0: case REG_LVT_LINT1: case REG_LVT_ERROR:
    case REG_TIMER_INITIAL: case REG_TIMER_DIVIDE: case REG_SELF_IPI:
      break;
    default: return false;                          // read-only or reserved
  }
  if ((value >> 32) != 0) return false;
  writeRegister(reg, <u32>value);
  return true;
}

// ---- IA32_APIC_BASE (MSR 0x1B) ----

export function apicBaseRead(): u64 {
  return apicBase;
}

/**
 * "x2APIC State Transitions": disabled <-> xAPIC <-> x2APIC, but x2APIC -> xAPIC only through
 * disabled, and EXTD without EN is invalid. The base address cannot move. False means #GP.
 */
export function apicBaseWrite(value: u64): bool {
  const allowed = LOCAL_APIC_BASE | APIC_BASE_EN | APIC_BASE_EXTD | APIC_BASE_BSP;
  if ((value & ~allowed) != 0 || (value & ~0xfff) != LOCAL_APIC_BASE) return false;
  if ((value & APIC_BASE_BSP) == 0) return false;   // this vCPU stays the BSP
  const en = (value & APIC_BASE_EN) != 0;
  const extd = (value & APIC_BASE_EXTD) != 0;
  if (extd && !en) return false;
  if (!extd && en && x2apicEnabled()) return false;
  interruptStateChanged();                          // enable state, reset below
  timersChanged();
  if (extd && !x2apicEnabled()) {                   // entering x2APIC mode: LDR derives from the ID
    ldr = ((apicId >> 4) << 16) | (1 << (apicId & 0xf));
  }
  if (!en && globallyEnabled()) {                   // globally disabled: back to the reset state
    timerRunning = false; timerInitial = 0; tscDeadline = 0;
    memory.fill(bits, 0, 96);
    svr = 0xff; tpr = 0; ldr = 0; dfr = 0xffffffff;
    lvtTimer = LVT_MASKED; lvtThermal = LVT_MASKED; lvtPerf = LVT_MASKED; lvtLint0 = LVT_MASKED;
    lvtLint1 = LVT_MASKED; lvtError = LVT_MASKED; lvtCmci = LVT_MASKED;
  }
  apicBase = value;
  return true;
}
