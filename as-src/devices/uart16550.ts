// National Semiconductor PC16550D UART (datasheet, Table II "Register Summary", 8.4 "Interrupt
// Identification Register", Table IV "Interrupt Control Functions", 8.5 "FIFO Control Register")
// at COM1 0x3F8-0x3FF on ISA IRQ 4. Transmission is instant: a byte written to THR goes to the VM's
// console and THR is empty again. Input comes from the shim (consoleInput) into the receiver: the
// 16-byte receive FIFO when FCR enables FIFOs, else the 1-byte receiver buffer register.
//
// The host side is a sender with hardware flow control: consoleInput takes only what fits in the
// receiver, and only while the guest asserts RTS (MCR bit 1) outside loopback (there the serial
// input is disconnected: datasheet, "Modem Control Register", bit 4). The shim keeps what was not
// taken and offers it again, so input is never lost to an overrun, and none arrives before the
// guest's driver has set the port up (Linux raises RTS when the tty is opened, after it cleared the
// FIFOs; bytes received earlier would be lost). The only overrun left is the guest's own: loopback
// bytes written into a full receiver.

import { consolePutByte } from "../vm/console";
import { setIrqLevel, IRQ_COM1 } from "../bus/irq";

export const UART_BASE: u32 = 0x3f8;
export const UART_PORTS: u32 = 8;

const LCR_DLAB: u8 = 0x80;                          // divisor latch access
const MCR_RTS: u8 = 0x02;                           // request to send: the guest can take input
const MCR_LOOP: u8 = 0x10;                          // loopback: output returns as input

const IER_RDA: u8 = 0x01;                           // received data available
const IER_THRE: u8 = 0x02;                          // transmitter holding register empty
const IER_RLS: u8 = 0x04;                           // receiver line status

const IIR_NONE: u8 = 0x01;
const IIR_RLS: u8 = 0x06;                           // priority 1: overrun
const IIR_RDA: u8 = 0x04;                           // priority 2: trigger level reached
const IIR_TIMEOUT: u8 = 0x0c;                       // priority 2: data below the trigger level
const IIR_THRE: u8 = 0x02;                          // priority 3
const IIR_FIFOS_ENABLED: u8 = 0xc0;

const LSR_DR: u8 = 0x01;                            // data ready
const LSR_OE: u8 = 0x02;                            // overrun error
const LSR_THRE: u8 = 0x20;
const LSR_TEMT: u8 = 0x40;

const FCR_ENABLE: u8 = 0x01;
const FCR_CLEAR_RX: u8 = 0x02;

const RX_FIFO: u32 = 16;                            // receive FIFO depth
const rx: usize = memory.data(<i32>RX_FIFO);
let rxHead: u32 = 0;
let rxLen: u32 = 0;

let ier: u8 = 0;
let lcr: u8 = 0x03;                                 // 8N1, as the firmware leaves COM1
let mcr: u8 = 0;
let scr: u8 = 0;
let dll: u8 = 0x01;                                 // 115200 baud
let dlm: u8 = 0;
let fcr: u8 = 0;                                    // FIFO enable and trigger level (write-only)
let lsrErrors: u8 = 0;                              // OE until LSR is read
let thrEmptyPending: bool = false;                  // THRE interrupt: set when THR empties, cleared by
                                                    // reading IIR (when it is the reported source) or
                                                    // writing THR
let irqHigh: bool = false;

/** Receive trigger level (FCR bits 7-6): 1, 4, 8 or 14 bytes; 1 without FIFOs. */
function triggerLevel(): u32 {
  if ((fcr & FCR_ENABLE) == 0) return 1;
  const t = fcr >> 6;
  return t == 0 ? 1 : t == 1 ? 4 : t == 2 ? 8 : 14;
}

/** What the receiver holds at most: the FIFO, or the receiver buffer register alone. */
function rxCapacity(): u32 {
  return (fcr & FCR_ENABLE) != 0 ? RX_FIFO : 1;
}

/**
 * The highest-priority pending interrupt (Table IV). The character timeout is reported as soon as
 * data sits below the trigger level (the datasheet waits 4 character times with no FIFO activity:
 * at the virtual line's speed that is no time).
 */
function interruptId(): u8 {
  if ((ier & IER_RLS) != 0 && lsrErrors != 0) return IIR_RLS;
  if ((ier & IER_RDA) != 0 && rxLen != 0) return rxLen >= triggerLevel() ? IIR_RDA : IIR_TIMEOUT;
  if ((ier & IER_THRE) != 0 && thrEmptyPending) return IIR_THRE;
  return IIR_NONE;
}

/** The INTR pin follows the pending interrupt; IRQ 4 follows INTR. */
function updateIrq(): void {
  const high = interruptId() != IIR_NONE;
  if (high == irqHigh) return;
  irqHigh = high;
  setIrqLevel(IRQ_COM1, high);
}

/** A byte into the receiver; a full receiver keeps its data and reports an overrun (LSR bit 1). */
function receive(b: u8): void {
  if (rxLen >= rxCapacity()) {
    lsrErrors |= LSR_OE;
    return;
  }
  store<u8>(rx + ((rxHead + rxLen) % RX_FIFO), b);
  rxLen++;
}

/**
 * Export: `len` bytes of console input at `ptr` (the input buffer) for the receiver. Returns how
 * many were taken: what fits in the receiver while the guest asserts RTS (not in loopback), so
 * never an overrun; the shim offers the rest again later (when the guest has read some).
 */
export function consoleInput(ptr: usize, len: u32): u32 {
  const end = <u64>ptr + <u64>len;
  if (end > (<u64>memory.size() << 16)) return 0;
  if ((mcr & (MCR_RTS | MCR_LOOP)) != MCR_RTS) return 0;
  let n: u32 = 0;
  while (n < len && rxLen < rxCapacity()) {
    receive(load<u8>(ptr + n));
    n++;
  }
  updateIrq();
  return n;
}

/** Read of register `offset` (0-7). */
export function uartIn(offset: u32): u8 {
  const dlab = (lcr & LCR_DLAB) != 0;
  let v: u8;
  switch (offset) {
    case 0: {
      if (dlab) return dll;
      v = 0;                                        // RBR: the oldest byte received
      if (rxLen != 0) {
        v = load<u8>(rx + rxHead);
        rxHead = (rxHead + 1) % RX_FIFO;
        rxLen--;
      }
      break;
    }
    case 1: return dlab ? dlm : ier;
    case 2: {                                       // IIR; reading it clears a THRE interrupt it reports
      const id = interruptId();
      if (id == IIR_THRE) thrEmptyPending = false;
      v = id | ((fcr & FCR_ENABLE) != 0 ? IIR_FIFOS_ENABLED : 0);
      break;
    }
    case 3: return lcr;
    case 4: return mcr;
    case 5: {                                       // LSR; reading clears the error bits
      v = LSR_THRE | LSR_TEMT | (rxLen != 0 ? LSR_DR : 0) | lsrErrors;
      lsrErrors = 0;
      break;
    }
    case 6: {                                       // MSR
      if ((mcr & MCR_LOOP) != 0) {                  // loopback: DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD
        return ((mcr & 0x01) << 5) | ((mcr & 0x02) << 3) | ((mcr & 0x04) << 4) | ((mcr & 0x08) << 4);
      }
      return 0xb0;                                  // DCD, DSR, CTS: a terminal is attached
    }
    default: return scr;
  }
  updateIrq();
  return v;
}

/** Write of `value` to register `offset` (0-7). */
export function uartOut(offset: u32, value: u8): void {
  const dlab = (lcr & LCR_DLAB) != 0;
  switch (offset) {
    case 0: {
      if (dlab) { dll = value; break; }
      if ((mcr & MCR_LOOP) != 0) receive(value);    // THR: looped back to the receiver
      else consolePutByte(value);
      thrEmptyPending = true;                       // sent at once: THR is empty again
      break;
    }
    case 1: {
      if (dlab) { dlm = value; break; }
      // Enabling the THRE interrupt while THR is empty raises it at once (as on the 16550A,
      // which Linux's THRE test expects).
      if ((value & IER_THRE) != 0 && (ier & IER_THRE) == 0) thrEmptyPending = true;
      ier = value & 0x0f;
      break;
    }
    case 2: {                                       // FCR
      if ((value & FCR_CLEAR_RX) != 0 || ((value ^ fcr) & FCR_ENABLE) != 0) { rxHead = 0; rxLen = 0; }
      fcr = value & 0xc1;                           // DMA mode and the reset bits are not kept
      break;
    }
    case 3: { lcr = value; break; }
    case 4: { mcr = value & 0x1f; break; }
    case 5: case 6: break;                          // LSR, MSR: read-only
    default: scr = value;
  }
  updateIrq();
}
