// Intel 8042 keyboard controller, as much as an OS needs to find it and to reset the machine
// (IBM PC/AT Technical Reference, "Keyboard Controller": status register, commands 0x20-0xFF; the
// keyboard's own commands from the "Keyboard" chapter). Data port 0x60, status/command port 0x64.
// No keys are ever pressed; the output buffer holds controller and keyboard replies only.
// Pulsing the CPU reset line (command 0xFE, or output port bit 0 cleared) ends the VM with RESET.

import { endVm, RESULT_RESET } from "../vm/result";

export const KBC_DATA: u32 = 0x60;
export const KBC_COMMAND: u32 = 0x64;

const STATUS_OBF: u8 = 0x01;                        // output buffer full
const STATUS_SYS: u8 = 0x04;                        // system flag: self-test passed
const STATUS_A2: u8 = 0x08;                         // the last write was a command
const STATUS_AUX_OBF: u8 = 0x20;                    // the byte is from the auxiliary device

// The replies wait in a small queue (a keyboard reset answers with two bytes).
const QUEUE_CAP: u32 = 8;
const queue: usize = memory.data(<i32>QUEUE_CAP);
let queueHead: u32 = 0;
let queueLen: u32 = 0;
let queueAux: bool = false;                         // the bytes queued came from the aux port

let commandByte: u8 = 0x45;                         // translate, system flag, keyboard interrupt
let outputPort: u8 = 0x03;                          // bit 0: reset line (high = run), bit 1: A20
let status: u8 = 0;
let pendingCommand: u8 = 0;                         // a controller command waiting for its data byte
let keyboardCommand: u8 = 0;                        // a keyboard command waiting for its parameter

function push(b: u8, aux: bool): void {
  if (queueLen == QUEUE_CAP) return;
  if (queueLen == 0) queueAux = aux;
  store<u8>(queue + ((queueHead + queueLen) % QUEUE_CAP), b);
  queueLen++;
}

function statusByte(): u8 {
  let s = status;
  if (queueLen != 0) s |= STATUS_OBF | (queueAux ? STATUS_AUX_OBF : 0);
  return s;                                         // IBF (bit 1) is never set: writes are instant
}

function resetLine(): u32 {
  return endVm(RESULT_RESET, 0);
}

/** Controller commands ("Keyboard Controller Commands"). Returns 1 if the VM ended. */
function controllerCommand(cmd: u8): u32 {
  status |= STATUS_A2;
  if (cmd == 0x20) push(commandByte, false);                  // read command byte
  else if (cmd == 0x60 || cmd == 0xd1 || cmd == 0xd2 || cmd == 0xd3 || cmd == 0xd4) pendingCommand = cmd;
  else if (cmd == 0xaa) { status |= STATUS_SYS; push(0x55, false); }   // self-test passed
  else if (cmd == 0xab || cmd == 0xa9) push(0x00, false);     // interface tests: no error
  else if (cmd == 0xad) commandByte |= 0x10;                  // disable keyboard
  else if (cmd == 0xae) commandByte &= ~0x10;                 // enable keyboard
  else if (cmd == 0xa7) commandByte |= 0x20;                  // disable aux
  else if (cmd == 0xa8) commandByte &= ~0x20;                 // enable aux
  else if (cmd == 0xc0) push(0x00, false);                    // read input port
  else if (cmd == 0xd0) push(outputPort, false);              // read output port
  else if (cmd >= 0xf0 && (cmd & 1) == 0) return resetLine(); // pulse output bits: bit 0 is reset
  return 0;
}

/** The keyboard's own commands (a byte to port 0x60 with no controller command pending). */
function keyboardByte(b: u8): void {
  if (keyboardCommand != 0) {                       // the parameter of 0xED (LEDs) or 0xF3 (rate)
    keyboardCommand = 0;
    push(0xfa, false);
    return;
  }
  if (b == 0xed || b == 0xf3) { keyboardCommand = b; push(0xfa, false); }
  else if (b == 0xee) push(0xee, false);                      // echo
  else if (b == 0xf2) { push(0xfa, false); push(0xab, false); push(0x83, false); }   // MF2 ID
  else if (b == 0xff) { push(0xfa, false); push(0xaa, false); }                      // reset, BAT ok
  else push(0xfa, false);                                     // acknowledge everything else
}

/** A byte written to port 0x60. Returns 1 if the VM ended. */
function dataByte(b: u8): u32 {
  status &= ~STATUS_A2;
  const cmd = pendingCommand;
  pendingCommand = 0;
  if (cmd == 0x60) commandByte = b;
  else if (cmd == 0xd1) {                           // write output port: bit 0 low holds the CPU in reset
    outputPort = b;
    if ((b & 1) == 0) return resetLine();
  }
  else if (cmd == 0xd2) push(b, false);             // as if the keyboard sent it
  else if (cmd == 0xd3) push(b, true);              // as if the aux device sent it
  else if (cmd == 0xd4) {}                          // to the aux device: there is none
  else keyboardByte(b);
  return 0;
}

/** IN from 0x60 (the output buffer) or 0x64 (status). */
export function kbcIn(port: u32): u8 {
  if (port == KBC_COMMAND) return statusByte();
  if (queueLen == 0) return load<u8>(queue + ((queueHead + QUEUE_CAP - 1) % QUEUE_CAP));   // last byte again
  const b = load<u8>(queue + queueHead);
  queueHead = (queueHead + 1) % QUEUE_CAP;
  queueLen--;
  return b;
}

/** OUT to 0x60 or 0x64. Returns 1 if the VM ended (a reset). */
export function kbcOut(port: u32, v: u8): u32 {
  return port == KBC_COMMAND ? controllerCommand(v) : dataByte(v);
}

export function isKbcPort(port: u32): bool {
  return port == KBC_DATA || port == KBC_COMMAND;
}
