// Load errors: one line in the message buffer (messageOffset()/messageLength(), like vmSetup's),
// naming what is wrong with which image, e.g. "kernel: not a bzImage (boot_flag 0x0000, expected
// 0xaa55)". Image bytes are hostile: only numbers and printable ASCII get into the text.

import { messageBase, MESSAGE_SIZE, setMessageLength } from "../vm/config";
import { appendString, appendHex, appendDecimal, appendPrintable, appendByte } from "../vm/text";

let len: u32 = 0;

/** Starts a new message with s. */
export function report(s: string): void {
  len = appendString(messageBase, MESSAGE_SIZE, 0, s);
  setMessageLength(len);
}

export function say(s: string): void {
  len = appendString(messageBase, MESSAGE_SIZE, len, s);
  setMessageLength(len);
}

export function sayHex(v: u64): void {
  len = appendHex(messageBase, MESSAGE_SIZE, len, v);
  setMessageLength(len);
}

/** "0x" and exactly `digits` hexadecimal digits (for fields of a fixed width). */
export function sayHexWidth(v: u64, digits: i32): void {
  say("0x");
  for (let shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
    const d = <u8>((v >> <u64>shift) & 0xf);
    len = appendByte(messageBase, MESSAGE_SIZE, len, d < 10 ? 0x30 + d : 0x57 + d);
  }
  setMessageLength(len);
}

export function sayDecimal(v: u64): void {
  len = appendDecimal(messageBase, MESSAGE_SIZE, len, v);
  setMessageLength(len);
}

/** Text from linear memory (a file name from the configuration), made printable. */
export function sayText(ptr: usize, n: u32): void {
  len = appendPrintable(messageBase, MESSAGE_SIZE, len, ptr, n);
  setMessageLength(len);
}

/** A size for people: "512 bytes", "3 KiB", "8 MiB", "3.4 MiB" (one decimal when not whole). */
export function saySize(v: u64): void {
  const KIB: u64 = 1024;
  const MIB: u64 = 1024 * 1024;
  let unit: u64 = 1;
  if (v >= MIB) unit = MIB;
  else if (v >= KIB) unit = KIB;
  if (unit == 1) {
    sayDecimal(v);
    say(v == 1 ? " byte" : " bytes");
    return;
  }
  sayDecimal(v / unit);
  const tenths = (v % unit) * 10 / unit;
  if (tenths != 0) {
    say(".");
    sayDecimal(tenths);
  }
  say(unit == MIB ? " MiB" : " KiB");
}

/** A boot protocol version: 0x020c -> "2.12". */
export function sayVersion(v: u32): void {
  sayDecimal(v >> 8);
  say(".");
  if ((v & 0xff) < 10) say("0");
  sayDecimal(v & 0xff);
}

/** Ends a failed load: the loader's result. */
export function failed(): i32 {
  return -1;
}
