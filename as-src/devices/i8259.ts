// Intel 8259A programmable interrupt controller pair (8259A datasheet, "Programming the 8259A",
// ICW1-ICW4 and OCW1-OCW3), wired as on the PC: the master at 0x20-0x21 takes IRQ 0-7, the slave
// at 0xA0-0xA1 IRQ 8-15 and cascades into master IR2. Plus the edge/level control registers
// (ELCR, Intel 82371AB PIIX4 datasheet 4.1.13 "ELCR1/ELCR2") at 0x4D0 (master) and 0x4D1 (slave).
// The pair's INTR output is read, not pushed: picPendingVector() peeks at it and picAcknowledge()
// is the INTA cycle.

import { interruptStateChanged } from "../bus/irq";

export const PIC_MASTER_BASE: u32 = 0x20;
export const PIC_SLAVE_BASE: u32 = 0xa0;
export const ELCR_BASE: u32 = 0x4d0;

const MASTER: i32 = 0;
const SLAVE: i32 = 1;
const CASCADE_IR: u32 = 2;                          // the slave's INT on master IR2

// Per-chip state, index 0 master, 1 slave. u8 registers in static memory, one byte per chip.
const state: usize = memory.data(32);
const IRR: usize = 0;                               // interrupt request register
const ISR: usize = 2;                               // in-service register
const IMR: usize = 4;                               // interrupt mask register (OCW1)
const LINES: usize = 6;                             // input levels seen last (edge detection)
const BASE: usize = 8;                              // vector base, ICW2 bits 7-3
const LOWEST: usize = 10;                           // rotation: the IR with the lowest priority + 1
const INIT_STEP: usize = 12;                        // 0 ready, 1 expecting ICW2, 2 ICW3, 3 ICW4
const FLAGS: usize = 14;                            // F_* below
const ELCR: usize = 16;                             // 1 = level-triggered input

const F_ICW4: u8 = 0x01;                            // ICW1 IC4: an ICW4 follows
const F_SINGLE: u8 = 0x02;                          // ICW1 SNGL: no cascade, no ICW3
const F_AUTO_EOI: u8 = 0x04;                        // ICW4 AEOI
const F_ROTATE_AEOI: u8 = 0x08;                     // OCW2 rotate in automatic EOI mode
const F_SFNM: u8 = 0x10;                            // ICW4 special fully nested mode
const F_READ_ISR: u8 = 0x20;                        // OCW3 RR/RIS: port 0 reads ISR instead of IRR
const F_POLL: u8 = 0x40;                            // OCW3 P: the next read is a poll
const F_SPECIAL_MASK: u8 = 0x80;                    // OCW3 ESMM/SMM

// Which ELCR bits exist (PIIX4: IRQ 0, 1, 2, 8 and 13 are always edge-triggered).
const ELCR_MASK_MASTER: u8 = 0xf8;
const ELCR_MASK_SLAVE: u8 = 0xde;

// @ts-ignore: decorator
@inline function get(chip: i32, reg: usize): u8 {
  return load<u8>(state + reg + <usize>chip);
}

// @ts-ignore: decorator
@inline function put(chip: i32, reg: usize, v: u8): void {
  interruptStateChanged();                          // every register write: the INTR output may change
  store<u8>(state + reg + <usize>chip, v);
}

function hasFlag(chip: i32, f: u8): bool {
  return (get(chip, FLAGS) & f) != 0;
}

function setFlag(chip: i32, f: u8, on: bool): void {
  const v = get(chip, FLAGS);
  put(chip, FLAGS, on ? v | f : v & ~f);
}

/** Priority 0 (highest) .. 7 of the highest-priority bit set in `bits`, 8 if none (rotation aware). */
function highestPriority(chip: i32, bits: u8): u32 {
  if (bits == 0) return 8;
  const lowest = <u32>get(chip, LOWEST);
  let p: u32 = 0;
  while ((<u32>bits & (<u32>1 << ((p + lowest) & 7))) == 0) p++;
  return p;
}

/** The IR line this chip would signal now (datasheet "Fully nested mode"), or -1. */
function chipPendingIr(chip: i32): i32 {
  const requested = get(chip, IRR) & ~get(chip, IMR);
  const p = highestPriority(chip, requested);
  if (p == 8) return -1;
  let serving = get(chip, ISR);
  if (hasFlag(chip, F_SPECIAL_MASK)) serving &= ~get(chip, IMR);
  // Special fully nested mode: a further request from the slave may interrupt its own service.
  if (chip == MASTER && hasFlag(chip, F_SFNM)) serving &= ~<u8>(<u32>1 << CASCADE_IR);
  if (p >= highestPriority(chip, serving)) return -1;
  return <i32>((p + <u32>get(chip, LOWEST)) & 7);
}

/** An input line changed: edge inputs latch IRR on a rising edge, level inputs follow the line. */
function chipSetLine(chip: i32, ir: u32, high: bool): void {
  const bit = <u8>(<u32>1 << ir);
  const lines = get(chip, LINES);
  if ((get(chip, ELCR) & bit) != 0) {
    put(chip, IRR, high ? get(chip, IRR) | bit : get(chip, IRR) & ~bit);
  } else if (high && (lines & bit) == 0) {
    put(chip, IRR, get(chip, IRR) | bit);
  }
  put(chip, LINES, high ? lines | bit : lines & ~bit);
}

/** The slave's INT output drives master IR2; it is held as a level, so that a second slave request
 * that is still waiting after the first was acknowledged asks again. */
function updateCascade(): void {
  const bit = <u8>(<u32>1 << CASCADE_IR);
  const irr = get(MASTER, IRR);
  put(MASTER, IRR, chipPendingIr(SLAVE) >= 0 ? irr | bit : irr & ~bit);
}

/** Sets the level of ISA IRQ line `irq` (0-15). */
export function picSetIrq(irq: u32, high: bool): void {
  if (irq < 8) chipSetLine(MASTER, irq, high);
  else chipSetLine(SLAVE, irq & 7, high);
  updateCascade();
}

/** The INTA cycle on one chip: IRR -> ISR (unless automatic EOI), edge requests cleared. */
function chipAcknowledge(chip: i32, ir: u32): void {
  const bit = <u8>(<u32>1 << ir);
  if (hasFlag(chip, F_AUTO_EOI)) {
    if (hasFlag(chip, F_ROTATE_AEOI)) put(chip, LOWEST, <u8>((ir + 1) & 7));
  } else {
    put(chip, ISR, get(chip, ISR) | bit);
  }
  if ((get(chip, ELCR) & bit) == 0) put(chip, IRR, get(chip, IRR) & ~bit);
}

/** The vector the pair's INTR output asks for, or -1 when INTR is low. Changes nothing. */
export function picPendingVector(): i32 {
  const ir = chipPendingIr(MASTER);
  if (ir < 0) return -1;
  if (<u32>ir == CASCADE_IR && !hasFlag(MASTER, F_SINGLE)) {
    const sir = chipPendingIr(SLAVE);
    return <i32>get(SLAVE, BASE) + (sir >= 0 ? sir : 7);
  }
  return <i32>get(MASTER, BASE) + ir;
}

/**
 * INTA: the CPU takes the interrupt. Returns the vector; a request that went away in between gives
 * the spurious IR7 vector of the chip concerned (datasheet "Interrupt Sequence").
 */
export function picAcknowledge(): i32 {
  let vector: i32;
  const ir = chipPendingIr(MASTER);
  if (ir < 0) {
    vector = <i32>get(MASTER, BASE) + 7;
  } else {
    if (<u32>ir == CASCADE_IR && !hasFlag(MASTER, F_SINGLE)) {
      const sir = chipPendingIr(SLAVE);
      if (sir >= 0) {
        chipAcknowledge(SLAVE, <u32>sir);
        vector = <i32>get(SLAVE, BASE) + sir;
      } else {
        vector = <i32>get(SLAVE, BASE) + 7;
      }
    } else {
      vector = <i32>get(MASTER, BASE) + ir;
    }
    chipAcknowledge(MASTER, <u32>ir);
  }
  updateCascade();
  return vector;
}

/** Clears the ISR bit of `ir`; with `rotate` it becomes the lowest priority (OCW2). */
function endOfInterrupt(chip: i32, ir: u32, rotate: bool): void {
  put(chip, ISR, get(chip, ISR) & ~(<u8>(<u32>1 << ir)));
  if (rotate) put(chip, LOWEST, <u8>((ir + 1) & 7));
}

/** Port 0 write: ICW1 (D4 = 1), OCW3 (D4 = 0, D3 = 1) or OCW2 (D4 = 0, D3 = 0). */
function writeCommand(chip: i32, v: u8): void {
  if ((v & 0x10) != 0) {                            // ICW1: reinitialise
    put(chip, IRR, get(chip, IRR) & get(chip, ELCR));   // level requests survive
    put(chip, ISR, 0);
    put(chip, IMR, 0);
    put(chip, LINES, 0);
    put(chip, LOWEST, 0);
    put(chip, FLAGS, (v & 0x01 ? F_ICW4 : 0) | (v & 0x02 ? F_SINGLE : 0));
    put(chip, INIT_STEP, 1);                        // LTIM (D3) is ignored: the ELCR decides
  } else if ((v & 0x08) != 0) {                     // OCW3
    if ((v & 0x04) != 0) setFlag(chip, F_POLL, true);
    if ((v & 0x02) != 0) setFlag(chip, F_READ_ISR, (v & 0x01) != 0);
    if ((v & 0x40) != 0) setFlag(chip, F_SPECIAL_MASK, (v & 0x20) != 0);
  } else {                                          // OCW2: R, SL, EOI in D7-D5, level in D2-D0
    const ir = <u32>v & 7;
    switch (v >> 5) {
      case 0: { setFlag(chip, F_ROTATE_AEOI, false); break; }   // clear rotate in AEOI mode
      case 4: { setFlag(chip, F_ROTATE_AEOI, true); break; }    // set rotate in AEOI mode
      case 1: case 5: {                             // non-specific EOI (5: and rotate)
        const p = highestPriority(chip, get(chip, ISR));
        if (p != 8) endOfInterrupt(chip, (p + <u32>get(chip, LOWEST)) & 7, (v >> 5) == 5);
        break;
      }
      case 3: { endOfInterrupt(chip, ir, false); break; }       // specific EOI
      case 7: { endOfInterrupt(chip, ir, true); break; }        // rotate on specific EOI
      case 6: { put(chip, LOWEST, <u8>((ir + 1) & 7)); break; } // set priority: ir lowest
      default: break;                               // 2: no operation
    }
  }
}

/** Port 1 write: the next ICW in the initialisation sequence, else OCW1 (the mask). */
function writeData(chip: i32, v: u8): void {
  const step = get(chip, INIT_STEP);
  if (step == 1) {                                  // ICW2: vector base (T7-T3)
    put(chip, BASE, v & 0xf8);
    put(chip, INIT_STEP, hasFlag(chip, F_SINGLE) ? (hasFlag(chip, F_ICW4) ? 3 : 0) : 2);
  } else if (step == 2) {                           // ICW3: cascade wiring, fixed on the PC
    put(chip, INIT_STEP, hasFlag(chip, F_ICW4) ? 3 : 0);
  } else if (step == 3) {                           // ICW4: uPM (8086 mode) assumed, AEOI, SFNM
    setFlag(chip, F_AUTO_EOI, (v & 0x02) != 0);
    setFlag(chip, F_SFNM, (v & 0x10) != 0);
    put(chip, INIT_STEP, 0);
  } else {
    put(chip, IMR, v);                              // OCW1
  }
}

/** Read of `port` offset 0 or 1 of a chip. A pending poll command takes precedence (OCW3 P). */
function readChip(chip: i32, offset: u32): u8 {
  if (hasFlag(chip, F_POLL)) {                      // poll word: I (D7) and the level (D2-D0)
    setFlag(chip, F_POLL, false);
    const ir = chipPendingIr(chip);
    if (ir < 0) return 0;
    chipAcknowledge(chip, <u32>ir);
    if (chip == SLAVE) updateCascade();
    return 0x80 | <u8>ir;
  }
  if (offset == 1) return get(chip, IMR);
  return hasFlag(chip, F_READ_ISR) ? get(chip, ISR) : get(chip, IRR);
}

/** IN from 0x20-0x21, 0xA0-0xA1 or 0x4D0-0x4D1. */
export function picIn(port: u32): u8 {
  if (port - ELCR_BASE < 2) return get(<i32>(port & 1), ELCR);
  return readChip(port >= PIC_SLAVE_BASE ? SLAVE : MASTER, port & 1);
}

/** OUT to 0x20-0x21, 0xA0-0xA1 or 0x4D0-0x4D1. */
export function picOut(port: u32, v: u8): void {
  if (port - ELCR_BASE < 2) {
    const chip = <i32>(port & 1);
    put(chip, ELCR, v & (chip == MASTER ? ELCR_MASK_MASTER : ELCR_MASK_SLAVE));
  } else {
    const chip = port >= PIC_SLAVE_BASE ? SLAVE : MASTER;
    if ((port & 1) == 0) writeCommand(chip, v);
    else writeData(chip, v);
  }
  updateCascade();
}

/** True for the ports this file handles. */
export function isPicPort(port: u32): bool {
  return port - PIC_MASTER_BASE < 2 || port - PIC_SLAVE_BASE < 2 || port - ELCR_BASE < 2;
}
