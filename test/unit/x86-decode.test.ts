// as-src/x86/decode.ts against LLVM's assembler: instructions generated from a description are
// assembled by llvm-mc, decoded by the core, and the decoder's length, operation, sizes, registers,
// immediate and memory operand must be the description's.

import { strict as assert } from "node:assert";
import { prng } from "./harness";
import { X86Core, KIND, MODE, STATUS, RIP_BASE, Decoded } from "./x86-fixture";
import { assemble } from "./x86-reference";

type Bits = 16 | 32 | 64;
const SIZES: Record<Bits, number[]> = { 16: [1, 2, 4], 32: [1, 2, 4], 64: [1, 2, 4, 8] };
const SUFFIX: Record<number, string> = { 1: "b", 2: "w", 4: "l", 8: "q" };

const REGS: Record<number, string[]> = {
  1: ["al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil", "r8b", "r9b", "r10b", "r11b", "r12b", "r13b", "r14b", "r15b"],
  2: ["ax", "cx", "dx", "bx", "sp", "bp", "si", "di", "r8w", "r9w", "r10w", "r11w", "r12w", "r13w", "r14w", "r15w"],
  4: ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d"],
  8: ["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"],
};
const HIGH8 = ["ah", "ch", "dh", "bh"];
const SEGS = ["es", "cs", "ss", "ds", "fs", "gs"];

interface Reg { name: string; n: number; high: boolean; rex: boolean }

interface Mem {
  text: string; addrSize: number; base: number; index: number; scale: number; disp: bigint; segment: number; rex: boolean;
}

interface Spec {
  line: string; kind: number; subop: number; opSize: number; memSize: number;
  reg?: Reg; imm?: bigint; mem: Mem; lock?: boolean;
}

type Rnd = () => number;
const pick = <T>(rnd: Rnd, a: readonly T[]): T => a[Math.floor(rnd() * a.length)];
const hex = (v: bigint): string => (v < 0n ? `-0x${(-v).toString(16)}` : `0x${v.toString(16)}`);

function randomDisp(rnd: Rnd, addrSize: number): bigint {
  const r = rnd();
  if (r < 0.3) return 0n;
  if (r < 0.6) return BigInt(Math.floor(rnd() * 256) - 128);
  if (addrSize === 2) return BigInt(Math.floor(rnd() * 0x10000) - 0x8000);
  return BigInt(Math.floor(rnd() * 0x100000000) - 0x80000000);
}

function register(size: number, n: number, high = false, bits: Bits = 64): Reg {
  if (size === 1 && bits !== 64 && n >= 4 && !high) return register(1, n - 4, true);   // no SPL..DIL outside 64-bit code
  return { name: high ? HIGH8[n] : REGS[size][n], n, high, rex: !high && (n >= 8 || (size === 1 && n >= 4)) };
}

/** A random memory operand for code of `bits`, with `noRex` when a high-byte register is also used. */
function randomMem(rnd: Rnd, bits: Bits, noRex: boolean): Mem {
  const addrSize = bits === 64 ? (rnd() < 0.8 ? 8 : 4) : bits === 32 ? (rnd() < 0.8 ? 4 : 2) : (rnd() < 0.8 ? 2 : 4);
  let segment = -1;
  let segText = "";
  if (rnd() < 0.2) {
    segment = Math.floor(rnd() * 6);
    segText = `%${SEGS[segment]}:`;
  }
  const disp = randomDisp(rnd, addrSize);
  const form = rnd();
  let m: Mem;
  if (addrSize === 2) {
    // [BX+SI] [BX+DI] [BP+SI] [BP+DI] [SI] [DI] [BP] [BX] or an absolute disp16
    const forms: Array<[number, number, string]> = [[3, 6, "%bx,%si"], [3, 7, "%bx,%di"], [5, 6, "%bp,%si"], [5, 7, "%bp,%di"], [6, -1, "%si"], [7, -1, "%di"], [5, -1, "%bp"], [3, -1, "%bx"]];
    if (form < 0.15 && bits === 16) {
      const a = disp & 0xffffn;
      m = { text: `${hex(a)}`, addrSize, base: -1, index: -1, scale: 1, disp: a, segment: 3, rex: false };
    } else {
      const [base, index, t] = pick(rnd, forms);
      m = { text: `${disp === 0n ? "" : hex(disp)}(${t})`, addrSize, base, index, scale: 1, disp, segment: base === 5 ? 2 : 3, rex: false };
    }
  } else {
    const regs = REGS[addrSize];
    const limit = bits === 64 && !noRex ? 16 : 8;
    const hasBase = form > 0.1;
    const hasIndex = form < 0.1 || rnd() < 0.4;
    const base = hasBase ? Math.floor(rnd() * limit) : -1;
    let index = -1;
    if (hasIndex) do index = Math.floor(rnd() * limit); while (index === 4);
    const scale = hasIndex ? pick(rnd, [1, 2, 4, 8]) : 1;
    if (!hasBase && !hasIndex) throw new Error("unreachable");
    const inside = [base >= 0 ? `%${regs[base]}` : "", index >= 0 ? `,%${regs[index]},${scale}` : ""].join("");
    m = {
      text: `${disp === 0n ? "" : hex(disp)}(${inside})`, addrSize, base, index, scale, disp,
      segment: base === 4 || base === 5 ? 2 : 3, rex: base >= 8 || index >= 8,
    };
    if (form > 0.93) {                                        // absolute, or RIP-relative in 64-bit code
      if (bits === 64 && rnd() < 0.6) {
        const rip = addrSize === 8 ? "rip" : "eip";
        m = { text: `${hex(disp)}(%${rip})`, addrSize, base: RIP_BASE, index: -1, scale: 1, disp, segment: 3, rex: false };
      } else {                                                // an absolute address takes the default address size
        const size = bits / 8;
        const a = bits === 64 ? BigInt.asIntN(32, disp) : disp & mask(size);
        m = { text: hex(a), addrSize: size, base: -1, index: -1, scale: 1, disp: a, segment: 3, rex: false };
      }
    }
  }
  if (segment >= 0) {
    m.segment = segment;
    m.text = segText + m.text;
  }
  return m;
}

function randomImm(rnd: Rnd, size: number): bigint {
  const r = rnd();
  if (size === 1) return BigInt(Math.floor(rnd() * 256) - 128);
  if (r < 0.4) return BigInt(Math.floor(rnd() * 256) - 128);
  if (size === 2) return BigInt(Math.floor(rnd() * 0x10000) - 0x8000);
  return BigInt(Math.floor(rnd() * 0x100000000) - 0x80000000);
}

const ALU = ["add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"];
const BITS_OPS = ["bt", "bts", "btr", "btc"];
const UNARY = ["not", "neg", "inc", "dec"];
const UNARY_SUBOP: Record<string, number> = { not: 0, neg: 1, inc: 2, dec: 3 };

/** One random instruction of the emulated set for code of `bits`. */
function randomSpec(rnd: Rnd, bits: Bits): Spec {
  const size = pick(rnd, SIZES[bits]);
  const s = SUFFIX[size];
  const highOk = size === 1 && rnd() < 0.3;
  const reg = highOk ? register(1, Math.floor(rnd() * 4), true) : register(size, Math.floor(rnd() * (bits === 64 ? 16 : 8)), false, bits);
  const mem = randomMem(rnd, bits, reg.high);
  const lock = rnd() < 0.15;
  const what = Math.floor(rnd() * 12);
  const base = { opSize: size, memSize: size, mem, subop: 0 };
  switch (what) {
    case 0: return { ...base, line: `mov${s} %${reg.name}, ${mem.text}`, kind: KIND.STORE, reg };
    case 1: return { ...base, line: `mov${s} ${mem.text}, %${reg.name}`, kind: KIND.LOAD, reg };
    case 2: {
      const imm = randomImm(rnd, size);
      return { ...base, line: `mov${s} $${hex(imm)}, ${mem.text}`, kind: KIND.STORE, imm };
    }
    case 3: {                                                   // MOVZX/MOVSX
      const sx = rnd() < 0.5;
      const from = pick(rnd, sx && bits === 64 ? [1, 2, 4] : [1, 2]);
      const to = pick(rnd, SIZES[bits].filter((x) => x > from));
      const dst = register(to, reg.n);
      const text = sx && from === 4 ? "movslq" : `mov${sx ? "s" : "z"}${SUFFIX[from]}${SUFFIX[to]}`;
      return { ...base, opSize: to, memSize: from, line: `${text} ${mem.text}, %${dst.name}`, kind: sx ? KIND.LOAD_SX : KIND.LOAD_ZX, reg: dst };
    }
    case 4: case 5: {                                           // ALU reg/mem, both directions
      const op = Math.floor(rnd() * 8);
      const lk = lock && what === 4 && op !== 7;
      return what === 4
        ? { ...base, line: `${lk ? "lock " : ""}${ALU[op]}${s} %${reg.name}, ${mem.text}`, kind: KIND.ALU_TO_MEM, subop: op, reg, lock: lk }
        : { ...base, line: `${ALU[op]}${s} ${mem.text}, %${reg.name}`, kind: KIND.ALU_TO_REG, subop: op, reg };
    }
    case 6: {                                                   // ALU imm, mem
      const op = Math.floor(rnd() * 8);
      const imm = randomImm(rnd, size);
      const lk = lock && op !== 7;
      return { ...base, line: `${lk ? "lock " : ""}${ALU[op]}${s} $${hex(imm)}, ${mem.text}`, kind: KIND.ALU_TO_MEM, subop: op, imm, lock: lk };
    }
    case 7: {
      if (rnd() < 0.5) return { ...base, line: `test${s} %${reg.name}, ${mem.text}`, kind: KIND.TEST, reg };
      const imm = randomImm(rnd, size);
      return { ...base, line: `test${s} $${hex(imm)}, ${mem.text}`, kind: KIND.TEST, imm };
    }
    case 8: return { ...base, line: `${lock ? "lock " : ""}xchg${s} %${reg.name}, ${mem.text}`, kind: KIND.XCHG, reg, lock };
    case 9: {
      const op = Math.floor(rnd() * 4);
      const opSize = size === 1 ? 2 : size;
      const lk = lock && op !== 0;
      const prefix = lk ? "lock " : "";
      if (rnd() < 0.5) {
        const r = register(opSize, reg.n);
        return { ...base, opSize, memSize: opSize, line: `${prefix}${BITS_OPS[op]}${SUFFIX[opSize]} %${r.name}, ${mem.text}`, kind: KIND.BIT, subop: op, reg: r, lock: lk };
      }
      const imm = BigInt(Math.floor(rnd() * 256));
      return { ...base, opSize, memSize: opSize, line: `${prefix}${BITS_OPS[op]}${SUFFIX[opSize]} $${imm}, ${mem.text}`, kind: KIND.BIT, subop: op, imm, lock: lk };
    }
    case 10: {
      const op = pick(rnd, UNARY);
      return { ...base, line: `${lock ? "lock " : ""}${op}${s} ${mem.text}`, kind: KIND.UNARY, subop: UNARY_SUBOP[op], lock };
    }
    default: {                                                  // MOVNTI
      const opSize = bits === 64 && rnd() < 0.5 ? 8 : 4;
      const r = register(opSize, reg.n);
      return { ...base, opSize, memSize: opSize, line: `movnti %${r.name}, ${mem.text}`, kind: KIND.STORE, reg: r };
    }
  }
}

const mask = (size: number): bigint => (1n << BigInt(size * 8)) - 1n;

function check(spec: Spec, bytes: number[], status: number, d: Decoded): void {
  const what = `${spec.line} [${bytes.map((b) => b.toString(16).padStart(2, "0")).join(" ")}]`;
  assert.equal(status, STATUS.OK, `${what}: status ${status}`);
  assert.equal(d.length, bytes.length, `${what}: length`);
  assert.equal(d.kind, spec.kind, `${what}: kind`);
  assert.equal(d.subop, spec.subop, `${what}: subop`);
  assert.equal(d.opSize, spec.opSize, `${what}: operand size`);
  assert.equal(d.memSize, spec.memSize, `${what}: memory size`);
  assert.equal(d.lock, !!spec.lock, `${what}: lock`);
  if (spec.imm !== undefined) {
    assert.ok(d.srcImm, `${what}: immediate source`);
    assert.equal(d.imm & mask(spec.opSize), BigInt.asUintN(64, spec.imm) & mask(spec.opSize), `${what}: immediate`);
  } else if (spec.reg) {
    assert.ok(!d.srcImm, `${what}: register source`);
    assert.equal(d.reg, spec.reg.n, `${what}: register`);
    assert.equal(d.regHigh, spec.reg.high, `${what}: high-byte register`);
  }
  const m = spec.mem;
  assert.equal(d.addrSize, m.addrSize, `${what}: address size`);
  assert.equal(d.base, m.base, `${what}: base`);
  assert.equal(d.index, m.index, `${what}: index`);
  if (m.index >= 0) assert.equal(d.scale, m.scale, `${what}: scale`);
  assert.equal(d.disp & mask(m.addrSize), BigInt.asUintN(64, m.disp) & mask(m.addrSize), `${what}: displacement`);
  assert.equal(d.segment, m.segment, `${what}: segment`);
}

const MODES: Array<[Bits, number]> = [[16, MODE.P16], [32, MODE.P32], [64, MODE.LONG]];

describe("x86 decode (against llvm-mc)", function () {
  this.timeout(120000);

  for (const [bits, mode] of MODES) {
    it(`decodes 300 generated instructions in ${bits}-bit code like the assembler encodes them`, () => {
      const rnd = prng(0x86 + bits);
      const specs = Array.from({ length: 300 }, () => randomSpec(rnd, bits));
      const encodings = assemble(bits, specs.map((s) => s.line));
      const core = new X86Core(0x10000);
      specs.forEach((spec, i) => {
        const { status, d } = core.decode(encodings[i], mode);
        check(spec, encodings[i], status, d);
        // Every shorter prefix of the bytes is incomplete: the decoder uses exactly the assembler's length.
        for (let n = 0; n < encodings[i].length; n++) {
          assert.equal(core.decode(encodings[i], mode, n).status, STATUS.TRUNCATED, `${spec.line}: ${n} bytes`);
        }
      });
    });
  }

  it("decodes real mode like 16-bit protected mode", () => {
    const core = new X86Core(0x10000);
    const specs = Array.from({ length: 50 }, ((rnd) => () => randomSpec(rnd, 16))(prng(7)));
    const enc = assemble(16, specs.map((s) => s.line));
    specs.forEach((s, i) => check(s, enc[i], ...Object.values(core.decode(enc[i], MODE.REAL)) as [number, Decoded]));
  });

  it("MOV with moffs (A0-A3) takes an address-size offset", () => {
    const core = new X86Core(0x10000);
    const cases: Array<[Bits, number, string, number, number, boolean, bigint]> = [
      [64, MODE.LONG, "movabsl 0xfee000b0, %eax", 4, 8, false, 0xfee000b0n],
      [64, MODE.LONG, "movabsb %al, 0x1122334455667788", 1, 8, true, 0x1122334455667788n],
      [64, MODE.LONG, "movabsq %rax, 0xfec00010", 8, 8, true, 0xfec00010n],
      [64, MODE.LONG, "movabsw 0xfee00020, %ax", 2, 8, false, 0xfee00020n],
      [32, MODE.P32, "movl 0xfee000b0, %eax", 4, 4, false, 0xfee000b0n],
      [32, MODE.P32, "movb %al, 0xfec00000", 1, 4, true, 0xfec00000n],
      [16, MODE.P16, "movw 0x1234, %ax", 2, 2, false, 0x1234n],
      [16, MODE.P16, "movl %eax, 0x10", 4, 2, true, 0x10n],
    ];
    for (const [bits, mode, line, size, addrSize, store, addr] of cases) {
      const [bytes] = assemble(bits, [line]);
      assert.ok(bytes.some((b) => b >= 0xa0 && b <= 0xa3), `${line} uses moffs`);
      const { status, d } = core.decode(bytes, mode);
      assert.equal(status, STATUS.OK, line);
      assert.equal(d.length, bytes.length, line);
      assert.equal(d.kind, store ? KIND.STORE : KIND.LOAD, line);
      assert.deepEqual([d.opSize, d.addrSize, d.reg, d.base, d.index, d.disp], [size, addrSize, 0, -1, -1, addr], line);
    }
  });

  it("MOVSXD without REX.W is a 32-bit load; 63 outside 64-bit code (ARPL) is not emulated", () => {
    const core = new X86Core(0x10000);
    let r = core.decode([0x63, 0x03], MODE.LONG);
    assert.deepEqual([r.status, r.d.kind, r.d.opSize, r.d.memSize, r.d.length], [STATUS.OK, KIND.LOAD, 4, 4, 2]);
    r = core.decode([0x48, 0x63, 0x03], MODE.LONG);
    assert.deepEqual([r.status, r.d.kind, r.d.opSize, r.d.memSize], [STATUS.OK, KIND.LOAD_SX, 8, 4]);
    assert.equal(core.decode([0x63, 0x03], MODE.P32).status, STATUS.UNSUPPORTED);
  });

  it("prefix rules: REX only counts right before the opcode, REX.W beats 66, 67 switches address size", () => {
    const core = new X86Core(0x10000);
    let r = core.decode([0x48, 0x66, 0x89, 0x03], MODE.LONG);               // REX then 66: REX ignored
    assert.deepEqual([r.status, r.d.opSize, r.d.length], [STATUS.OK, 2, 4]);
    r = core.decode([0x66, 0x48, 0x89, 0x03], MODE.LONG);                    // 66 then REX.W: 8 bytes
    assert.deepEqual([r.status, r.d.opSize], [STATUS.OK, 8]);
    r = core.decode([0x41, 0x40, 0x89, 0x03], MODE.LONG);                    // the last REX wins: base rbx
    assert.deepEqual([r.status, r.d.base], [STATUS.OK, 3]);
    r = core.decode([0x40, 0x88, 0x20], MODE.LONG);                          // REX: reg 4 is SPL, not AH
    assert.deepEqual([r.d.reg, r.d.regHigh], [4, false]);
    r = core.decode([0x88, 0x20], MODE.LONG);
    assert.deepEqual([r.d.reg, r.d.regHigh], [0, true]);
    r = core.decode([0x67, 0x8b, 0x00], MODE.P16);                           // 32-bit addressing in 16-bit code
    assert.deepEqual([r.status, r.d.addrSize, r.d.base], [STATUS.OK, 4, 0]);
    r = core.decode([0x26, 0x64, 0x89, 0x03], MODE.P32);                     // the last segment override wins
    assert.equal(r.d.segment, 4);
    r = core.decode([0xf3, 0x89, 0x03], MODE.P32);                           // REP is ignored by MOV
    assert.deepEqual([r.status, r.d.rep], [STATUS.OK, 0xf3]);
  });

  it("refuses what it does not emulate with a status, never a trap", () => {
    const core = new X86Core(0x10000);
    const [regForm, stos, div, jmp, cmpxchg] = assemble(64, [
      "movl %eax, %ebx", "rep stosb", "divl (%rax)", "jmpq *(%rax)", "cmpxchgl %ecx, (%rax)",
    ]);
    const lockMov = [0xf0, 0x89, 0x03];                    // LOCK MOV and LOCK CMP: #UD on hardware
    const lockCmp = [0xf0, 0x39, 0x03];
    assert.equal(core.decode(regForm, MODE.LONG).status, STATUS.NO_MEMORY);
    assert.equal(core.decode(stos, MODE.LONG).status, STATUS.UNSUPPORTED);
    assert.equal(core.decode(div, MODE.LONG).status, STATUS.UNSUPPORTED);
    assert.equal(core.decode(jmp, MODE.LONG).status, STATUS.UNSUPPORTED);
    assert.equal(core.decode(cmpxchg, MODE.LONG).status, STATUS.UNSUPPORTED);
    assert.equal(core.decode(lockMov, MODE.LONG).status, STATUS.BAD_LOCK);
    assert.equal(core.decode(lockCmp, MODE.LONG).status, STATUS.BAD_LOCK);
    assert.equal(core.decode([0xc7, 0x48, 0x10, 1, 2, 3, 4], MODE.P32).status, STATUS.UNSUPPORTED);   // C7 /1
    assert.equal(core.decode([0x66, 0x0f, 0xc3, 0x03], MODE.P32).status, STATUS.UNSUPPORTED);           // 66 MOVNTI
    assert.equal(core.decode(Array(15).fill(0x66).concat([0x89, 0x03]), MODE.P32, 15).status, STATUS.TOO_LONG);
    assert.equal(core.decode(Array(13).fill(0x3e).concat([0x89, 0x03]), MODE.P32).status, STATUS.OK);  // exactly 15
    assert.equal(core.decode(Array(14).fill(0x3e).concat([0x89, 0x43, 0x01]), MODE.P32, 15).status, STATUS.TRUNCATED);
    assert.equal(core.decode([], MODE.LONG, 0).status, STATUS.TRUNCATED);
  });
});
