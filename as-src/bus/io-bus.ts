// Port-I/O bus: decodes an IO exit and dispatches it by port to the device models.
// Ports nobody claims read as all ones (an empty ISA bus) and ignore writes; each is reported once.

import { getReg, setReg, RAX, skipInstruction } from "../cpu/vcpu";
import { faultStart, faultEnd } from "../vm/result";
import { messageStart, messageString, messageHex, messageDecimal, messageEnd } from "../vm/console";
import { UART_BASE, UART_PORTS, uartIn, uartOut } from "../devices/uart16550";
import { DEBUG_EXIT_BASE, DEBUG_EXIT_PORTS, debugExitOut } from "../devices/debug-exit";
import { isPicPort, picIn, picOut } from "../devices/i8259";
import { isPitPort, pitIn, pitOut } from "../devices/i8254";
import { isRtcPort, rtcIn, rtcOut } from "../devices/cmos-rtc";
import { isKbcPort, kbcIn, kbcOut } from "../devices/i8042";
import { isPciPort, pciIn, pciOut } from "../devices/pci-host";
import { isAcpiPmPort, acpiPmIn, acpiPmOut } from "../devices/acpi-pm";

const POST_PORT: u32 = 0x80;                        // POST codes / I/O delay: ignored silently

const reported: usize = memory.data(65536 / 8);     // one bit per port: "unhandled" already printed

function reportUnhandled(port: u32, isIn: bool): void {
  const byte = reported + (port >> 3);
  const bit = <u8>(<u32>1 << (port & 7));
  if ((load<u8>(byte) & bit) != 0) return;
  store<u8>(byte, load<u8>(byte) | bit);
  messageStart();
  messageString("unhandled port ");
  messageHex(port);
  messageString(isIn ? " (in), ignored" : " (out), ignored");
  messageEnd();
}

function inUart(port: u32): bool {
  return port - UART_BASE < UART_PORTS;
}

/** The byte-wide devices: the UART, PIC, PIT (and port 0x61), CMOS/RTC and keyboard controller. */
function byteDevice(port: u32): bool {
  return inUart(port) || isPicPort(port) || isPitPort(port) || isRtcPort(port) || isKbcPort(port);
}

function byteIn(port: u32): u8 {
  if (inUart(port)) return uartIn(port - UART_BASE);
  if (isPicPort(port)) return picIn(port);
  if (isPitPort(port)) return pitIn(port);
  if (isRtcPort(port)) return rtcIn(port);
  if (isKbcPort(port)) return kbcIn(port);
  return 0xff;
}

/** Returns 1 if the write ended the VM. */
function byteOut(port: u32, v: u8): u32 {
  if (inUart(port)) uartOut(port - UART_BASE, v);
  else if (isPicPort(port)) picOut(port, v);
  else if (isPitPort(port)) pitOut(port, v);
  else if (isRtcPort(port)) rtcOut(port, v);
  else if (isKbcPort(port)) return kbcOut(port, v);
  return 0;
}

/** A read of `size` bytes at `port`; byte-wide devices see wider reads split per byte. */
function portIn(port: u32, size: u32): u64 {
  if (port - DEBUG_EXIT_BASE < DEBUG_EXIT_PORTS || port == POST_PORT) return 0xffffffff;
  if (isPciPort(port)) return pciIn(port, size);
  if (isAcpiPmPort(port)) return acpiPmIn(port, size);
  if (!byteDevice(port)) {
    reportUnhandled(port, true);
    return 0xffffffff;
  }
  let value: u64 = 0;
  for (let i: u32 = 0; i < size; i++) {
    const p = (port + i) & 0xffff;
    const b: u64 = byteDevice(p) ? <u64>byteIn(p) : 0xff;
    value |= b << (<u64>i << 3);
  }
  return value;
}

/** A write; returns 1 if it ended the VM. */
function portOut(port: u32, size: u32, value: u64): u32 {
  if (port - DEBUG_EXIT_BASE < DEBUG_EXIT_PORTS) return debugExitOut(value);
  if (port == POST_PORT) return 0;
  if (isPciPort(port)) return pciOut(port, size, <u32>value);
  if (isAcpiPmPort(port)) return acpiPmOut(port, size, <u32>value);
  if (!byteDevice(port)) {
    reportUnhandled(port, false);
    return 0;
  }
  for (let i: u32 = 0; i < size; i++) {
    const p = (port + i) & 0xffff;
    if (byteDevice(p) && byteOut(p, <u8>(value >> (<u64>i << 3))) != 0) return 1;
  }
  return 0;
}

/**
 * IO exit. qualification: port (bits 0-15), size in bytes (16-23), in (24), string (25), rep (26).
 * IN follows x86: 8- and 16-bit reads keep the rest of RAX, a 32-bit read zero-extends.
 */
export function handleIo(qualification: u64): u32 {
  const port = <u32>qualification & 0xffff;
  const size = <u32>(qualification >> 16) & 0xff;
  const isIn = (qualification & (1 << 24)) != 0;
  if ((qualification & (3 << 25)) != 0) {
    faultStart();
    messageString("string I/O on port ");
    messageHex(port);
    messageString(" is not emulated");
    return faultEnd();
  }
  if (size != 1 && size != 2 && size != 4) {
    faultStart();
    messageString("I/O of ");
    messageDecimal(size);
    messageString(" bytes on port ");
    messageHex(port);
    return faultEnd();
  }
  const mask: u64 = size == 4 ? 0xffffffff : (<u64>1 << (<u64>size << 3)) - 1;
  if (isIn) {
    const value = portIn(port, size) & mask;
    const rax = getReg(RAX);
    setReg(RAX, size == 4 ? value : (rax & ~mask) | value);
  } else {
    if (portOut(port, size, getReg(RAX) & mask) != 0) return 1;
  }
  return skipInstruction(isIn ? "in" : "out");
}
