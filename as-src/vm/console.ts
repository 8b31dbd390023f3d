// The VM's console: guest output (UART, CONSOLE_WRITE hypercall) and the core's own messages,
// written to the host one whole line at a time, each prefixed "[vmname] ".

import { consoleWrite } from "../host";
import { appendString, appendBytes, appendHex, appendDecimal, appendByte, appendPrintable } from "./text";

export const NAME_CAP: u32 = 32;
const LINE_CAP: u32 = 256;                  // longer guest lines are split
const nameBuf: usize = memory.data(<i32>NAME_CAP);
let nameLen: u32 = 0;
const lineBuf: usize = memory.data(<i32>LINE_CAP + 1);
let lineLen: u32 = 0;                       // 0: nothing pending (not even the prefix)

// Raw mode ([wisp] console = raw): guest output goes to the host byte by byte as the guest sent it
// (control characters and escape sequences included, no prefix), the way an emulator's serial
// console shows it, so an interactive shell's prompt and echo appear at once. The core's own
// messages still come as whole "[vm] " lines, each on a line of its own.
let raw: bool = false;
let rawAtLineStart: bool = true;
const rawByte: usize = memory.data(1);

export function setConsoleRaw(on: bool): void {
  raw = on;
  rawAtLineStart = true;
}

/** Sets the name used in the prefix; "vm" until set. */
export function setConsoleName(src: usize, len: u32): void {
  if (len > NAME_CAP) len = NAME_CAP;
  memory.copy(nameBuf, src, len);
  nameLen = len;
}

function startLine(): void {
  lineLen = appendByte(lineBuf, LINE_CAP, 0, 0x5b);                     // '['
  lineLen = nameLen == 0 ? appendString(lineBuf, LINE_CAP, lineLen, "vm")
                         : appendBytes(lineBuf, LINE_CAP, lineLen, nameBuf, nameLen);
  lineLen = appendString(lineBuf, LINE_CAP, lineLen, "] ");
}

function flushLine(): void {
  store<u8>(lineBuf + lineLen, 0x0a);       // LINE_CAP + 1 leaves room for the newline
  consoleWrite(lineBuf, lineLen + 1);
  lineLen = 0;
}

// Line mode drops terminal escape sequences whole (ECMA-48, 5.3-5.4): ESC, intermediates 0x20-0x2F,
// a final byte 0x30-0x7E; or CSI = ESC [, parameters and intermediates 0x20-0x3F, a final byte
// 0x40-0x7E. A shell's "ESC [ 6 n" (cursor position query) would otherwise leave "[6n" in the line.
const ESC_NONE: u8 = 0;
const ESC_STARTED: u8 = 1;                  // after ESC
const ESC_CSI: u8 = 2;                      // after ESC [
let escape: u8 = ESC_NONE;

/** True if `c` belongs to an escape sequence (and is dropped). */
function inEscape(c: u8): bool {
  if (escape == ESC_NONE) {
    if (c != 0x1b) return false;
    escape = ESC_STARTED;
    return true;
  }
  if (c == 0x1b) { escape = ESC_STARTED; return true; }        // a new sequence starts over
  if (c < 0x20 || c > 0x7e) { escape = ESC_NONE; return false; } // not part of one: cancels it
  if (escape == ESC_STARTED) {
    if (c == 0x5b) escape = ESC_CSI;                             // '['
    else if (c >= 0x30) escape = ESC_NONE;                       // final byte
    return true;
  }
  if (c >= 0x40) escape = ESC_NONE;                              // CSI final byte
  return true;
}

/**
 * One byte of guest output. Line mode: escape sequences and control characters other than tab are
 * dropped (no terminal escapes reach the host's log).
 */
export function consolePutByte(c: u8): void {
  if (raw) {
    store<u8>(rawByte, c);
    consoleWrite(rawByte, 1);
    rawAtLineStart = c == 0x0a;
    return;
  }
  if (inEscape(c)) return;
  if (c == 0x0a) {
    if (lineLen == 0) startLine();
    flushLine();
    return;
  }
  if (c < 0x20 && c != 0x09 || c == 0x7f) return;
  if (lineLen == 0) startLine();
  store<u8>(lineBuf + lineLen++, c);
  if (lineLen >= LINE_CAP) flushLine();
}

/** Writes a partial guest line out, so that a message from the core starts on its own line. */
export function consoleFlush(): void {
  if (lineLen != 0) flushLine();
}

// A message from the core: messageStart(), then pieces, then messageEnd().
export function messageStart(): void {
  consoleFlush();
  if (raw && !rawAtLineStart) {
    store<u8>(rawByte, 0x0a);
    consoleWrite(rawByte, 1);
    rawAtLineStart = true;
  }
  startLine();
}
export function messageString(s: string): void {
  lineLen = appendString(lineBuf, LINE_CAP, lineLen, s);
}
/** n characters of s from start (no allocation, unlike substring). */
export function messageSlice(s: string, start: u32, n: u32): void {
  const src = changetype<usize>(s) + (<usize>start << 1);
  for (let i: u32 = 0; i < n && start + i < <u32>s.length; i++) {
    const c = <u8>load<u16>(src + (<usize>i << 1));
    if (c != 0x20) lineLen = appendByte(lineBuf, LINE_CAP, lineLen, c);
  }
}
export function messageHex(v: u64): void {
  lineLen = appendHex(lineBuf, LINE_CAP, lineLen, v);
}
export function messageDecimal(v: u64): void {
  lineLen = appendDecimal(lineBuf, LINE_CAP, lineLen, v);
}
export function messagePrintable(src: usize, len: u32): void {
  lineLen = appendPrintable(lineBuf, LINE_CAP, lineLen, src, len);
}
export function messageEnd(): void {
  flushLine();
}

/** A whole message line made of one string. */
export function message(s: string): void {
  messageStart();
  messageString(s);
  messageEnd();
}
