// The wisp.cfg parser (docs/architecture.md, "Configuration"). Runs on untrusted text: every
// failure is a message with the line number ("wisp.cfg:7: unknown key 'memroy'"), never a trap.
// The parsed configuration lives in fixed tables; strings are exported as offset + length.

import { appendString, appendBytes, appendDecimal, appendHex, appendPrintable } from "./text";
import {
  RESULT_EXIT, RESULT_HALT, RESULT_FAULT, RESULT_SHUTDOWN, RESULT_TRAP, RESULT_ERROR, RESULT_RESET, RESULT_POWEROFF,
} from "./result";

export const INPUT_CAP: u32 = 32768;                // largest configuration text
export const MAX_VMS: u32 = 16;
export const VM_NAME_CAP: u32 = 32;
export const IMAGE_NAME_CAP: u32 = 128;
export const MEMORY_MIB_MAX: u32 = 4096;
// The vCPU area's mode encoding (`mode = real16 | protected32`; MODE_LONG64 is a loader's entry only,
// loaders/linux.ts) and the VM kinds: image = FILE (a flat binary at `load`), kernel = FILE (a
// Linux bzImage or, by content, Multiboot), multiboot = FILE (Multiboot v1). Numbers: abi.ts.
import {
  MODE_REAL, MODE_PROTECTED32, MODE_LONG64, KIND_FLAT, KIND_LINUX, KIND_MULTIBOOT, ON_END_HALT, ON_END_SUMMARY,
  ON_END_MIRROR,
} from "../abi";
export { MODE_PROTECTED32, MODE_LONG64, KIND_FLAT, KIND_LINUX, KIND_MULTIBOOT, ON_END_HALT, ON_END_SUMMARY, ON_END_MIRROR };
export const MODE_REAL16: u32 = MODE_REAL;
export const MAX_MODULES: u32 = 16;                 // per VM
export const IMAGE_KERNEL: u32 = 0;                 // image ids (imageSize/imageRead/imageLoad)
export const IMAGE_INITRD: u32 = 1;
export const IMAGE_FIRST_MODULE: u32 = 2;
const MIB: u64 = 1 << 20;
const REAL_MODE_LIMIT: u64 = 0x100000;              // real-mode code must start below 1 MiB

export const inputBase: usize = memory.data(<i32>INPUT_CAP, 16);

// One record per VM.
const VM_RECORD: u32 = 256;
const R_NAME: u32 = 0;            // VM_NAME_CAP bytes
const R_IMAGE: u32 = 32;          // IMAGE_NAME_CAP bytes
const R_NAME_LEN: u32 = 160;      // u32 each from here
const R_IMAGE_LEN: u32 = 164;
const R_MEMORY_MIB: u32 = 168;
const R_MODE: u32 = 172;
const R_EXPECT_KIND: u32 = 176;
const R_LINE: u32 = 180;          // line of the [vm NAME] header
const R_KEYS: u32 = 184;          // keys given: bit per KEY_*
const R_LOAD_LINE: u32 = 188;
const R_ENTRY_LINE: u32 = 192;
const R_LOAD: u32 = 200;          // u64 each from here
const R_ENTRY: u32 = 208;
const R_EXPECT_VALUE: u32 = 216;
const R_KIND: u32 = 224;          // u32 each from here
const R_INITRD: u32 = 228;        // string reference (below)
const R_CMDLINE: u32 = 232;
const R_MODULES: u32 = 236;       // first module-table index << 16 | count
const R_KIND_LINE: u32 = 240;     // line of the image/kernel/multiboot key
const vmTable: usize = memory.data(<i32>(MAX_VMS * VM_RECORD), 8);

const KEY_IMAGE: u32 = 1;
const KEY_MEMORY: u32 = 2;
const KEY_LOAD: u32 = 4;
const KEY_ENTRY: u32 = 8;
const KEY_MODE: u32 = 16;
const KEY_EXPECT: u32 = 32;
const KEY_KERNEL: u32 = 64;
const KEY_INITRD: u32 = 128;
const KEY_CMDLINE: u32 = 256;
const KEY_MULTIBOOT: u32 = 512;
const KEY_MODULE: u32 = 1024;     // repeatable
const KEYS_MAIN: u32 = KEY_IMAGE | KEY_KERNEL | KEY_MULTIBOOT;

// Strings of variable length (initrd names, command lines, modules) live in one pool; a reference
// is offset << 16 | length (length 0: none). A module's reference covers "FILE args"; its file
// name is the first word of it.
const POOL_CAP: u32 = 8192;
const STRING_MAX: u32 = 4095;
const poolBase: usize = memory.data(<i32>POOL_CAP);
let poolLen: u32 = 0;
const MODULE_TABLE_CAP: u32 = 64;  // modules of all VMs together
const moduleTable: usize = memory.data(<i32>(MODULE_TABLE_CAP * 4), 4);
let moduleCount: u32 = 0;

const SECTION_NONE: u32 = 0;
const SECTION_WISP: u32 = 1;
const SECTION_VM: u32 = 2;
const PARSE_ERROR: u32 = 0xff;

let count: u32 = 0;
let debugExit: bool = false;
// [wisp] on-end (docs/architecture.md, "Ending"): what wisp does after the last VM. -1: not given.
// ON_END_HALT: print the summary and halt; ON_END_SUMMARY: + write the number of VMs not as
// expected to 0xf4; ON_END_MIRROR: end as plain QEMU would have for the (one) guest.
let onEndMode: i32 = -1;
let rawConsole: bool = false;                       // [wisp] console = raw (console.ts)

// The error message (UTF-8, in fact ASCII).
const MESSAGE_CAP: u32 = 256;
export const messageBase: usize = memory.data(<i32>MESSAGE_CAP);
let messageLen: u32 = 0;

export function messageOffset(): usize { return messageBase; }
export function messageLength(): u32 { return messageLen; }
/** For other writers of the message (the loaders): the new length. */
export function setMessageLength(n: u32): void { messageLen = n < MESSAGE_CAP ? n : MESSAGE_CAP; }
export const MESSAGE_SIZE: u32 = MESSAGE_CAP;

/** Offset of the input buffer if it holds len bytes, else 0. */
export function inputBuffer(len: u32): usize {
  return len <= INPUT_CAP ? inputBase : 0;
}

// ---- the parsed configuration ----

function record(i: u32): usize {
  return vmTable + <usize>(i * VM_RECORD);
}

export function vmCount(): u32 { return count; }
export function debugExitEnabled(): u32 { return onEnd() == ON_END_SUMMARY ? 1 : 0; }
/** [wisp] console: true for raw (guest bytes as they are), false for lines (the default). */
export function consoleRawEnabled(): bool { return rawConsole; }
/** [wisp] on-end: ON_END_HALT (default), ON_END_SUMMARY (= debug-exit = on) or ON_END_MIRROR. */
export function onEnd(): u32 { return onEndMode >= 0 ? <u32>onEndMode : debugExit ? ON_END_SUMMARY : ON_END_HALT; }
export function vmNameOffset(i: u32): usize { return i < count ? record(i) + R_NAME : 0; }
export function vmNameLength(i: u32): u32 { return i < count ? load<u32>(record(i) + R_NAME_LEN) : 0; }
export function vmImageOffset(i: u32): usize { return i < count ? record(i) + R_IMAGE : 0; }
export function vmImageLength(i: u32): u32 { return i < count ? load<u32>(record(i) + R_IMAGE_LEN) : 0; }
export function vmMemoryMiB(i: u32): u32 { return i < count ? load<u32>(record(i) + R_MEMORY_MIB) : 0; }
export function vmLoadAddress(i: u32): u64 { return i < count ? load<u64>(record(i) + R_LOAD) : 0; }
export function vmEntry(i: u32): u64 { return i < count ? load<u64>(record(i) + R_ENTRY) : 0; }
export function vmMode(i: u32): u32 { return i < count ? load<u32>(record(i) + R_MODE) : 0; }
export function vmExpectKind(i: u32): u32 { return i < count ? load<u32>(record(i) + R_EXPECT_KIND) : 0; }
export function vmExpectValue(i: u32): u64 { return i < count ? load<u64>(record(i) + R_EXPECT_VALUE) : 0; }
/** KIND_FLAT, KIND_LINUX or KIND_MULTIBOOT. */
export function vmKind(i: u32): u32 { return i < count ? load<u32>(record(i) + R_KIND) : 0; }

/** Number of image ids VM i uses: flat 1, Linux 1 or 2 (initrd), Multiboot 2 + modules. */
export function vmImageCount(i: u32): u32 {
  if (i >= count) return 0;
  const r = record(i);
  const kind = load<u32>(r + R_KIND);
  if (kind == KIND_MULTIBOOT) return IMAGE_FIRST_MODULE + (load<u32>(r + R_MODULES) & 0xffff);
  if (kind == KIND_LINUX && load<u32>(r + R_INITRD) != 0) return 2;
  return 1;
}

/** The file name of image id `image` of VM i (length 0: the id is unused). */
export function vmFileOffset(i: u32, image: u32): usize {
  if (vmFileLength(i, image) == 0) return 0;
  if (image == IMAGE_KERNEL) return record(i) + R_IMAGE;
  if (image == IMAGE_INITRD) return refOffset(load<u32>(record(i) + R_INITRD));
  return refOffset(moduleFileRef(i, image - IMAGE_FIRST_MODULE));
}
export function vmFileLength(i: u32, image: u32): u32 {
  if (i >= count || image >= vmImageCount(i)) return 0;
  if (image == IMAGE_KERNEL) return load<u32>(record(i) + R_IMAGE_LEN);
  if (image == IMAGE_INITRD) return load<u32>(record(i) + R_INITRD) & 0xffff;
  return moduleFileRef(i, image - IMAGE_FIRST_MODULE) & 0xffff;
}

// For the loaders (not exports).
export function refOffset(ref: u32): usize { return poolBase + <usize>(ref >>> 16); }
export function refLength(ref: u32): u32 { return ref & 0xffff; }
/** The command line of VM i as a string reference (length 0: none given or empty). */
export function vmCmdline(i: u32): u32 { return i < count ? load<u32>(record(i) + R_CMDLINE) : 0; }
export function vmModuleCount(i: u32): u32 { return i < count ? load<u32>(record(i) + R_MODULES) & 0xffff : 0; }
/** Module m of VM i: the whole "FILE args" text. */
export function vmModuleString(i: u32, m: u32): u32 {
  if (m >= vmModuleCount(i)) return 0;
  return load<u32>(moduleTable + ((<usize>(load<u32>(record(i) + R_MODULES) >>> 16) + m) << 2));
}
/** Module m of VM i: its file name (the first word of its text). */
function moduleFileRef(i: u32, m: u32): u32 {
  const ref = vmModuleString(i, m);
  const s = refOffset(ref);
  let n: u32 = 0;
  while (n < refLength(ref) && !isBlank(load<u8>(s + n))) n++;
  return (ref & 0xffff0000) | n;
}

// ---- error messages ----

/** Starts "wisp.cfg:LINE: " (no line number when line is 0). */
function errorAt(line: u32): void {
  messageLen = appendString(messageBase, MESSAGE_CAP, 0, "wisp.cfg:");
  if (line != 0) {
    messageLen = appendDecimal(messageBase, MESSAGE_CAP, messageLen, line);
    messageLen = appendString(messageBase, MESSAGE_CAP, messageLen, ":");
  }
  messageLen = appendString(messageBase, MESSAGE_CAP, messageLen, " ");
}
function say(s: string): void {
  messageLen = appendString(messageBase, MESSAGE_CAP, messageLen, s);
}
function sayNumber(v: u64): void {
  messageLen = appendDecimal(messageBase, MESSAGE_CAP, messageLen, v);
}
function sayHex(v: u64): void {
  messageLen = appendHex(messageBase, MESSAGE_CAP, messageLen, v);
}
/** Echoes input text quoted, made printable and shortened. */
function sayQuoted(start: usize, end: usize): void {
  const ECHO_MAX: usize = 40;
  say("'");
  if (end - start > ECHO_MAX) {
    messageLen = appendPrintable(messageBase, MESSAGE_CAP, messageLen, start, <u32>ECHO_MAX);
    say("...");
  } else {
    messageLen = appendPrintable(messageBase, MESSAGE_CAP, messageLen, start, <u32>(end - start));
  }
  say("'");
}
/** "vm 'NAME': " for messages about VM i. */
function sayVm(i: u32): void {
  say("vm '");
  messageLen = appendBytes(messageBase, MESSAGE_CAP, messageLen, record(i) + R_NAME,
                           load<u32>(record(i) + R_NAME_LEN));
  say("': ");
}

// ---- scanning ----

function isBlank(c: u8): bool { return c == 0x20 || c == 0x09; }
function isDigit(c: u8): bool { return c >= 0x30 && c <= 0x39; }
function isLetter(c: u8): bool { return (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a; }

// Trimmed ranges are passed as [start, end) byte offsets into the input.
function trimStart(s: usize, e: usize): usize {
  while (s < e && isBlank(load<u8>(s))) s++;
  return s;
}
function trimEnd(s: usize, e: usize): usize {
  while (e > s && isBlank(load<u8>(e - 1))) e--;
  return e;
}

/** True if [s, e) is exactly the ASCII literal. */
function equals(s: usize, e: usize, literal: string): bool {
  const n = <usize>literal.length;
  if (e - s != n) return false;
  const src = changetype<usize>(literal);
  for (let i: usize = 0; i < n; i++) {
    if (<u16>load<u8>(s + i) != load<u16>(src + (i << 1))) return false;
  }
  return true;
}

let number: u64 = 0;

/** Decimal or 0x hexadecimal into `number`; false if malformed or above 2^64-1. */
function parseNumber(s: usize, e: usize): bool {
  if (s >= e) return false;
  let v: u64 = 0;
  if (e - s > 2 && load<u8>(s) == 0x30 && (load<u8>(s + 1) | 0x20) == 0x78) {
    for (let p = s + 2; p < e; p++) {
      const c = load<u8>(p);
      let d: u64;
      if (isDigit(c)) d = c - 0x30;
      else if ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66) d = (c | 0x20) - 0x61 + 10;
      else return false;
      if ((v >> 60) != 0) return false;
      v = (v << 4) | d;
    }
  } else {
    for (let p = s; p < e; p++) {
      const c = load<u8>(p);
      if (!isDigit(c)) return false;
      const d: u64 = c - 0x30;
      if (v > (0xffffffffffffffff - d) / 10) return false;
      v = v * 10 + d;
    }
  }
  number = v;
  return true;
}

/** VM names: 1..32 letters, digits, '-' and '_'. */
function validName(s: usize, e: usize): bool {
  if (s >= e || e - s > VM_NAME_CAP) return false;
  for (let p = s; p < e; p++) {
    const c = load<u8>(p);
    if (!isLetter(c) && !isDigit(c) && c != 0x2d && c != 0x5f) return false;
  }
  return true;
}

/** Image names: a plain file name beside wisp.cfg (letters, digits, '.', '-', '_'; no leading '.'). */
function validImage(s: usize, e: usize): bool {
  if (s >= e || e - s > IMAGE_NAME_CAP || load<u8>(s) == 0x2e) return false;
  for (let p = s; p < e; p++) {
    const c = load<u8>(p);
    if (!isLetter(c) && !isDigit(c) && c != 0x2d && c != 0x5f && c != 0x2e) return false;
  }
  return true;
}

// ---- sections and keys ----

let wispSeen: bool = false;

function startVm(line: u32, s: usize, e: usize): bool {
  if (s == e) {
    errorAt(line); say("missing VM name: write [vm NAME]");
    return false;
  }
  if (!validName(s, e)) {
    errorAt(line); say("VM name "); sayQuoted(s, e);
    say(" must be 1 to 32 letters, digits, '-' or '_'");
    return false;
  }
  for (let i: u32 = 0; i < count; i++) {
    const r = record(i);
    const n = load<u32>(r + R_NAME_LEN);
    if (<usize>n == e - s && memory.compare(r + R_NAME, s, n) == 0) {
      errorAt(line); say("duplicate VM name "); sayQuoted(s, e);
      say(" (first at line "); sayNumber(load<u32>(r + R_LINE)); say(")");
      return false;
    }
  }
  if (count >= MAX_VMS) {
    errorAt(line); say("too many VMs (at most 16)");
    return false;
  }
  const r = record(count);
  memory.fill(r, 0, VM_RECORD);
  memory.copy(r + R_NAME, s, e - s);
  store<u32>(r + R_NAME_LEN, <u32>(e - s));
  store<u32>(r + R_LINE, line);
  store<u32>(r + R_EXPECT_KIND, RESULT_EXIT);       // default: expect = exit 0
  count++;
  return true;
}

/** Checks what needs all of a VM's keys. */
function finishVm(i: u32): bool {
  const r = record(i);
  const keys = load<u32>(r + R_KEYS);
  const line = load<u32>(r + R_LINE);
  if ((keys & KEYS_MAIN) == 0) { errorAt(line); sayVm(i); say("no 'image' given"); return false; }
  if ((keys & KEY_MEMORY) == 0) { errorAt(line); sayVm(i); say("no 'memory' given"); return false; }
  if ((keys & KEY_IMAGE) == 0) return finishKernelVm(i, r, keys, line);
  if ((keys & (KEY_INITRD | KEY_CMDLINE | KEY_MODULE)) != 0) {
    errorAt(line); sayVm(i); say("initrd, cmdline and module need 'kernel' or 'multiboot', not 'image'");
    return false;
  }
  if ((keys & KEY_LOAD) == 0) { errorAt(line); sayVm(i); say("no 'load' given"); return false; }
  if ((keys & KEY_MODE) == 0) { errorAt(line); sayVm(i); say("no 'mode' given"); return false; }
  if ((keys & KEY_ENTRY) == 0) {                    // entry defaults to the load address
    store<u64>(r + R_ENTRY, load<u64>(r + R_LOAD));
    store<u32>(r + R_ENTRY_LINE, load<u32>(r + R_LOAD_LINE));
  }
  const size = <u64>load<u32>(r + R_MEMORY_MIB) * MIB;
  const loadAddress = load<u64>(r + R_LOAD);
  const entry = load<u64>(r + R_ENTRY);
  if (loadAddress >= size) {
    errorAt(load<u32>(r + R_LOAD_LINE)); sayVm(i); say("load address "); sayHex(loadAddress);
    say(" is outside its "); sayNumber(load<u32>(r + R_MEMORY_MIB)); say(" MiB of memory");
    return false;
  }
  if (entry >= size) {
    errorAt(load<u32>(r + R_ENTRY_LINE)); sayVm(i); say("entry "); sayHex(entry);
    say(" is outside its "); sayNumber(load<u32>(r + R_MEMORY_MIB)); say(" MiB of memory");
    return false;
  }
  if (load<u32>(r + R_MODE) == MODE_REAL16 && entry >= REAL_MODE_LIMIT) {
    errorAt(load<u32>(r + R_ENTRY_LINE)); sayVm(i); say("entry "); sayHex(entry);
    say(" is not reachable in real16 mode (must be below 0x100000)");
    return false;
  }
  return true;
}

/** The rules of a VM that boots a kernel image (Linux or Multiboot). */
function finishKernelVm(i: u32, r: usize, keys: u32, line: u32): bool {
  if ((keys & (KEY_LOAD | KEY_ENTRY | KEY_MODE)) != 0) {
    errorAt(line); sayVm(i);
    say("load, entry and mode are for flat images (a kernel's image says where it goes)");
    return false;
  }
  const linux = (keys & KEY_KERNEL) != 0;
  if (!linux && (keys & KEY_INITRD) != 0) {
    errorAt(line); sayVm(i); say("initrd is for Linux kernels (give Multiboot modules with 'module')");
    return false;
  }
  if (linux && (keys & KEY_MODULE) != 0) {
    errorAt(line); sayVm(i); say("module is for Multiboot kernels (give a Linux initrd with 'initrd')");
    return false;
  }
  store<u32>(r + R_KIND, linux ? KIND_LINUX : KIND_MULTIBOOT);
  store<u32>(r + R_MODE, linux ? MODE_LONG64 : MODE_PROTECTED32);
  return true;
}

/** Copies [s, e) into the string pool: its reference, or 0xffffffff when it does not fit. */
function poolAdd(s: usize, e: usize): u32 {
  const n = <u32>(e - s);
  if (n > STRING_MAX || poolLen + n > POOL_CAP) return 0xffffffff;
  memory.copy(poolBase + poolLen, s, n);
  const ref = (poolLen << 16) | n;
  poolLen += n;
  return ref;
}

function poolFull(line: u32): bool {
  errorAt(line); say("value too long (at most 4095 characters, 8192 for all such values together)");
  return false;
}

/** cmdline = "text" (quoted, no '"' inside) or cmdline = text. */
function cmdlineValue(line: u32, r: usize, vs: usize, ve: usize): bool {
  let s = vs;
  let e = ve;
  if (load<u8>(s) == 0x22) {
    if (e - s < 2 || load<u8>(e - 1) != 0x22) {
      errorAt(line); say("cmdline: the closing '\"' is missing"); return false;
    }
    s++;
    e--;
  }
  for (let p = s; p < e; p++) {
    if (load<u8>(p) == 0x22) {
      errorAt(line); say("cmdline: a '\"' inside the command line (quote the whole value once)"); return false;
    }
  }
  const ref = poolAdd(s, e);
  if (ref == 0xffffffff) return poolFull(line);
  store<u32>(r + R_CMDLINE, ref);
  return true;
}

/** module = FILE [args]: the whole text is the module's string; FILE its image. */
function moduleValue(line: u32, r: usize, vs: usize, ve: usize): bool {
  let w = vs;
  while (w < ve && !isBlank(load<u8>(w))) w++;
  if (!validImage(vs, w)) {
    errorAt(line); say("module file "); sayQuoted(vs, w);
    say(" must be a file name beside wisp.cfg (letters, digits, '.', '-', '_'; at most 128)");
    return false;
  }
  for (let p = w; p < ve; p++) {
    if (load<u8>(p) == 0x22) {
      errorAt(line); say("module: no '\"' in module arguments"); return false;
    }
  }
  const modules = load<u32>(r + R_MODULES);
  const n = modules & 0xffff;
  if (n >= MAX_MODULES) { errorAt(line); say("too many modules (at most 16 per VM)"); return false; }
  if (moduleCount >= MODULE_TABLE_CAP) { errorAt(line); say("too many modules (at most 64 in all)"); return false; }
  const ref = poolAdd(vs, ve);
  if (ref == 0xffffffff) return poolFull(line);
  store<u32>(moduleTable + (<usize>moduleCount << 2), ref);
  // Modules of one VM are consecutive in the table: VMs are parsed one after the other.
  store<u32>(r + R_MODULES, n == 0 ? (moduleCount << 16) | 1 : modules + 1);
  moduleCount++;
  return true;
}

function wispKey(line: u32, ks: usize, ke: usize, vs: usize, ve: usize): bool {
  if (equals(ks, ke, "debug-exit")) {
    if (equals(vs, ve, "on")) debugExit = true;
    else if (equals(vs, ve, "off")) debugExit = false;
    else { errorAt(line); say("debug-exit must be on or off, not "); sayQuoted(vs, ve); return false; }
    return true;
  }
  if (equals(ks, ke, "console")) {
    if (equals(vs, ve, "lines")) rawConsole = false;
    else if (equals(vs, ve, "raw")) rawConsole = true;
    else { errorAt(line); say("console must be lines or raw, not "); sayQuoted(vs, ve); return false; }
    return true;
  }
  if (equals(ks, ke, "on-end")) {
    if (equals(vs, ve, "halt")) onEndMode = <i32>ON_END_HALT;
    else if (equals(vs, ve, "summary")) onEndMode = <i32>ON_END_SUMMARY;
    else if (equals(vs, ve, "mirror")) onEndMode = <i32>ON_END_MIRROR;
    else { errorAt(line); say("on-end must be halt, summary or mirror, not "); sayQuoted(vs, ve); return false; }
    return true;
  }
  errorAt(line); say("unknown key "); sayQuoted(ks, ke); say(" in [wisp] (known: debug-exit, on-end, console)");
  return false;
}

function expectValue(line: u32, r: usize, vs: usize, ve: usize): bool {
  let w = vs;                                       // end of the first word
  while (w < ve && !isBlank(load<u8>(w))) w++;
  const rest = trimStart(w, ve);
  let kind: u32 = 0;
  if (equals(vs, w, "exit")) {
    if (rest == ve) {
      errorAt(line); say("expect exit needs a value: expect = exit V"); return false;
    }
    if (!parseNumber(rest, ve) || number > 0xffffffff) {
      errorAt(line); say("expect exit value "); sayQuoted(rest, ve);
      say(" is not a number from 0 to 0xffffffff"); return false;
    }
    store<u64>(r + R_EXPECT_VALUE, number);
    kind = RESULT_EXIT;
  } else {
    if (equals(vs, w, "halt")) kind = RESULT_HALT;
    else if (equals(vs, w, "fault")) kind = RESULT_FAULT;
    else if (equals(vs, w, "shutdown")) kind = RESULT_SHUTDOWN;
    else if (equals(vs, w, "trap")) kind = RESULT_TRAP;
    else if (equals(vs, w, "error")) kind = RESULT_ERROR;
    else if (equals(vs, w, "reset")) kind = RESULT_RESET;
    else if (equals(vs, w, "poweroff")) kind = RESULT_POWEROFF;
    if (kind == 0 || rest != ve) {
      errorAt(line); say("expect must be 'exit V', halt, fault, shutdown, trap, error, reset or poweroff, not ");
      sayQuoted(vs, ve); return false;
    }
  }
  store<u32>(r + R_EXPECT_KIND, kind);
  return true;
}

function vmKey(line: u32, ks: usize, ke: usize, vs: usize, ve: usize): bool {
  const r = record(count - 1);
  let key: u32 = 0;
  if (equals(ks, ke, "image")) key = KEY_IMAGE;
  else if (equals(ks, ke, "memory")) key = KEY_MEMORY;
  else if (equals(ks, ke, "load")) key = KEY_LOAD;
  else if (equals(ks, ke, "entry")) key = KEY_ENTRY;
  else if (equals(ks, ke, "mode")) key = KEY_MODE;
  else if (equals(ks, ke, "expect")) key = KEY_EXPECT;
  else if (equals(ks, ke, "kernel")) key = KEY_KERNEL;
  else if (equals(ks, ke, "initrd")) key = KEY_INITRD;
  else if (equals(ks, ke, "cmdline")) key = KEY_CMDLINE;
  else if (equals(ks, ke, "multiboot")) key = KEY_MULTIBOOT;
  else if (equals(ks, ke, "module")) key = KEY_MODULE;
  else {
    errorAt(line); say("unknown key "); sayQuoted(ks, ke);
    say(" (known: image, memory, load, entry, mode, expect, kernel, initrd, cmdline, multiboot, module)");
    return false;
  }
  const keys = load<u32>(r + R_KEYS);
  if ((keys & key) != 0 && key != KEY_MODULE) {
    errorAt(line); say("duplicate key "); sayQuoted(ks, ke); return false;
  }
  if ((key & KEYS_MAIN) != 0 && (keys & KEYS_MAIN) != 0) {
    errorAt(line); sayQuoted(ks, ke);
    say(" cannot go with the VM's other image: a VM boots one of image, kernel or multiboot");
    return false;
  }
  store<u32>(r + R_KEYS, keys | key);
  if (vs == ve && key != KEY_CMDLINE) {
    errorAt(line); say("missing value for "); sayQuoted(ks, ke); return false;
  }
  if ((key & KEYS_MAIN) != 0 || key == KEY_INITRD) {
    if (!validImage(vs, ve)) {
      errorAt(line); messageLen = appendBytes(messageBase, MESSAGE_CAP, messageLen, ks, <u32>(ke - ks));
      say(" "); sayQuoted(vs, ve);
      say(" must be a file name beside wisp.cfg (letters, digits, '.', '-', '_'; at most 128)");
      return false;
    }
    if (key == KEY_INITRD) {
      const ref = poolAdd(vs, ve);
      if (ref == 0xffffffff) return poolFull(line);
      store<u32>(r + R_INITRD, ref);
    } else {
      memory.copy(r + R_IMAGE, vs, ve - vs);
      store<u32>(r + R_IMAGE_LEN, <u32>(ve - vs));
      store<u32>(r + R_KIND_LINE, line);
    }
  } else if (key == KEY_CMDLINE) {
    return vs == ve || cmdlineValue(line, r, vs, ve);
  } else if (key == KEY_MODULE) {
    return moduleValue(line, r, vs, ve);
  } else if (key == KEY_MEMORY) {
    if (!parseNumber(vs, ve) || number < 1 || number > MEMORY_MIB_MAX) {
      errorAt(line); say("memory must be a number of MiB from 1 to 4096, not "); sayQuoted(vs, ve);
      return false;
    }
    store<u32>(r + R_MEMORY_MIB, <u32>number);
  } else if (key == KEY_LOAD || key == KEY_ENTRY) {
    if (!parseNumber(vs, ve)) {
      errorAt(line); sayQuoted(ks, ke); say(" must be an address (decimal or 0x hex), not ");
      sayQuoted(vs, ve);
      return false;
    }
    store<u64>(r + (key == KEY_LOAD ? R_LOAD : R_ENTRY), number);
    store<u32>(r + (key == KEY_LOAD ? R_LOAD_LINE : R_ENTRY_LINE), line);
  } else if (key == KEY_MODE) {
    if (equals(vs, ve, "real16")) store<u32>(r + R_MODE, MODE_REAL16);
    else if (equals(vs, ve, "protected32")) store<u32>(r + R_MODE, MODE_PROTECTED32);
    else {
      errorAt(line); say("mode must be real16 or protected32, not "); sayQuoted(vs, ve);
      return false;
    }
  } else {
    return expectValue(line, r, vs, ve);
  }
  return true;
}

/** Parses one line [s, e) (comment and line end already removed): the section after it, or PARSE_ERROR. */
function parseLine(line: u32, s: usize, e: usize, section: u32): u32 {
  const c = load<u8>(s);
  if (c == 0x5b) {                                  // '['
    if (load<u8>(e - 1) != 0x5d) {
      errorAt(line); say("section header "); sayQuoted(s, e); say(" has no closing ']'");
      return PARSE_ERROR;
    }
    const is = trimStart(s + 1, e - 1);
    const ie = trimEnd(is, e - 1);
    if (equals(is, ie, "wisp")) {
      if (wispSeen) { errorAt(line); say("duplicate [wisp] section"); return PARSE_ERROR; }
      wispSeen = true;
      if (section == SECTION_VM && !finishVm(count - 1)) return PARSE_ERROR;
      return SECTION_WISP;
    }
    if (ie - is >= 2 && equals(is, is + 2, "vm") && (ie - is == 2 || isBlank(load<u8>(is + 2)))) {
      if (section == SECTION_VM && !finishVm(count - 1)) return PARSE_ERROR;
      if (!startVm(line, trimStart(is + 2, ie), ie)) return PARSE_ERROR;
      return SECTION_VM;
    }
    errorAt(line); say("unknown section "); sayQuoted(s, e); say(" (known: [wisp], [vm NAME])");
    return PARSE_ERROR;
  }
  let eq = s;
  while (eq < e && load<u8>(eq) != 0x3d) eq++;      // '='
  if (eq == e) {
    errorAt(line); say("expected 'key = value' or a [section], not "); sayQuoted(s, e);
    return PARSE_ERROR;
  }
  const ke = trimEnd(s, eq);
  const vs = trimStart(eq + 1, e);
  if (ke == s) { errorAt(line); say("missing key before '='"); return PARSE_ERROR; }
  if (section == SECTION_NONE) {
    errorAt(line); say("key "); sayQuoted(s, ke);
    say(" outside a section (start with [wisp] or [vm NAME])");
    return PARSE_ERROR;
  }
  const ok = section == SECTION_WISP ? wispKey(line, s, ke, vs, e) : vmKey(line, s, ke, vs, e);
  return ok ? section : PARSE_ERROR;
}

function reset(): void {
  count = 0;
  poolLen = 0;
  moduleCount = 0;
  debugExit = false;
  onEndMode = -1;
  rawConsole = false;
  wispSeen = false;
  messageLen = 0;
}

/** Parses the configuration text in the input buffer: the VM count, or -1 (see messageOffset). */
export function parseConfig(len: u32): i32 {
  reset();
  if (len > INPUT_CAP) {
    errorAt(0); say("too large ("); sayNumber(len); say(" bytes, at most 32768)");
    return -1;
  }
  const end = inputBase + len;
  let section = SECTION_NONE;
  let line: u32 = 0;
  let p = inputBase;
  while (p < end) {
    line++;
    let s = p;
    let e = s;
    while (e < end && load<u8>(e) != 0x0a) e++;
    p = e + 1;
    // Content stops at '#'; it must be printable ASCII or tab (a comment may hold anything).
    let q = s;
    let quoted = false;                             // '#' inside "..." is text (cmdline values)
    for (; q < e; q++) {
      const c = load<u8>(q);
      if (c == 0x22) quoted = !quoted;
      if (c == 0x23 && !quoted) break;
      if (c == 0x0d && q == e - 1) break;           // CRLF line end
      if ((c < 0x20 && c != 0x09) || c >= 0x7f) {
        errorAt(line); say("unexpected character "); sayHex(c);
        say(" (only ASCII text is allowed outside comments)");
        reset0();
        return -1;
      }
    }
    s = trimStart(s, q);
    e = trimEnd(s, q);
    if (s == e) continue;
    section = parseLine(line, s, e, section);
    if (section == PARSE_ERROR) {
      reset0();
      return -1;
    }
  }
  if (section == SECTION_VM && !finishVm(count - 1)) {
    reset0();
    return -1;
  }
  if (count == 0) {
    errorAt(0); say("no VM defined (add a [vm NAME] section)");
    return -1;
  }
  return <i32>count;
}

/** The message for a VM index the configuration does not have. */
export function noSuchVm(i: u32): void {
  errorAt(0); say("there is no VM number "); sayNumber(i);
  say(" (the configuration has "); sayNumber(count); say(")");
}

/** After an error: no VMs, so that nothing half-parsed is used. */
function reset0(): void {
  count = 0;
  debugExit = false;
  onEndMode = -1;
  rawConsole = false;
}
