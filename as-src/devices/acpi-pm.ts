// ACPI fixed-feature hardware in I/O space (ACPI 6.5, 4.8.3 "Fixed Hardware Registers"): the PM1a
// event block (status, enable), the PM1a control block and the power-management timer, at the
// ports the FADT names (acpi/layout.ts). What it is for: OSPM's soft-off (S5), a write of the
// \_S5 package's SLP_TYPa with SLP_EN to PM1a_CNT (ACPI 6.5, 16.1.7), ends the VM with POWEROFF.
// Sleeping states S1-S4 are not offered (the DSDT has only \_S5): their writes are ignored.

import {
  PM1A_EVT_PORT, PM1A_CNT_PORT, PM_TMR_PORT, S5_SLP_TYP, SLP_EN, SCI_EN,
} from "../acpi/layout";
import { nowNs, ticksIn } from "../vm/clock";
import { endVm, RESULT_POWEROFF } from "../vm/result";

const PM_TIMER_HZ: u64 = 3579545;               // ACPI 6.5, 4.8.3.3: 3.579545 MHz
const PM_TIMER_MASK: u64 = 0xffffff;            // 24 bits (FADT flag TMR_VAL_EXT clear)
const SLP_TYP_SHIFT: u32 = 10;                  // ACPI 6.5, 4.8.4.2.1 Table 4.14: SLP_TYPx bits 12:10
const SLP_TYP_MASK: u32 = 7;
const STS_WRITE_ONE_TO_CLEAR: u32 = 0xffff;     // ACPI 6.5, 4.8.4.1.1: status bits clear on writing 1

const FIRST: u32 = PM1A_EVT_PORT;               // 0x600..0x60b: status, enable, control, (2 reserved), timer
const PORTS: u32 = PM_TMR_PORT + 4 - PM1A_EVT_PORT;

let status: u32 = 0;                            // PM1a_STS
let enable: u32 = 0;                            // PM1a_EN
let control: u32 = SCI_EN;                      // PM1a_CNT: SCI_EN reads 1 (no SMI_CMD: always ACPI mode)

export function isAcpiPmPort(port: u32): bool {
  return port - FIRST < PORTS;
}

function timer(): u32 {
  return <u32>(ticksIn(nowNs(), PM_TIMER_HZ) & PM_TIMER_MASK);
}

/** The byte at offset o of the block (timer: the value sampled once for the whole access). */
function readByte(o: u32, timerValue: u32): u32 {
  const sh = (o & 1) << 3;
  if (o < 2) return (status >> sh) & 0xff;
  if (o < 4) return (enable >> sh) & 0xff;
  if (o < 6) return (control >> sh) & 0xff;
  if (o >= PM_TMR_PORT - FIRST) return (timerValue >> ((o - (PM_TMR_PORT - FIRST)) << 3)) & 0xff;
  return 0xff;
}

/** A read of `size` bytes at `port`. */
export function acpiPmIn(port: u32, size: u32): u64 {
  const t = timer();
  let v: u64 = 0;
  for (let i: u32 = 0; i < size; i++) {
    const o = port + i - FIRST;
    v |= <u64>(o < PORTS ? readByte(o, t) : 0xff) << (<u64>i << 3);
  }
  return v;
}

/** A write of `size` bytes at `port`; returns 1 if it powered the VM off. */
export function acpiPmOut(port: u32, size: u32, value: u32): u32 {
  let controlWritten = false;
  for (let i: u32 = 0; i < size; i++) {
    const o = port + i - FIRST;
    if (o >= PORTS) break;
    const b = (value >> (i << 3)) & 0xff;
    const sh = (o & 1) << 3;
    if (o < 2) status &= ~((b << sh) & STS_WRITE_ONE_TO_CLEAR);
    else if (o < 4) enable = (enable & ~(0xff << sh)) | (b << sh);
    else if (o < 6) {
      control = (control & ~(0xff << sh)) | (b << sh);
      controlWritten = true;
    }                                           // the timer is read-only
  }
  if (!controlWritten) return 0;
  control |= SCI_EN;
  if ((control & SLP_EN) != 0) {
    const type = (control >> SLP_TYP_SHIFT) & SLP_TYP_MASK;
    control &= ~<u32>SLP_EN;                    // SLP_EN is write-only: it reads as 0
    if (type == S5_SLP_TYP) return endVm(RESULT_POWEROFF, 0);
  }
  return 0;
}
