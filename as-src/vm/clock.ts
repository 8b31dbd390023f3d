// Guest time: nanoseconds derived from the host's time-stamp counter, whose rate (kHz) the shim
// passes once at setup (setTscKhz). The guest's TSC runs at the host's rate (RDTSC is not
// intercepted) from its own origin: guest TSC = host TSC + the area's tscOffset, which the shim
// gives the CPU (docs/architecture.md, "vCPU state area"). Integer arithmetic only; every product
// is split so that it stays below 2^64 for any TSC value.

import { hostTsc } from "../host";
import { getReg, setReg, TSC_OFFSET } from "../cpu/vcpu";

const NS_PER_S: u64 = 1_000_000_000;
const NS_PER_MS: u64 = 1_000_000;

let tscKhz: u64 = 1_000_000;                        // 1 GHz until the shim says otherwise
let tscKhzMeasured: u32 = 0;                        // 0 until the shim has said

/** Export: the host TSC frequency in kHz, measured by the shim. 0 is ignored. */
export function setTscKhz(khz: u32): void {
  if (khz != 0) { tscKhz = khz; tscKhzMeasured = khz; }
  timersChanged();                                  // cached deadlines were converted with the old rate
}

/** The TSC rate the shim measured (kHz), 0 if it has not said: what the guest is told (cpuid.ts). */
export function measuredTscKhz(): u32 {
  return tscKhzMeasured;
}

// The timers' next event as a host-TSC value, so that pollDevices (irq.ts) costs one hostTsc() and
// a compare on an exit where nothing is due: irq.ts recomputes it whenever it advances the timers,
// and every change to a timer's programming resets it to 0 ("poll now"), after which irq.ts
// recomputes it. It may be early (a poll that finds nothing due), never late.
let timerDueTsc: u64 = 0;

/** A timer was programmed, stopped or re-clocked: the next pollDevices advances the timers. */
// @ts-ignore: decorator
@inline export function timersChanged(): void {
  timerDueTsc = 0;
}

// @ts-ignore: decorator
@inline export function timerDueTscValue(): u64 {
  return timerDueTsc;
}

export function setTimerDueTsc(tsc: u64): void {
  timerDueTsc = tsc;
}

/** TSC ticks to nanoseconds: ticks * 10^6 / kHz. */
export function tscToNs(ticks: u64): u64 {
  return (ticks / tscKhz) * NS_PER_MS + (ticks % tscKhz) * NS_PER_MS / tscKhz;
}

/** Nanoseconds to TSC ticks, rounded up (a deadline is never early). */
export function nsToTsc(ns: u64): u64 {
  const rest = (ns % NS_PER_MS) * tscKhz;
  return (ns / NS_PER_MS) * tscKhz + rest / NS_PER_MS + (rest % NS_PER_MS != 0 ? 1 : 0);
}

/**
 * The first TSC value whose time (tscToNs) is at least `ns`: nsToTsc, but NO_DEADLINE stays
 * NO_DEADLINE and a time beyond the TSC's range saturates to it.
 */
export function dueTsc(ns: u64): u64 {
  if (ns / NS_PER_MS >= NO_DEADLINE / tscKhz) return NO_DEADLINE;
  return nsToTsc(ns);
}

/** The guest's time-stamp counter: what its RDTSC reads now. */
export function guestTsc(): u64 {
  return hostTsc() + getReg(TSC_OFFSET);
}

/** Sets the guest's TSC to `value` now (a WRMSR to IA32_TSC, or the reset to 0 at VM start). */
export function setGuestTsc(value: u64): void {
  setReg(TSC_OFFSET, value - hostTsc());
  timersChanged();                                  // a TSC deadline's host time moved
}

/** The host TSC at which the guest's TSC reaches `value` (now if it has), NO_DEADLINE if never. */
export function hostTscAtGuest(value: u64): u64 {
  const host = hostTsc();
  const guest = host + getReg(TSC_OFFSET);
  if (value <= guest) return host;
  const ahead = value - guest;
  return ahead >= NO_DEADLINE - host ? NO_DEADLINE : host + ahead;
}

/** The current guest time in nanoseconds (an arbitrary origin: only differences matter). */
export function nowNs(): u64 {
  return tscToNs(hostTsc());
}

/** Whole ticks of a `hz` clock in `ns` nanoseconds: ns * hz / 10^9 (hz below 2^32). */
export function ticksIn(ns: u64, hz: u64): u64 {
  return (ns / NS_PER_S) * hz + (ns % NS_PER_S) * hz / NS_PER_S;
}

/** Nanoseconds that `ticks` of a `hz` clock take, rounded up: ticks * 10^9 / hz (hz below 2^32). */
export function nsForTicks(ticks: u64, hz: u64): u64 {
  const rest = (ticks % hz) * NS_PER_S;
  return (ticks / hz) * NS_PER_S + rest / hz + (rest % hz != 0 ? 1 : 0);
}

/** "No deadline": nextDeadlineNs() returns it when no timer is armed. */
export const NO_DEADLINE: u64 = 0xffffffffffffffff;
