// Hostile instruction bytes must never trap the core: the decoder and the whole MMIO emulation
// path get random, prefix-heavy and mutated byte strings in every CPU mode; the only acceptable
// outcomes are a clean decode, a clean "cannot emulate" status, or a VM stopped with a report.

import { strict as assert } from "node:assert";
import { prng } from "./harness";
import { X86Core, LongModeTables, MODE, STATUS } from "./x86-fixture";
import { assemble } from "./x86-reference";

const SEEDS = [
  "movl %eax, (%rbx)", "movq 0x10(%rip), %rax", "lock addl $1, %fs:0x12345678(%r12,%r13,8)", "movzwl (%rax), %ecx",
  "movslq (%rsi), %rdi", "btsq $63, (%rax)", "xchgb %ah, (%rbx)", "testl $0x80000000, 4(%rsp)", "negw (%rbp)",
  "movabsq 0x1122334455667788, %rax", "movnti %r9, (%rdx)", "cmpb $-1, (%r8)", "orl $0x100, 0xf0(%rbx)",
];
const PREFIXES = [0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x40, 0x48, 0x41, 0x4f, 0x0f];

describe("x86 fuzz", function () {
  this.timeout(120000);

  function inputs(rnd: () => number, seeds: number[][], count: number): number[][] {
    const out: number[][] = [];
    const byte = (): number => Math.floor(rnd() * 256);
    for (let i = 0; i < count; i++) {
      const kind = i % 4;
      let b: number[];
      if (kind === 0) b = Array.from({ length: Math.floor(rnd() * 17) }, byte);
      else if (kind === 1) {                             // prefix soup before a random or known opcode
        b = Array.from({ length: Math.floor(rnd() * 16) }, () => PREFIXES[Math.floor(rnd() * PREFIXES.length)]);
        b.push(...Array.from({ length: 8 }, byte));
      } else {                                           // mutations of assembled instructions
        b = [...seeds[Math.floor(rnd() * seeds.length)]];
        const edits = 1 + Math.floor(rnd() * 3);
        for (let e = 0; e < edits; e++) {
          const at = Math.floor(rnd() * (b.length + 1));
          const op = Math.floor(rnd() * 3);
          if (op === 0 && b.length > 0) b[Math.min(at, b.length - 1)] = byte();
          else if (op === 1) b.splice(at, 0, kind === 2 ? PREFIXES[Math.floor(rnd() * PREFIXES.length)] : byte());
          else b.splice(at, 1);
        }
      }
      out.push(b.slice(0, 16));
    }
    return out;
  }

  it("the decoder answers every byte string with a status in every mode (80000 decodes)", () => {
    const seeds = assemble(64, SEEDS);
    const rnd = prng(0xdec0de);
    const core = new X86Core(0x10000);
    const valid = new Set<number>(Object.values(STATUS));
    for (const b of inputs(rnd, seeds, 20000)) {
      for (const mode of [MODE.REAL, MODE.P16, MODE.P32, MODE.LONG]) {
        const avail = Math.min(b.length, 15);
        const { status, d } = core.decode(b, mode, avail);
        assert.ok(valid.has(status), `status ${status}`);
        if (status === STATUS.OK) {
          assert.ok(d.length >= 1 && d.length <= avail, `length ${d.length} of ${avail}`);
          assert.ok([1, 2, 4, 8].includes(d.memSize) && [1, 2, 4, 8].includes(d.opSize));
          assert.ok(d.reg >= 0 && d.reg < 16 && d.base >= -1 && d.base <= 16 && d.index >= -1 && d.index < 16);
        }
      }
    }
  });

  it("MMIO emulation of random code never traps: it resumes or stops the VM with a report (24000 faults)", () => {
    const seeds = assemble(64, SEEDS);
    const rnd = prng(0xfa017);
    let core: X86Core | undefined;
    const reasons = new Set<string>();
    const all = inputs(rnd, seeds, 24000);
    all.forEach((b, i) => {
      if (i % 2000 === 0) {                              // a fresh instance now and then (output grows)
        core = new X86Core(0x400000);
        const t = new LongModeTables(core);
        for (let g = 0n; g < 4n; g++) t.map(g << 30n, g << 30n, 0x40000000);
        t.enable();
      }
      const c = core!;
      c.written.length = 0;
      const mode = [MODE.REAL, MODE.P16, MODE.P32, MODE.LONG][i % 4];
      if (mode === MODE.LONG) {
        c.set("cr0", 0x80000011n);
        c.set("efer", 0x500n);
      } else {
        c.set("cr0", mode === MODE.REAL ? 0x10n : 0x11n);
        c.set("efer", 0n);
      }
      c.setMode(mode);
      for (let r = 0; r < 16; r++) c.setGpr(r, rnd() < 0.5 ? 0xfee00000n + BigInt(Math.floor(rnd() * 0x1000)) : BigInt(Math.floor(rnd() * 2 ** 32)) * BigInt(Math.floor(rnd() * 2 ** 32)));
      for (let s = 0; s < 6; s++) c.setSegBase(s, rnd() < 0.7 ? 0n : BigInt(Math.floor(rnd() * 2 ** 32)));
      const rip = rnd() < 0.9 ? 0x10000 + Math.floor(rnd() * 0x2000) : 0x3ffff8;  // sometimes at the end of RAM
      c.set("rip", rip);
      c.set("rflags", 0x2n | BigInt(Math.floor(rnd() * 0x1000)));
      c.guest.fill(0x90, rip, Math.min(rip + 16, c.guest.length));
      c.guest.set(b.slice(0, c.guest.length - rip), rip);
      const gpa = (rnd() < 0.5 ? 0xfee00000n : 0xfec00000n) + BigInt(Math.floor(rnd() * 0x1000));
      const r = c.x.testMmioFault(rnd() < 0.5 ? 2n : 0n, gpa);
      assert.ok(r === 0 || r === 1, `result ${r}`);
      if (r === 1) {
        const m = /fault: MMIO (read|write) at 0x[0-9a-f]+: cannot emulate the instruction at rip 0x[0-9a-f]+ \(([A-Za-z0-9 ]+)/.exec(c.output);
        assert.ok(m, c.output);
        reasons.add(m[2]);
      }
    });
    assert.ok(reasons.size >= 5, [...reasons].join(", "));          // every refusal path was exercised
  });
});
