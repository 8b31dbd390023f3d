// Rejects a Wasm module that uses floating point (or SIMD): the host is built with
// -mgeneral-regs-only, so the generated C must never touch x87/SSE registers, and the guest's FPU
// state is never saved. Decodes the binary itself (WebAssembly Core Specification 2.0, chapter 5
// "Binary Format"): value types in the type, import, global and code sections, and every instruction.
import { WispError } from './log';

export interface FloatUse { where: string; what: string }

const F32 = 0x7d, F64 = 0x7c, V128 = 0x7b;
const VALTYPE_NAMES: Record<number, string> = { [F32]: 'f32', [F64]: 'f64', [V128]: 'v128' };

/** Opcode names of single-byte float instructions (spec 5.4.5-5.4.7). */
const FLOAT_OPS: Record<number, string> = {
  0x2a: 'f32.load', 0x2b: 'f64.load', 0x38: 'f32.store', 0x39: 'f64.store', 0x43: 'f32.const', 0x44: 'f64.const',
  0x5b: 'f32.eq', 0x5c: 'f32.ne', 0x5d: 'f32.lt', 0x5e: 'f32.gt', 0x5f: 'f32.le', 0x60: 'f32.ge',
  0x61: 'f64.eq', 0x62: 'f64.ne', 0x63: 'f64.lt', 0x64: 'f64.gt', 0x65: 'f64.le', 0x66: 'f64.ge',
  0x8b: 'f32.abs', 0x8c: 'f32.neg', 0x8d: 'f32.ceil', 0x8e: 'f32.floor', 0x8f: 'f32.trunc', 0x90: 'f32.nearest',
  0x91: 'f32.sqrt', 0x92: 'f32.add', 0x93: 'f32.sub', 0x94: 'f32.mul', 0x95: 'f32.div', 0x96: 'f32.min',
  0x97: 'f32.max', 0x98: 'f32.copysign',
  0x99: 'f64.abs', 0x9a: 'f64.neg', 0x9b: 'f64.ceil', 0x9c: 'f64.floor', 0x9d: 'f64.trunc', 0x9e: 'f64.nearest',
  0x9f: 'f64.sqrt', 0xa0: 'f64.add', 0xa1: 'f64.sub', 0xa2: 'f64.mul', 0xa3: 'f64.div', 0xa4: 'f64.min',
  0xa5: 'f64.max', 0xa6: 'f64.copysign',
  0xa8: 'i32.trunc_f32_s', 0xa9: 'i32.trunc_f32_u', 0xaa: 'i32.trunc_f64_s', 0xab: 'i32.trunc_f64_u',
  0xae: 'i64.trunc_f32_s', 0xaf: 'i64.trunc_f32_u', 0xb0: 'i64.trunc_f64_s', 0xb1: 'i64.trunc_f64_u',
  0xb2: 'f32.convert_i32_s', 0xb3: 'f32.convert_i32_u', 0xb4: 'f32.convert_i64_s', 0xb5: 'f32.convert_i64_u',
  0xb6: 'f32.demote_f64', 0xb7: 'f64.convert_i32_s', 0xb8: 'f64.convert_i32_u', 0xb9: 'f64.convert_i64_s',
  0xba: 'f64.convert_i64_u', 0xbb: 'f64.promote_f32', 0xbc: 'i32.reinterpret_f32', 0xbd: 'i64.reinterpret_f64',
  0xbe: 'f32.reinterpret_i32', 0xbf: 'f64.reinterpret_i64',
};
/** Integer single-byte opcodes without immediates: 0x00 unreachable .. 0xc4 (minus the float ones). */
function isPlainIntOp(op: number): boolean {
  return op === 0x00 || op === 0x01 || op === 0x05 || op === 0x0b || op === 0x0f || op === 0x1a || op === 0x1b ||
    (op >= 0x45 && op <= 0x5a) || (op >= 0x67 && op <= 0x8a) || op === 0xa7 || op === 0xac || op === 0xad ||
    (op >= 0xc0 && op <= 0xc4) || op === 0xd1;
}
const SAT_TRUNC = ['i32.trunc_sat_f32_s', 'i32.trunc_sat_f32_u', 'i32.trunc_sat_f64_s', 'i32.trunc_sat_f64_u',
  'i64.trunc_sat_f32_s', 'i64.trunc_sat_f32_u', 'i64.trunc_sat_f64_s', 'i64.trunc_sat_f64_u'];

class Reader {
  constructor(readonly b: Uint8Array, public pos = 0, readonly end = b.length) {}
  byte(): number {
    if (this.pos >= this.end) throw new Error(`unexpected end of data at offset 0x${this.pos.toString(16)}`);
    return this.b[this.pos++];
  }
  /** Unsigned or signed LEB128; the value is not needed, only its extent (and small values). */
  leb(): number {
    let result = 0, shift = 0, byte: number;
    do { byte = this.byte(); if (shift < 28) result |= (byte & 0x7f) << shift; shift += 7; } while (byte & 0x80);
    return result >>> 0;
  }
  skip(n: number): void { this.pos += n; if (this.pos > this.end) throw new Error('unexpected end of data'); }
}

/** All float/SIMD uses in a module, in order of appearance (empty: the module is integer-only). */
export function findFloatUses(bytes: Uint8Array): FloatUse[] {
  const r = new Reader(bytes);
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    throw new Error('not a WebAssembly module (bad magic)');
  }
  r.pos = 8;
  const uses: FloatUse[] = [];
  const funcNames = new Map<number, string>();
  let importedFuncs = 0;
  const codeBodies: { index: number; start: number; end: number }[] = [];
  const valtype = (t: number, where: string): void => {
    if (VALTYPE_NAMES[t]) uses.push({ where, what: `${VALTYPE_NAMES[t]} value type` });
  };

  while (r.pos < bytes.length) {
    const id = r.byte();
    const size = r.leb();
    const start = r.pos, end = start + size;
    const s = new Reader(bytes, start, end);
    switch (id) {
      case 0: { // custom: the name section gives function names for messages
        const nameLen = s.leb();
        const name = Buffer.from(bytes.subarray(s.pos, s.pos + nameLen)).toString('utf8');
        s.skip(nameLen);
        if (name === 'name') {
          while (s.pos < end) {
            const sub = s.byte(), subSize = s.leb(), subEnd = s.pos + subSize;
            if (sub === 1) {
              for (let n = s.leb(); n > 0; n--) {
                const idx = s.leb(), len = s.leb();
                funcNames.set(idx, Buffer.from(bytes.subarray(s.pos, s.pos + len)).toString('utf8'));
                s.skip(len);
              }
            }
            s.pos = subEnd;
          }
        }
        break;
      }
      case 1: // type
        for (let n = s.leb(), i = 0; i < n; i++) {
          if (s.byte() !== 0x60) throw new Error(`type ${i}: not a function type`);
          for (let k = 0; k < 2; k++) for (let c = s.leb(); c > 0; c--) valtype(s.byte(), `type ${i}`);
        }
        break;
      case 2: // import
        for (let n = s.leb(); n > 0; n--) {
          const ml = s.leb(); const mod = Buffer.from(bytes.subarray(s.pos, s.pos + ml)).toString(); s.skip(ml);
          const fl = s.leb(); const field = Buffer.from(bytes.subarray(s.pos, s.pos + fl)).toString(); s.skip(fl);
          const kind = s.byte();
          if (kind === 0) { funcNames.set(importedFuncs++, `${mod}.${field}`); s.leb(); }
          else if (kind === 1) { s.byte(); limits(s); }
          else if (kind === 2) limits(s);
          else if (kind === 3) { valtype(s.byte(), `imported global ${mod}.${field}`); s.byte(); }
          else s.leb(); // tag (exception handling)
        }
        break;
      case 6: // global
        for (let n = s.leb(), i = 0; i < n; i++) {
          valtype(s.byte(), `global ${i}`);
          s.byte();
          scanExpr(s, `global ${i} initializer`, uses);
        }
        break;
      case 7: // export: names for functions without a name section
        for (let n = s.leb(); n > 0; n--) {
          const l = s.leb(); const name = Buffer.from(bytes.subarray(s.pos, s.pos + l)).toString(); s.skip(l);
          const kind = s.byte(), idx = s.leb();
          if (kind === 0 && !funcNames.has(idx)) funcNames.set(idx, name);
        }
        break;
      case 10: // code
        for (let n = s.leb(), i = 0; i < n; i++) {
          const sz = s.leb();
          codeBodies.push({ index: importedFuncs + i, start: s.pos, end: s.pos + sz });
          s.skip(sz);
        }
        break;
    }
    r.pos = end;
  }

  for (const body of codeBodies) {
    const where = () => `function ${body.index}${funcNames.has(body.index) ? ` (${funcNames.get(body.index)})` : ''}`;
    const s = new Reader(bytes, body.start, body.end);
    for (let n = s.leb(); n > 0; n--) { s.leb(); const t = s.byte(); if (VALTYPE_NAMES[t]) uses.push({ where: where(), what: `${VALTYPE_NAMES[t]} local` }); }
    scanExpr(s, where(), uses);
  }
  return uses;
}

function limits(s: Reader): void {
  const flags = s.byte();
  s.leb();
  if (flags & 1) s.leb();
}

/** Scans instructions up to the reader's end (a function body or a constant expression's final `end`). */
function scanExpr(s: Reader, where: string, uses: FloatUse[]): void {
  let depth = 0;
  const memarg = (): void => { const align = s.leb(); if (align & 0x40) s.leb(); s.leb(); };
  while (s.pos < s.end) {
    const at = s.pos;
    const op = s.byte();
    const report = (what: string): void => { uses.push({ where: `${where} at file offset 0x${at.toString(16)}`, what }); };
    if (FLOAT_OPS[op]) {
      report(FLOAT_OPS[op]);
      if (op <= 0x39) memarg(); else if (op === 0x43) s.skip(4); else if (op === 0x44) s.skip(8);
      continue;
    }
    if (isPlainIntOp(op)) {
      if (op === 0x0b) { if (depth === 0) return; depth--; }
      continue;
    }
    switch (op) {
      case 0x02: case 0x03: case 0x04: { // block, loop, if: block type
        depth++;
        const bt = s.b[s.pos];
        if (bt === 0x40 || bt === 0x7f || bt === 0x7e || bt === 0x70 || bt === 0x6f) s.pos++;
        else if (VALTYPE_NAMES[bt]) { s.pos++; report(`${VALTYPE_NAMES[bt]} block result`); }
        else s.leb(); // type index (s33)
        break;
      }
      case 0x0c: case 0x0d: case 0x10: case 0x12: case 0xd2: case 0x20: case 0x21: case 0x22: case 0x23: case 0x24:
      case 0x25: case 0x26: case 0x3f: case 0x40: case 0x41: case 0x42: case 0xd0:
        if (op === 0xd0) s.byte(); else s.leb();
        break;
      case 0x0e: for (let n = s.leb(); n >= 0; n--) s.leb(); break; // br_table: n labels + default
      case 0x11: case 0x13: s.leb(); s.leb(); break; // call_indirect, return_call_indirect
      case 0x1c: for (let n = s.leb(); n > 0; n--) { const t = s.byte(); if (VALTYPE_NAMES[t]) report(`select of ${VALTYPE_NAMES[t]}`); } break;
      case 0x28: case 0x29: case 0x2c: case 0x2d: case 0x2e: case 0x2f: case 0x30: case 0x31: case 0x32: case 0x33:
      case 0x34: case 0x35: case 0x36: case 0x37: case 0x3a: case 0x3b: case 0x3c: case 0x3d: case 0x3e:
        memarg();
        break;
      case 0xfc: { // saturating truncation, bulk memory, tables
        const sub = s.leb();
        if (sub <= 7) report(SAT_TRUNC[sub]);
        else if (sub === 8) { s.leb(); s.byte(); }
        else if (sub === 10) { s.byte(); s.byte(); }
        else if (sub === 11) s.byte();
        else if (sub === 12 || sub === 14) { s.leb(); s.leb(); }
        else if (sub === 9 || sub === 13 || (sub >= 15 && sub <= 17)) s.leb();
        else throw new Error(`${where}: unknown instruction 0xfc ${sub} at byte 0x${at.toString(16)}`);
        break;
      }
      case 0xfd: // SIMD: vector registers are as forbidden as float ones; stop decoding this body
        report(`SIMD instruction (0xfd ${s.leb()})`);
        return;
      case 0xfe: { // threads (atomics)
        const sub = s.leb();
        if (sub === 0x03) s.byte(); else memarg();
        break;
      }
      default:
        throw new Error(`${where}: unknown opcode 0x${op.toString(16)} at byte 0x${at.toString(16)}`);
    }
  }
}

/** Throws a WispError listing the float uses of a module (at most 20 lines). */
export function checkNoFloats(bytes: Uint8Array, name: string): void {
  let uses: FloatUse[];
  try { uses = findFloatUses(bytes); }
  catch (e) { throw new WispError(`float check: ${name}: cannot decode: ${(e as Error).message}`); }
  if (uses.length === 0) return;
  const lines = uses.slice(0, 20).map((u) => `  ${u.what} in ${u.where}`);
  if (uses.length > 20) lines.push(`  ... and ${uses.length - 20} more`);
  throw new WispError(`float check: ${name} uses floating point (${uses.length} place${uses.length > 1 ? 's' : ''}); ` +
    `the hypervisor is built with general registers only, so the core must be integer-only:\n${lines.join('\n')}`);
}
