// National Semiconductor PC16550D UART (datasheet, Table II "Register Summary") at COM1 0x3F8-0x3FF.
// Output only: transmitted bytes go to the VM's console; nothing is ever received, no interrupts.

import { consolePutByte } from "../console";

export const UART_BASE: u32 = 0x3f8;
export const UART_PORTS: u32 = 8;

const LCR_DLAB: u8 = 0x80;      // divisor latch access
const MCR_LOOP: u8 = 0x10;      // loopback: output is not sent

let ier: u8 = 0;
let lcr: u8 = 0x03;             // 8N1, as the firmware leaves COM1
let mcr: u8 = 0;
let scr: u8 = 0;
let dll: u8 = 0x01;             // 115200 baud
let dlm: u8 = 0;

/** Read of register `offset` (0-7). */
export function uartIn(offset: u32): u8 {
  const dlab = (lcr & LCR_DLAB) != 0;
  switch (offset) {
    case 0: return dlab ? dll : 0;            // RBR: nothing received
    case 1: return dlab ? dlm : ier;
    case 2: return 0x01;                      // IIR: no interrupt pending
    case 3: return lcr;
    case 4: return mcr;
    case 5: return 0x60;                      // LSR: THR empty (5), transmitter empty (6)
    case 6: {                                 // MSR
      if ((mcr & MCR_LOOP) != 0) {            // loopback: DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD
        return ((mcr & 0x01) << 5) | ((mcr & 0x02) << 3) | ((mcr & 0x04) << 4) | ((mcr & 0x08) << 4);
      }
      return 0xb0;                            // DCD, DSR, CTS: a terminal is attached
    }
    default: return scr;
  }
}

/** Write of `value` to register `offset` (0-7). */
export function uartOut(offset: u32, value: u8): void {
  const dlab = (lcr & LCR_DLAB) != 0;
  switch (offset) {
    case 0: {
      if (dlab) dll = value;
      else if ((mcr & MCR_LOOP) == 0) consolePutByte(value);   // THR
      break;
    }
    case 1: {
      if (dlab) dlm = value;
      else ier = value & 0x0f;
      break;
    }
    case 2: break;                            // FCR: FIFOs make no difference here
    case 3: { lcr = value; break; }
    case 4: { mcr = value & 0x1f; break; }
    case 5: case 6: break;                    // LSR, MSR: read-only
    default: scr = value;
  }
}
