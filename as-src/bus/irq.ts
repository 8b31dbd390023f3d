// Interrupt routing. An ISA IRQ line goes to both interrupt controllers, as on a PC with an IOAPIC:
// to the 8259 pair (IRQ n) and to the IOAPIC (GSI n, except IRQ 0, the PIT, which is GSI 2: the
// MADT's "Interrupt Source Override" bus 0, source 0 -> GSI 2, flags 0, the convention of QEMU and
// most firmware). The local APIC is the final target: its own vectors (IOAPIC messages, timer,
// IPIs) come first; the 8259's INTR counts only while LINT0 is an unmasked ExtINT (virtual wire)
// or the APIC is off. The OS masks whichever path it does not use.
//
// Delivery (as-src/README.md, "Interrupts and time"): handleExit ends with deliverInterrupts(),
// which advances the timers and puts the next vector in the vCPU area's `inject` field, or arms
// the interrupt window. pollDevices/acknowledgeInterrupt/nextDeadlineNs are exported as well.

import { nowNs, tscToNs, dueTsc, timerDueTscValue, setTimerDueTsc } from "../vm/clock";
import { hostTsc } from "../host";
import { picSetIrq, picPendingVector, picAcknowledge } from "../devices/i8259";
import { ioapicSetPin } from "../devices/ioapic";
import {
  lapicPendingVector, lapicAcknowledge, lapicPassesExtInt, lapicPollTimer, lapicTimerDeadlineNs,
  lapicTimerDueTsc,
} from "../devices/local-apic";
import { pitPoll, pitDeadlineNs, pitDueNs } from "../devices/i8254";
import { vcpuBase, getReg, setReg, RFLAGS, INJECT } from "../cpu/vcpu";
import {
  AREA_INTERRUPTIBILITY, AREA_INTERRUPT_WINDOW, INTERRUPTIBILITY_SHADOW, INTERRUPTIBILITY_NMI_BLOCKED, WINDOW_INTERRUPT,
  WINDOW_NMI, INJECT_VALID, INJECT_KIND_NMI, INJECT_KIND_SHIFT, DECISION_RESUME, DECISION_IDLE,
} from "../abi";

export const IRQ_PIT: u32 = 0;
export const IRQ_KEYBOARD: u32 = 1;
export const IRQ_COM1: u32 = 4;
export const IRQ_RTC: u32 = 8;

/** The GSI (IOAPIC pin) of ISA IRQ `irq`. */
export function isaIrqToGsi(irq: u32): u32 {
  return irq == IRQ_PIT ? 2 : irq;
}

/** Sets ISA IRQ line `irq` (0-15) to `high` (asserted). */
export function setIrqLevel(irq: u32, high: bool): void {
  picSetIrq(irq, high);
  ioapicSetPin(isaIrqToGsi(irq), high);
}

/** An edge: the line rises and falls again (both controllers latch the rising edge). */
export function pulseIrq(irq: u32): void {
  setIrqLevel(irq, true);
  setIrqLevel(irq, false);
}

const SOURCE_NONE: u32 = 0;
const SOURCE_LAPIC: u32 = 1;
const SOURCE_PIC: u32 = 2;

let pendingSource: u32 = SOURCE_NONE;

// pendingInterruptVector() of the state last seen, valid while `pendingStale` is false: the 8259
// (every register write) and the local APIC (IRR/ISR, register writes, IA32_APIC_BASE) call
// interruptStateChanged() when anything it reads changes, so an exit that touches neither skips it.
let pendingStale: bool = true;
let pendingCached: i32 = -1;

/** The 8259 or the local APIC changed state that pendingInterruptVector() depends on. */
// @ts-ignore: decorator
@inline export function interruptStateChanged(): void {
  pendingStale = true;
}

/** pendingInterruptVector(), computed again only after interruptStateChanged(). */
// @ts-ignore: decorator
@inline function currentPendingVector(): i32 {
  if (pendingStale) {
    pendingStale = false;
    pendingCached = pendingInterruptVector();
  }
  return pendingCached;
}

/** The vector the CPU would take next if it could, or -1. Changes nothing. */
export function pendingInterruptVector(): i32 {
  const v = lapicPendingVector();
  if (v >= 0) {
    pendingSource = SOURCE_LAPIC;
    return v;
  }
  if (lapicPassesExtInt()) {
    const p = picPendingVector();
    if (p >= 0) {
      pendingSource = SOURCE_PIC;
      return p;
    }
  }
  pendingSource = SOURCE_NONE;
  return -1;
}

/**
 * Export: the vCPU takes the interrupt pendingInterruptVector()/pollDevices() reported: the INTA
 * cycle (8259) or IRR -> ISR (local APIC). Returns the vector to inject (the 8259 answers with its
 * spurious vector if the request went away in between), or -1 if there is nothing to take.
 */
export function acknowledgeInterrupt(vector: i32): i32 {
  const now = pendingInterruptVector();
  if (now < 0) return -1;
  if (pendingSource == SOURCE_PIC) return picAcknowledge();
  lapicAcknowledge(<u32>now);
  return now;
}

/**
 * Export: advances the virtual timers to the current time (hostTsc), raising their interrupts,
 * and returns the vector the vCPU should take next, or -1. Nothing is acknowledged.
 */
export function pollDevices(): i32 {
  return pollDevicesInline();
}

// @ts-ignore: decorator
@inline function pollDevicesInline(): i32 {
  const tsc = hostTsc();
  if (tsc >= timerDueTscValue()) pollTimers(tsc);   // else no timer can be due (clock.ts)
  return currentPendingVector();
}

/** Advances the timers to `tsc` (raising what is due) and caches their next event as a TSC value. */
function pollTimers(tsc: u64): void {
  const now = tscToNs(tsc);
  pitPoll(now);
  lapicPollTimer(now);
  const pit = dueTsc(pitDueNs());
  const lapic = lapicTimerDueTsc();
  setTimerDueTsc(pit < lapic ? pit : lapic);
}

/**
 * Export: nanoseconds from now until the next virtual timer event (0: due now), or all ones when
 * no timer is armed. A halted vCPU sleeps at most this long (or until console input).
 */
export function nextDeadlineNs(): u64 {
  const now = nowNs();
  const a = pitDeadlineNs(now);
  const b = lapicTimerDeadlineNs(now);
  return a < b ? a : b;
}

// ---- Event delivery at the end of an exit (docs/architecture.md, "Neutral exit record") ----

const SHADOW = INTERRUPTIBILITY_SHADOW, NMI_BLOCKED = INTERRUPTIBILITY_NMI_BLOCKED;
const RFLAGS_IF: u64 = 1 << 9;
const EVENT_VALID: u64 = INJECT_VALID;              // kind 0 (INJECT_KIND_EXTERNAL): an external interrupt
const VECTOR_NMI: u64 = 2;                          // SDM vol. 3A, 6.3.1
const EVENT_NMI: u64 = VECTOR_NMI | (<u64>INJECT_KIND_NMI << INJECT_KIND_SHIFT) | EVENT_VALID;

// NMIs (SDM vol. 3A, 6.7.1 "Handling Multiple NMIs"; APM vol. 2, 8.2.3): one NMI can be pending
// while another is being handled; the CPU blocks NMIs from the delivery of one until the next
// IRET. The blocking is the CPU's (VMX: virtual-NMI blocking; SVM: the backend tracks it from the
// NMI it injects to the IRET), reported in bit 1 of the area's interruptibility.
let nmiPending: bool = false;

/** An NMI for this vCPU (ICR, LINT0/LINT1 in NMI mode): pending until it can be delivered; one at most. */
export function raiseNmi(): void {
  nmiPending = true;
}


let halted: bool = false;                           // HLT completed, no interrupt taken since

/** HLT with interrupts enabled: the vCPU waits until an interrupt is delivered. */
export function haltUntilInterrupt(): void {
  halted = true;
}

/** Any exit but INTERRUPT shows the vCPU ran: it is not waiting in HLT any more. */
export function vcpuRan(): void {
  halted = false;
}

/**
 * Called by handleExit before it resumes the guest: advances the timers, injects the next
 * interrupt if the guest can take it now (IF set, no interrupt shadow, no event already queued),
 * and otherwise arms the interrupt window. Returns DECISION_IDLE while a halted vCPU has nothing
 * to take, so the shim sleeps and calls handleExit(INTERRUPT) later.
 */
export function deliverInterrupts(): u32 {
  let vector = pollDevicesInline();
  let window: u32 = 0;
  if (nmiPending) {
    const blocking = load<u32>(vcpuBase + <usize>AREA_INTERRUPTIBILITY);
    if ((blocking & (SHADOW | NMI_BLOCKED)) == 0 && (getReg(INJECT) & EVENT_VALID) == 0) {
      setReg(INJECT, EVENT_NMI);                    // NMIs are not masked by RFLAGS.IF, and wake HLT
      nmiPending = false;
      halted = false;
    } else if ((blocking & NMI_BLOCKED) != 0) {
      window = WINDOW_NMI;
    }
    // Behind an interrupt shadow or another event: the next exit delivers it (at the latest the
    // host's timer tick, 1 ms).
  }
  if (vector >= 0) {
    const canTake = (getReg(RFLAGS) & RFLAGS_IF) != 0 &&
      (load<u32>(vcpuBase + <usize>AREA_INTERRUPTIBILITY) & SHADOW) == 0 && (getReg(INJECT) & EVENT_VALID) == 0;
    if (canTake) {
      vector = acknowledgeInterrupt(vector);
      if (vector >= 0) {
        setReg(INJECT, <u64>vector | EVENT_VALID);
        halted = false;
      }
      if (currentPendingVector() >= 0) window |= WINDOW_INTERRUPT;   // the next one, once this handler allows
    } else {
      window |= WINDOW_INTERRUPT;
    }
  }
  store<u32>(vcpuBase + <usize>AREA_INTERRUPT_WINDOW, window);
  return halted ? DECISION_IDLE : DECISION_RESUME;
}
