// Intel 8254 programmable interval timer (82C54 datasheet: "Control Word Format", "Read-Back
// Command", "Modes", "Counter Latch Command") at 0x40-0x43, clocked at 1.193182 MHz. Counter 0
// drives ISA IRQ 0; counter 2's gate and output are on port 0x61 (IBM PC/AT "System Control Port
// B"), which Linux uses to calibrate the TSC. Counts are derived from guest time, not ticked.
// BCD counting (control word bit 0) is recorded but counts are binary.

import { ticksIn, nsForTicks, NO_DEADLINE, nowNs, timersChanged } from "../vm/clock";
import { pulseIrq, IRQ_PIT } from "../bus/irq";

export const PIT_BASE: u32 = 0x40;
export const PIT_CONTROL: u32 = 0x43;
export const SYSTEM_CONTROL_B: u32 = 0x61;
export const PIT_HZ: u64 = 1193182;

// Per-counter state, three of each.
const counters: usize = memory.data(3 * 64, 8);
const LOAD_NS: usize = 0;                           // u64: when the current count was loaded
const START: usize = 8;                             // u32: the count at LOAD_NS (1..65536)
const RELOAD: usize = 12;                           // u32: the programmed count (1..65536)
const NEXT_IRQ_TICK: usize = 16;                    // u64: counter 0: ticks after LOAD_NS of the next IRQ
const FROZEN: usize = 24;                           // u32: the count while not running
const LATCHED: usize = 28;                          // u32: latched count (Counter Latch Command)
const MODE: usize = 32;                             // u8: 0-5
const ACCESS: usize = 33;                           // u8: 1 LSB, 2 MSB, 3 LSB then MSB
const BCD: usize = 34;                              // u8
const FLAGS: usize = 35;                            // u8: F_* below
const STATUS: usize = 36;                           // u8: latched status byte
const WRITE_LOW: usize = 37;                        // u8: first byte of an LSB/MSB count write

const F_RUNNING: u8 = 0x01;                         // counting (a count was written and the gate is high)
const F_LOADED: u8 = 0x02;                          // a count was written since the control word
const F_NULL_COUNT: u8 = 0x04;                      // status bit 6: the count is not yet in the counter
const F_COUNT_LATCHED: u8 = 0x08;
const F_STATUS_LATCHED: u8 = 0x10;
const F_READ_MSB_NEXT: u8 = 0x20;                   // LSB/MSB access: the next read byte is the MSB
const F_WRITE_MSB_NEXT: u8 = 0x40;
const F_IRQ_ARMED: u8 = 0x80;                       // counter 0: NEXT_IRQ_TICK is valid

let portB: u8 = 0;                                  // port 0x61 bits 0-3 (gate 2, speaker, checks)

// @ts-ignore: decorator
@inline function at(c: u32, field: usize): usize {
  return counters + <usize>c * 64 + field;
}

function flags(c: u32): u8 { return load<u8>(at(c, FLAGS)); }
function hasFlag(c: u32, f: u8): bool { return (load<u8>(at(c, FLAGS)) & f) != 0; }
function setFlag(c: u32, f: u8, on: bool): void {
  store<u8>(at(c, FLAGS), on ? flags(c) | f : flags(c) & ~f);
}
function mode(c: u32): u32 { return load<u8>(at(c, MODE)); }

/** Counters 0 and 1 have their gates tied high; counter 2's is port 0x61 bit 0. */
function gate(c: u32): bool {
  return c != 2 || (portB & 1) != 0;
}

function periodic(c: u32): bool {
  const m = mode(c);
  return m == 2 || m == 3;
}

/** Ticks counted since the count was loaded. */
function elapsedTicks(c: u32, now: u64): u64 {
  const t0 = load<u64>(at(c, LOAD_NS));
  return now > t0 ? ticksIn(now - t0, PIT_HZ) : 0;
}

/** The counting element ("Modes"): derived from the ticks since loading. */
function currentCount(c: u32, now: u64): u32 {
  if (!hasFlag(c, F_RUNNING)) return load<u32>(at(c, FROZEN)) & 0xffff;
  const e = elapsedTicks(c, now);
  const start = <u64>load<u32>(at(c, START));
  const m = mode(c);
  if (m == 2) return <u32>(start - e % start) & 0xffff;
  if (m == 3) {                                     // decrements by two, twice per period
    const half = (start + 1) >> 1;
    return <u32>(start - ((e % start) % half) * 2) & 0xfffe;
  }
  return <u32>(start - e) & 0xffff;                 // modes 0, 1, 4, 5: wraps after terminal count
}

/** OUT of counter c ("Modes", the waveforms). */
function output(c: u32, now: u64): bool {
  const m = mode(c);
  if (!hasFlag(c, F_LOADED)) return m != 0;         // after the control word: mode 0 low, others high
  if (!hasFlag(c, F_RUNNING)) return m != 0 || (load<u32>(at(c, FROZEN)) & 0xffff) == 0;
  const e = elapsedTicks(c, now);
  const start = <u64>load<u32>(at(c, START));
  if (m == 0 || m == 1) return e >= start;          // high at terminal count
  if (m == 2) return e % start != start - 1;        // low for the tick at count 1
  if (m == 3) return e % start < (start + 1) >> 1;  // high for the first half
  return e != start;                                // 4, 5: a one-tick low strobe at terminal count
}

function load16(v: u32): u32 {
  return v == 0 ? 0x10000 : v;                      // a count of 0 means 2^16
}

/** Starts counting from `count` now. */
function startCounting(c: u32, count: u32, now: u64): void {
  store<u64>(at(c, LOAD_NS), now);
  store<u32>(at(c, START), count);
  setFlag(c, F_RUNNING, gate(c));
  if (!gate(c)) store<u32>(at(c, FROZEN), count);
  if (c == 0) {
    store<u64>(at(c, NEXT_IRQ_TICK), <u64>count);   // the rising edge of OUT, one period in
    setFlag(c, F_IRQ_ARMED, gate(c));
  }
}

function writeCount(c: u32, v: u8, now: u64): void {
  const access = load<u8>(at(c, ACCESS));
  let count: u32;
  if (access == 1) count = v;
  else if (access == 2) count = <u32>v << 8;
  else if (!hasFlag(c, F_WRITE_MSB_NEXT)) {
    store<u8>(at(c, WRITE_LOW), v);
    setFlag(c, F_WRITE_MSB_NEXT, true);
    return;
  } else {
    setFlag(c, F_WRITE_MSB_NEXT, false);
    count = load<u8>(at(c, WRITE_LOW)) | (<u32>v << 8);
  }
  count = load16(count);
  store<u32>(at(c, RELOAD), count);
  setFlag(c, F_LOADED, true);
  setFlag(c, F_NULL_COUNT, false);
  startCounting(c, count, now);
}

function readCounter(c: u32, now: u64): u8 {
  if (hasFlag(c, F_STATUS_LATCHED)) {
    setFlag(c, F_STATUS_LATCHED, false);
    return load<u8>(at(c, STATUS));
  }
  const latched = hasFlag(c, F_COUNT_LATCHED);
  const value = latched ? load<u32>(at(c, LATCHED)) : currentCount(c, now);
  const access = load<u8>(at(c, ACCESS));
  let msb: bool;
  if (access == 3) {
    msb = hasFlag(c, F_READ_MSB_NEXT);
    setFlag(c, F_READ_MSB_NEXT, !msb);
  } else {
    msb = access == 2;
  }
  if (latched && (access != 3 || msb)) setFlag(c, F_COUNT_LATCHED, false);
  return msb ? <u8>(value >> 8) : <u8>value;
}

function latchCount(c: u32, now: u64): void {
  if (hasFlag(c, F_COUNT_LATCHED)) return;          // a second latch before reading is ignored
  store<u32>(at(c, LATCHED), currentCount(c, now));
  setFlag(c, F_COUNT_LATCHED, true);
}

/** "Read-Back Command": status byte = OUT, null count, access, mode, BCD. */
function latchStatus(c: u32, now: u64): void {
  if (hasFlag(c, F_STATUS_LATCHED)) return;
  const s = (output(c, now) ? 0x80 : 0) | (hasFlag(c, F_NULL_COUNT) ? 0x40 : 0) |
    (load<u8>(at(c, ACCESS)) << 4) | (<u8>mode(c) << 1) | load<u8>(at(c, BCD));
  store<u8>(at(c, STATUS), <u8>s);
  setFlag(c, F_STATUS_LATCHED, true);
}

function writeControl(v: u8, now: u64): void {
  const sc = <u32>v >> 6;
  if (sc == 3) {                                    // read-back: D5 = 0 latch count, D4 = 0 status
    for (let c: u32 = 0; c < 3; c++) {
      if ((<u32>v & (<u32>2 << c)) == 0) continue;
      if ((v & 0x10) == 0) latchStatus(c, now);
      if ((v & 0x20) == 0) latchCount(c, now);
    }
    return;
  }
  const access = (v >> 4) & 3;
  if (access == 0) {                                // Counter Latch Command
    latchCount(sc, now);
    return;
  }
  let m = (<u32>v >> 1) & 7;
  if (m >= 6) m -= 4;                               // 6 and 7 are 2 and 3
  store<u8>(at(sc, MODE), <u8>m);
  store<u8>(at(sc, ACCESS), <u8>access);
  store<u8>(at(sc, BCD), v & 1);
  store<u32>(at(sc, FROZEN), currentCount(sc, now));
  // A control word stops the counter until a count is written; OUT goes to its initial state.
  store<u8>(at(sc, FLAGS), F_NULL_COUNT);
}

/** Port 0x61 gate 2 changes ("Modes": gate behaviour). */
function setGate2(high: bool, now: u64): void {
  const c: u32 = 2;
  if (!hasFlag(c, F_LOADED) || high == hasFlag(c, F_RUNNING)) return;
  if (!high) {
    store<u32>(at(c, FROZEN), currentCount(c, now));
    setFlag(c, F_RUNNING, false);
    return;
  }
  const m = mode(c);
  // Modes 0 and 4 resume where they stopped; 1, 2, 3 and 5 are (re)triggered by the rising gate.
  const count = m == 0 || m == 4 ? load16(load<u32>(at(c, FROZEN)) & 0xffff) : load<u32>(at(c, RELOAD));
  startCounting(c, count, now);
}

/** IN from 0x40-0x43 and 0x61. */
export function pitIn(port: u32): u8 {
  const now = nowNs();
  if (port == SYSTEM_CONTROL_B) {
    // Bit 4 toggles every refresh cycle (15.085 us); bit 5 is OUT of counter 2.
    const refresh: u8 = <u8>((now / 15085) & 1) << 4;
    return (portB & 0x0f) | refresh | (output(2, now) ? 0x20 : 0);
  }
  if (port == PIT_CONTROL) return 0xff;             // the control register cannot be read
  return readCounter(port - PIT_BASE, now);
}

/** OUT to 0x40-0x43 and 0x61. */
export function pitOut(port: u32, v: u8): void {
  const now = nowNs();
  timersChanged();                                  // counter 0's next IRQ may move (irq.ts polls)
  if (port == SYSTEM_CONTROL_B) {
    portB = v & 0x0f;
    setGate2((v & 1) != 0, now);
  } else if (port == PIT_CONTROL) {
    writeControl(v, now);
  } else {
    writeCount(port - PIT_BASE, v, now);
  }
}

export function isPitPort(port: u32): bool {
  return port - PIT_BASE < 4 || port == SYSTEM_CONTROL_B;
}

/** Raises IRQ 0 for a rising edge of counter 0's OUT that is due (missed periods coalesce). */
export function pitPoll(now: u64): void {
  const c: u32 = 0;
  if (!hasFlag(c, F_IRQ_ARMED) || !hasFlag(c, F_RUNNING)) return;
  const e = elapsedTicks(c, now);
  const next = load<u64>(at(c, NEXT_IRQ_TICK));
  if (e < next) return;
  pulseIrq(IRQ_PIT);
  if (periodic(c)) {
    const period = <u64>load<u32>(at(c, START));
    store<u64>(at(c, NEXT_IRQ_TICK), (e / period + 1) * period);
  } else {
    setFlag(c, F_IRQ_ARMED, false);                 // modes 0, 1, 4, 5: once per count written
  }
}

/**
 * The guest time (ns) from which pitPoll raises counter 0's next interrupt, or NO_DEADLINE:
 * ticksIn(now - LOAD_NS) >= NEXT_IRQ_TICK exactly when now >= LOAD_NS + nsForTicks(NEXT_IRQ_TICK).
 */
export function pitDueNs(): u64 {
  const c: u32 = 0;
  if (!hasFlag(c, F_IRQ_ARMED) || !hasFlag(c, F_RUNNING)) return NO_DEADLINE;
  return load<u64>(at(c, LOAD_NS)) + nsForTicks(load<u64>(at(c, NEXT_IRQ_TICK)), PIT_HZ);
}

/** Nanoseconds from `now` until counter 0's next interrupt, or NO_DEADLINE. */
export function pitDeadlineNs(now: u64): u64 {
  const due = pitDueNs();
  if (due == NO_DEADLINE) return NO_DEADLINE;
  return due <= now ? 0 : due - now;
}
