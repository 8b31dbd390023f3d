// as-src/x86/emulate.ts: instructions assembled by llvm-mc, placed at RIP in guest memory, run
// against the fixture's stand-in devices. RFLAGS are compared with the host CPU's (x86-64 hosts).

import { strict as assert } from "node:assert";
import { prng, helloVm, Core, REASON, RESULT } from "./harness";
import { X86Core, LongModeTables, MODE, DEVICE } from "./x86-fixture";
import { assemble, hostFlagsAvailable, hostFlags, FlagCase, FlagOp } from "./x86-reference";

const LAPIC = 0xfee00000n;
const IOAPIC = 0xfec00000n;
const CODE = 0x10000;
const READ = 0n;
const WRITE = 2n;
const RAX = 0, RCX = 1, RDX = 2, RBX = 3, RSI = 6, RDI = 7, R9 = 9, R15 = 15;

/** A 64-bit vCPU with the first 4 GiB identity-mapped (1 GiB pages) and RIP at CODE. */
function longCore(): X86Core {
  const core = new X86Core(0x400000);
  const t = new LongModeTables(core);
  for (let g = 0n; g < 4n; g++) t.map(g << 30n, g << 30n, 0x40000000);
  t.enable();
  core.set("rip", CODE);
  core.set("rflags", 0x2);
  return core;
}

/** A 32-bit protected-mode vCPU without paging. */
function prot32Core(): X86Core {
  const core = new X86Core(0x400000);
  core.set("cr0", 0x11n);
  core.setMode(MODE.P32);
  core.set("rip", CODE);
  core.set("rflags", 0x2);
  return core;
}

function place(core: X86Core, bytes: number[], at = CODE): void {
  core.guest.set(bytes, at);
}

function setDevice(core: X86Core, gpa: bigint, value: bigint, size = 8): void {
  const dev = gpa >= LAPIC ? DEVICE.LOCAL_APIC : DEVICE.IOAPIC;
  const off = Number(gpa - (dev === DEVICE.LOCAL_APIC ? LAPIC : IOAPIC));
  const regs = core.deviceRegs(dev);
  for (let i = 0; i < size; i++) regs[off + i] = Number((value >> BigInt(8 * i)) & 0xffn);
}

function getDevice(core: X86Core, gpa: bigint, size = 8): bigint {
  const dev = gpa >= LAPIC ? DEVICE.LOCAL_APIC : DEVICE.IOAPIC;
  const off = Number(gpa - (dev === DEVICE.LOCAL_APIC ? LAPIC : IOAPIC));
  const regs = core.deviceRegs(dev);
  let v = 0n;
  for (let i = 0; i < size; i++) v |= BigInt(regs[off + i]) << BigInt(8 * i);
  return v;
}

/** Assembles one line, places it at RIP and emulates a fault at gpa; returns the emulator's result. */
function run(core: X86Core, bits: 16 | 32 | 64, line: string, gpa: bigint, q = READ, at = CODE): { r: number; len: number } {
  const [bytes] = assemble(bits, [line]);
  place(core, bytes, at);
  core.x.testResetLog();
  return { r: core.x.testMmioFault(q, gpa), len: bytes.length };
}

const STATUS_FLAGS = 0x8d5n;
const AF = 0x10n;

describe("x86 emulate", function () {
  this.timeout(120000);

  it("MOV loads in every size with x86 partial-register writes", () => {
    const core = longCore();
    setDevice(core, LAPIC + 0x30n, 0x8877665544332211n);
    const cases: Array<[string, number, bigint, bigint]> = [
      ["movb 0x30(%rbx), %al", RAX, 0xaaaaaaaaaaaaaaaan, 0xaaaaaaaaaaaaaa11n],
      ["movb 0x30(%rbx), %ah", RAX, 0xaaaaaaaaaaaaaaaan, 0xaaaaaaaaaaaa11aan],
      ["movb 0x30(%rbx), %bh", RBX, 0xfee00000n, 0xfee01100n],
      ["movb 0x30(%rbx), %sil", RSI, 0xaaaaaaaaaaaaaaaan, 0xaaaaaaaaaaaaaa11n],
      ["movw 0x30(%rbx), %r9w", R9, 0xaaaaaaaaaaaaaaaan, 0xaaaaaaaaaaaa2211n],
      ["movl 0x30(%rbx), %r15d", R15, 0xaaaaaaaaaaaaaaaan, 0x44332211n],
      ["movq 0x30(%rbx), %rdx", RDX, 0xaaaaaaaaaaaaaaaan, 0x8877665544332211n],
    ];
    for (const [line, reg, before, after] of cases) {
      core.set("rip", CODE);
      core.setGpr(reg, before);
      if (reg !== RBX) core.setGpr(RBX, LAPIC);
      const { r, len } = run(core, 64, line, LAPIC + 0x30n);
      assert.equal(r, 0, `${line}: ${core.output}`);
      assert.equal(core.gpr(reg), after, line);
      assert.equal(core.get("rip"), BigInt(CODE + len), line);
      const [a] = core.accesses();
      assert.deepEqual([a.device, a.offset, a.write], [DEVICE.LOCAL_APIC, 0x30, false], line);
    }
  });

  it("MOV stores from registers and immediates; REX.W C7 sign-extends its imm32", () => {
    const core = longCore();
    core.setGpr(RAX, 0x1122334455667788n);
    core.setGpr(RCX, 0xfec00000n);
    const cases: Array<[string, number, bigint]> = [
      ["movb %al, 0x10(%rcx)", 1, 0x88n],
      ["movb %ah, 0x10(%rcx)", 1, 0x77n],
      ["movw %ax, 0x10(%rcx)", 2, 0x7788n],
      ["movl %eax, 0x10(%rcx)", 4, 0x55667788n],
      ["movq %rax, 0x10(%rcx)", 8, 0x1122334455667788n],
      ["movl $0x12345678, 0x10(%rcx)", 4, 0x12345678n],
      ["movq $-2, 0x10(%rcx)", 8, 0xfffffffffffffffen],
      ["movw $-1, 0x10(%rcx)", 2, 0xffffn],
      ["movb $0x5a, 0x10(%rcx)", 1, 0x5an],
      ["movnti %eax, 0x10(%rcx)", 4, 0x55667788n],
      ["movnti %rax, 0x10(%rcx)", 8, 0x1122334455667788n],
    ];
    for (const [line, size, value] of cases) {
      core.set("rip", CODE);
      const { r } = run(core, 64, line, IOAPIC + 0x10n, WRITE);
      assert.equal(r, 0, `${line}: ${core.output}`);
      assert.deepEqual(core.accesses(), [{ device: DEVICE.IOAPIC, offset: 0x10, size, write: true, value }], line);
    }
  });

  it("MOVZX, MOVSX and MOVSXD", () => {
    const core = longCore();
    setDevice(core, LAPIC + 0x100n, 0x80f1n, 2);
    setDevice(core, LAPIC + 0x200n, 0x80000001n, 4);
    const cases: Array<[string, bigint, bigint, bigint]> = [
      ["movzbl 0x100(%rbx), %eax", LAPIC + 0x100n, 0xffffffffffffffffn, 0xf1n],
      ["movzwq 0x100(%rbx), %rax", LAPIC + 0x100n, 0xffffffffffffffffn, 0x80f1n],
      ["movzbw 0x100(%rbx), %ax", LAPIC + 0x100n, 0xffffffffffffffffn, 0xffffffffffff00f1n],
      ["movsbl 0x100(%rbx), %eax", LAPIC + 0x100n, 0xffffffffffffffffn, 0xfffffff1n],
      ["movswq 0x100(%rbx), %rax", LAPIC + 0x100n, 0n, 0xffffffffffff80f1n],
      ["movsbw 0x100(%rbx), %ax", LAPIC + 0x100n, 0x1234567800000000n, 0x123456780000fff1n],
      ["movslq 0x200(%rbx), %rax", LAPIC + 0x200n, 0n, 0xffffffff80000001n],
    ];
    for (const [line, gpa, before, after] of cases) {
      core.set("rip", CODE);
      core.setGpr(RBX, LAPIC);
      core.setGpr(RAX, before);
      const { r } = run(core, 64, line, gpa);
      assert.equal(r, 0, `${line}: ${core.output}`);
      assert.equal(core.gpr(RAX), after, line);
    }
  });

  it("XCHG swaps the register and the device register", () => {
    const core = longCore();
    setDevice(core, LAPIC + 0x300n, 0xcafef00dn, 4);
    core.setGpr(RDX, 0xffffffff00000042n);
    core.setGpr(RAX, LAPIC + 0x300n);
    const { r } = run(core, 64, "xchgl %edx, (%rax)", LAPIC + 0x300n, WRITE);
    assert.equal(r, 0);
    assert.equal(core.gpr(RDX), 0xcafef00dn);
    assert.equal(getDevice(core, LAPIC + 0x300n, 4), 0x42n);
  });

  it("BT/BTS/BTR/BTC: CF is the bit; a register bit offset moves the address (also backwards)", () => {
    const core = longCore();
    setDevice(core, LAPIC + 0x100n, 0x00000100n, 4);
    core.setGpr(RBX, LAPIC + 0x100n);
    let x = run(core, 64, "btl $8, (%rbx)", LAPIC + 0x100n);
    assert.equal(x.r, 0);
    assert.equal(core.get("rflags") & 1n, 1n);
    core.set("rip", CODE);
    x = run(core, 64, "btsl $0, (%rbx)", LAPIC + 0x100n, WRITE);
    assert.equal(core.get("rflags") & 1n, 0n);
    assert.equal(getDevice(core, LAPIC + 0x100n, 4), 0x101n);
    core.set("rip", CODE);
    run(core, 64, "lock btrl $8, (%rbx)", LAPIC + 0x100n, WRITE);
    assert.equal(getDevice(core, LAPIC + 0x100n, 4), 0x1n);
    assert.equal(core.get("rflags") & 1n, 1n);
    core.set("rip", CODE);
    run(core, 64, "btcw $15, (%rbx)", LAPIC + 0x100n, WRITE);
    assert.equal(getDevice(core, LAPIC + 0x100n, 4), 0x8001n);
    // Register offsets: 40 -> dword at +4, bit 8; -1 -> dword at -4, bit 31.
    setDevice(core, LAPIC + 0x104n, 0n, 4);
    core.setGpr(RCX, 40n);
    core.set("rip", CODE);
    x = run(core, 64, "btsl %ecx, (%rbx)", LAPIC + 0x104n, WRITE);
    assert.equal(x.r, 0, core.output);
    assert.equal(getDevice(core, LAPIC + 0x104n, 4), 0x100n);
    core.setGpr(RCX, 0xffffffffffffffffn);
    core.set("rip", CODE);
    x = run(core, 64, "btsq %rcx, (%rbx)", LAPIC + 0xf8n, WRITE);
    assert.equal(x.r, 0, core.output);
    assert.equal(getDevice(core, LAPIC + 0xf8n, 8), 0x8000000000000000n);
  });

  it("RIP-relative and fixmap-style mappings: the operand is found through the guest's page tables", () => {
    const core = new X86Core(0x400000);
    const t = new LongModeTables(core);
    t.map(0xffffffff81000000n, 0x20000n);                    // code
    t.map(0xffffffffff5fc000n, LAPIC);                       // APIC mapped like Linux's fixmap
    t.enable();
    core.set("rip", 0xffffffff81000ffcn);                    // the instruction crosses a page boundary
    t.map(0xffffffff81001000n, 0x30000n);
    const [bytes] = assemble(64, ["movl 0x7e5fb0fe(%rip), %eax"]);         // 8b 05 disp32: 6 bytes
    core.guest.set(bytes.slice(0, 4), 0x20ffc);
    core.guest.set(bytes.slice(4), 0x30000);
    setDevice(core, LAPIC + 0x100n, 0x1234n, 4);
    assert.equal(0xffffffff81000ffcn + 6n + 0x7e5fb0fen, 0xffffffffff5fc100n);
    const r = core.x.testMmioFault(READ, LAPIC + 0x100n);
    assert.equal(r, 0, core.output);
    assert.equal(core.gpr(RAX), 0x1234n);
    assert.equal(core.get("rip"), 0xffffffff81001002n);
  });

  it("moffs, segment bases and 32-bit code: FS base is added, the result wraps at 4 GiB", () => {
    const core = prot32Core();
    core.setSegBase(4, 0x100n);                              // FS
    core.setGpr(RBX, 0xfec00000n - 0x100n + 0x10n);
    core.setGpr(RAX, 0xffffffffaabbccddn);
    let x = run(core, 32, "movl %eax, %fs:(%ebx)", IOAPIC + 0x10n, WRITE);
    assert.equal(x.r, 0, core.output);
    assert.deepEqual(core.accesses()[0], { device: DEVICE.IOAPIC, offset: 0x10, size: 4, write: true, value: 0xaabbccddn });
    assert.equal(core.get("rip"), BigInt(CODE + x.len));
    core.set("rip", CODE);
    setDevice(core, LAPIC + 0x20n, 0x01000000n, 4);
    x = run(core, 32, "movl 0xfee00020, %eax", LAPIC + 0x20n);   // A1 moffs32
    assert.equal(x.r, 0, core.output);
    assert.equal(core.gpr(RAX), 0x01000000n);
    core.set("rip", 0xfffffffen);                            // EIP wraps at 4 GiB
    core.setSegBase(1, 0n);
    core.guest.fill(0);
    const [bytes] = assemble(32, ["movl %eax, (%ebx)"]);
    core.set("cr0", 0x11n);
    core.setGpr(RBX, IOAPIC);
    assert.equal(bytes.length, 2);
    // The code lies outside guest memory: a clean report, not a crash.
    assert.equal(core.x.testMmioFault(WRITE, IOAPIC), 1);
    assert.match(core.output, /MMIO write at 0xfec00000: cannot emulate the instruction at rip 0xfffffffe \(its code is not readable guest memory\)/);
  });

  it("real mode: CS base + IP, a 16-bit IP wrap, and big-real-mode 32-bit addressing", () => {
    const core = new X86Core(0x400000);
    core.set("cr0", 0x10n);
    core.setMode(MODE.REAL);
    core.setSegBase(1, 0x20000n);                            // CS = 0x2000
    core.set("rip", 0xfffen);
    core.set("rflags", 0x2);
    core.setGpr(RSI, 0xfee00300n);
    core.setGpr(RAX, 0x11223344n);
    const [bytes] = assemble(16, ["movl %eax, (%esi)"]);     // 66 67 89 06: 4 bytes
    place(core, bytes, 0x2fffe);
    const r = core.x.testMmioFault(WRITE, LAPIC + 0x300n);
    assert.equal(r, 0, core.output);
    assert.equal(core.get("rip"), 0x2n);                     // (0xfffe + 4) & 0xffff
    assert.deepEqual(core.accesses()[0], { device: DEVICE.LOCAL_APIC, offset: 0x300, size: 4, write: true, value: 0x11223344n });
  });

  it("stops the VM with a report for an instruction it cannot emulate, naming the bytes and RIP", () => {
    const core = longCore();
    core.setGpr(RDI, LAPIC);
    const x = run(core, 64, "rep stosl", LAPIC, WRITE);
    assert.equal(x.r, 1);
    assert.equal(core.x.resultKind(), 3);
    assert.match(core.output, /\[hello\] fault: MMIO write at 0xfee00000: cannot emulate the instruction at rip 0x10000 \(not an instruction the emulator knows\): f3 ab/);
    assert.match(core.output, /\[hello\] ended: fault/);
  });

  it("stops the VM when the instruction's operand is not the faulting address", () => {
    const core = longCore();
    core.setGpr(RBX, LAPIC + 0x20n);
    const x = run(core, 64, "movl (%rbx), %eax", LAPIC + 0x30n);
    assert.equal(x.r, 1);
    assert.match(core.output, /cannot emulate the instruction at rip 0x10000 \(its operand is at linear 0xfee00020\): 8b 03/);
  });
});

// Flags against the host CPU: each operation and size on interesting and random values.
const ALU_OPS: FlagOp[] = ["add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"];
const SUFFIX: Record<number, string> = { 1: "b", 2: "w", 4: "l", 8: "q" };
const RCX_NAMES: Record<number, string> = { 1: "cl", 2: "cx", 4: "ecx", 8: "rcx" };

function interesting(rnd: () => number, size: number): bigint {
  const bits = BigInt(size * 8);
  const m = (1n << bits) - 1n;
  const sign = 1n << (bits - 1n);
  const pool = [0n, 1n, 2n, 0xfn, 0x10n, m, m - 1n, sign, sign - 1n, sign + 1n, 0x7fn, 0x80n];
  if (rnd() < 0.4) return pool[Math.floor(rnd() * pool.length)] & m;
  let v = 0n;
  for (let i = 0; i < size; i++) v = (v << 8n) | BigInt(Math.floor(rnd() * 256));
  return v;
}

describe("x86 emulate: RFLAGS and results against the host CPU", function () {
  this.timeout(120000);
  before(function () {
    if (!hostFlagsAvailable()) this.skip();          // the host CPU is the reference: x86-64 only
  });

  type Form = "mem" | "reg" | "imm" | "unary";
  interface Case extends FlagCase { form: Form; line: string }

  it("ALU, TEST, NEG/NOT/INC/DEC and BT* on memory give the host's result and flags (3000 cases)", () => {
    const rnd = prng(0xf1a9);
    const cases: Case[] = [];
    const gpa = LAPIC + 0x380n;
    for (let i = 0; i < 3000; i++) {
      const size = [1, 2, 4, 8][i % 4];
      const s = SUFFIX[size];
      const kind = Math.floor(rnd() * 5);
      const a = interesting(rnd, size);
      let b = interesting(rnd, size);
      const flagsIn = 0x2n | (BigInt(Math.floor(rnd() * 0x1000)) & STATUS_FLAGS);
      if (kind <= 1) {                                       // ALU with memory destination / register destination
        const op = ALU_OPS[Math.floor(rnd() * 8)];
        const line = kind === 0 ? `${op}${s} %${RCX_NAMES[size]}, (%rbx)` : `${op}${s} (%rbx), %${RCX_NAMES[size]}`;
        cases.push({ op, size, a, b, flagsIn, form: kind === 0 ? "mem" : "reg", line });
      } else if (kind === 2) {                               // immediates (imm8 sign-extended or imm32)
        const op = ALU_OPS[Math.floor(rnd() * 8)];
        const imm = BigInt.asIntN(size === 1 ? 8 : rnd() < 0.5 ? 8 : Math.min(32, size * 8), b);
        b = BigInt.asUintN(size * 8, imm);
        cases.push({ op, size, a, b, flagsIn, form: "imm", line: `${op}${s} $${imm}, (%rbx)` });
      } else if (kind === 3) {
        const op = (["test", "neg", "not", "inc", "dec"] as FlagOp[])[Math.floor(rnd() * 5)];
        const line = op === "test" ? `test${s} %${RCX_NAMES[size]}, (%rbx)` : `${op}${s} (%rbx)`;
        cases.push({ op, size, a, b, flagsIn, form: op === "test" ? "mem" : "unary", line });
      } else {
        if (size === 1) continue;
        const op = (["bt", "bts", "btr", "btc"] as FlagOp[])[Math.floor(rnd() * 4)];
        b = BigInt(Math.floor(rnd() * size * 8));
        const line = rnd() < 0.5 ? `${op}${s} %${RCX_NAMES[size]}, (%rbx)` : `${op}${s} $${b}, (%rbx)`;
        cases.push({ op, size, a, b, flagsIn, form: "mem", line });
      }
    }
    const expected = hostFlags(cases);
    const lines = [...new Set(cases.map((c) => c.line))];
    const encodings = assemble(64, lines);
    const bytes = new Map(lines.map((l, i) => [l, encodings[i]]));
    const core = longCore();
    cases.forEach((c, i) => {
      const [result, flags] = expected[i];
      core.set("rip", CODE);
      core.set("rflags", c.flagsIn);
      core.setGpr(RBX, gpa);
      const mask = (1n << BigInt(c.size * 8)) - 1n;
      const rcxHigh = 0x5a5a5a5a5a5a5a5an & ~mask;
      if (c.form === "reg") {                                // register destination: rcx = a op mem(b)
        core.setGpr(RCX, rcxHigh | c.a);
        setDevice(core, gpa, c.b);
      } else {
        core.setGpr(RCX, rcxHigh | c.b);
        setDevice(core, gpa, c.a);
      }
      place(core, bytes.get(c.line)!);
      const r = core.x.testMmioFault(WRITE, gpa);
      const what = `${c.line} a=${c.a.toString(16)} b=${c.b.toString(16)} flags=${c.flagsIn.toString(16)}`;
      assert.equal(r, 0, `${what}: ${core.output}`);
      let check = STATUS_FLAGS;
      if (c.op === "and" || c.op === "or" || c.op === "xor" || c.op === "test") check &= ~AF;   // AF undefined
      if (c.op.startsWith("bt")) check = 1n;                                                   // only CF defined
      assert.equal(core.get("rflags") & check, flags & check, `${what}: rflags`);
      if (c.form === "reg") {
        const want = c.op === "cmp" ? c.a : result & mask;
        const full = c.size === 4 && c.op !== "cmp" ? want : rcxHigh | want;   // CMP writes nothing
        assert.equal(core.gpr(RCX), full, `${what}: rcx`);
      } else {
        const writes = !["cmp", "test", "bt"].includes(c.op);
        assert.equal(getDevice(core, gpa) & mask, writes ? result & mask : c.a, `${what}: device`);
        assert.equal(getDevice(core, gpa) & ~mask & 0xffffffffffffffffn, 0n, `${what}: bytes beyond the operand untouched`);
      }
    });
  });
});

// The hook in exit.ts, with the real core (out/core-test.wasm) and its real local APIC.
describe("x86 emulate: MEMORY_FAULT exits through handleExit", function () {

  function realCore(line: string): { core: Core; len: number } {
    const core = helloVm();                                 // 32-bit protected mode, no paging, rip 0x1000
    const [bytes] = assemble(32, [line]);
    core.guest.set(bytes, 0x1000);
    return { core, len: bytes.length };
  }

  it("a read of the local APIC's version register is emulated and the guest resumes after it", () => {
    const { core, len } = realCore("movl 0x30(%ebx), %eax");
    core.setRegs({ rbx: 0xfee00000n, rax: 0xdeadbeefdeadbeefn });
    assert.equal(core.exit(REASON.MEMORY_FAULT, 0n, 0xfee00030n), 0, core.output);
    assert.equal(core.get("rip"), 0x1000n + BigInt(len));
    assert.ok((core.get("rax") >> 32n) === 0n && (core.get("rax") & 0xffn) >= 0x10n, core.get("rax").toString(16));
    assert.equal(core.result.kind, RESULT.RUNNING);
  });

  it("an instruction it cannot emulate stops the VM with FAULT and a report", () => {
    const { core } = realCore("rep movsl");
    assert.equal(core.exit(REASON.MEMORY_FAULT, 2n, 0xfec00000n), 1);
    assert.equal(core.result.kind, RESULT.FAULT);
    assert.equal(core.lines[0], "[hello] fault: MMIO write at 0xfec00000: cannot emulate the instruction at rip 0x1000 (not an instruction the emulator knows): f3 a5 00 00 00 00 00 00 00 00 00 00 00 00 00");
  });

  it("instruction fetches from MMIO and accesses outside RAM and MMIO keep the FAULT path", () => {
    const { core } = realCore("nop");
    assert.equal(core.exit(REASON.MEMORY_FAULT, 4n, 0xfee00000n), 1);
    assert.match(core.lines[0], /fault: instruction fetch from unmapped guest-physical address 0xfee00000/);
    const other = realCore("movl (%ebx), %eax").core;
    assert.equal(other.exit(REASON.MEMORY_FAULT, 0n, 0xfed00000n), 1);
    assert.match(other.lines[0], /fault: read from unmapped guest-physical address 0xfed00000/);
  });
});
