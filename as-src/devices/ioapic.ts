// I/O APIC with 24 input pins (Intel 82093AA I/O APIC datasheet, 3.0 "Register Description"):
// IOREGSEL at base + 0x00 selects a register, IOWIN at base + 0x10 reads and writes it. Pin n is
// global system interrupt n (irq.ts maps the ISA IRQs). Messages go to the one local APIC.

import { lapicAcceptInterrupt, lapicDestinationMatches } from "./local-apic";

export const IOAPIC_BASE: u64 = 0xfec00000;
export const IOAPIC_PINS: u32 = 24;

const IOREGSEL: u32 = 0x00;
const IOWIN: u32 = 0x10;

// 3.2 "IOAPIC Registers": indirect register indexes.
const IOAPICID: u32 = 0x00;
const IOAPICVER: u32 = 0x01;
const IOAPICARB: u32 = 0x02;
const IOREDTBL: u32 = 0x10;                         // 0x10 + 2 * pin: low dword, + 1: high dword

// 3.2.4 "IOREDTBL[23:0]": redirection entry bits.
const RTE_DELIVERY_MODE: u64 = 7 << 8;
const RTE_DEST_LOGICAL: u64 = 1 << 11;
const RTE_DELIVERY_STATUS: u64 = 1 << 12;           // read-only
const RTE_REMOTE_IRR: u64 = 1 << 14;                // read-only: a level interrupt awaits its EOI
const RTE_LEVEL: u64 = 1 << 15;
const RTE_MASKED: u64 = 1 << 16;
const RTE_WRITABLE: u64 = 0xff000000_0001afff;      // vector, mode, dest mode, polarity, trigger, mask, dest
const MODE_FIXED: u64 = 0 << 8;
const MODE_LOWEST: u64 = 1 << 8;

// IOAPICVER: version 0x11 (the 82093AA's), maximum redirection entry 23.
const VERSION: u32 = ((IOAPIC_PINS - 1) << 16) | 0x11;

const table: usize = memory.data(<i32>IOAPIC_PINS * 8, 8);
let tableReady: bool = false;                       // entries reset to masked on first use
let select: u32 = 0;
let ioapicId: u32 = 0;                              // bits 27:24 of IOAPICID; the MADT says 0
let pinLevels: u32 = 0;                             // asserted inputs, one bit per pin

function entry(pin: u32): u64 {
  if (!tableReady) resetTable();
  return load<u64>(table + (<usize>pin << 3));
}

function setEntry(pin: u32, v: u64): void {
  store<u64>(table + (<usize>pin << 3), v);
}

/** 3.2.4: every entry starts masked (bit 16 set). */
function resetTable(): void {
  tableReady = true;
  for (let pin: u32 = 0; pin < IOAPIC_PINS; pin++) setEntry(pin, RTE_MASKED);
}

/** Sends the entry's interrupt message to the local APIC if it is addressed there. */
function deliver(pin: u32, e: u64): void {
  const mode = e & RTE_DELIVERY_MODE;
  if (mode != MODE_FIXED && mode != MODE_LOWEST) return;    // SMI, NMI, INIT, ExtINT: not wired
  if (!lapicDestinationMatches(<u32>(e >> 56), (e & RTE_DEST_LOGICAL) != 0)) return;
  const level = (e & RTE_LEVEL) != 0;
  if (level) setEntry(pin, e | RTE_REMOTE_IRR);
  lapicAcceptInterrupt(<u32>e & 0xff, level);
}

/** A level entry whose input is asserted delivers once, then waits for the EOI (remote IRR). */
function serviceLevel(pin: u32): void {
  const e = entry(pin);
  if ((e & (RTE_LEVEL | RTE_MASKED | RTE_REMOTE_IRR)) == RTE_LEVEL && (pinLevels & (1 << pin)) != 0) {
    deliver(pin, e);
  }
}

/**
 * Input pin `pin` (a GSI) changes to asserted (`high`) or not. The level is the logical one:
 * polarity (bit 13) is the wiring's business, not the sender's. Edge entries send on the rising
 * edge only; masked edges are lost (datasheet 3.2.4, "Interrupt Mask").
 */
export function ioapicSetPin(pin: u32, high: bool): void {
  if (pin >= IOAPIC_PINS) return;
  const bit: u32 = 1 << pin;
  const wasHigh = (pinLevels & bit) != 0;
  pinLevels = high ? pinLevels | bit : pinLevels & ~bit;
  const e = entry(pin);
  if ((e & RTE_LEVEL) != 0) serviceLevel(pin);
  else if (high && !wasHigh && (e & RTE_MASKED) == 0) deliver(pin, e);
}

/** The local APIC's EOI of a level-triggered `vector`: clears remote IRR of entries with it. */
export function ioapicEndOfInterrupt(vector: u32): void {
  for (let pin: u32 = 0; pin < IOAPIC_PINS; pin++) {
    const e = entry(pin);
    if ((e & RTE_REMOTE_IRR) != 0 && (<u32>e & 0xff) == vector) {
      setEntry(pin, e & ~RTE_REMOTE_IRR);
      serviceLevel(pin);                            // still asserted: deliver again
    }
  }
}

function readRegister(index: u32): u32 {
  if (index == IOAPICID) return ioapicId << 24;
  if (index == IOAPICVER) return VERSION;
  if (index == IOAPICARB) return ioapicId << 24;
  if (index >= IOREDTBL && index < IOREDTBL + 2 * IOAPIC_PINS) {
    const e = entry((index - IOREDTBL) >> 1);
    return (index & 1) != 0 ? <u32>(e >> 32) : <u32>e;
  }
  return 0xffffffff;
}

function writeRegister(index: u32, v: u32): void {
  if (index == IOAPICID) {
    ioapicId = (v >> 24) & 0xf;
  } else if (index >= IOREDTBL && index < IOREDTBL + 2 * IOAPIC_PINS) {
    const pin = (index - IOREDTBL) >> 1;
    const old = entry(pin);
    let e = (index & 1) != 0 ? (old & 0xffffffff) | (<u64>v << 32) : (old & 0xffffffff_00000000) | v;
    e = (e & RTE_WRITABLE) | (old & RTE_REMOTE_IRR);
    if ((e & RTE_LEVEL) == 0) e &= ~RTE_REMOTE_IRR;
    setEntry(pin, e & ~RTE_DELIVERY_STATUS);
    serviceLevel(pin);                              // e.g. unmasking an asserted level input
  }
}

/** MMIO read of `size` bytes at `offset` from the IOAPIC base. */
export function ioApicRead(offset: u32, size: u32): u64 {
  let v: u32;
  if (offset == IOREGSEL) v = select;
  else if (offset >= IOWIN && offset < IOWIN + 4) v = readRegister(select) >>> ((offset - IOWIN) << 3);
  else return 0;
  return size >= 4 ? <u64>v : <u64>v & ((<u64>1 << (<u64>size << 3)) - 1);
}

/** MMIO write. IOREGSEL is 8 bits; IOWIN takes 32-bit writes. */
export function ioApicWrite(offset: u32, size: u32, value: u64): void {
  if (offset == IOREGSEL) select = <u32>value & 0xff;
  else if (offset == IOWIN && size >= 4) writeRegister(select, <u32>value);
}
