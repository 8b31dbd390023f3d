// as-src/cpu/cpu-features.ts: its one table of (CPUID bit -> MSRs) walked for both vendors: a hidden
// feature's bit is cleared and its MSRs #GP; an inert one keeps the host's bit, and its MSRs read
// 0 and take writes exactly while the bit is reported; a vendor's own MSRs exist only for it.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import { Core, CpuidTable, HOST_CPUID, REASON } from "./harness";

interface Entry { vendor: string; leaf: number | null; subleaf: number; reg: number; bit: number; first: number; last: number; action: string }

const REGS: Record<string, number> = { EAX: 0, EBX: 1, ECX: 2, EDX: 3, "0": 0 };

/** The ENTRIES table, read from the source: what the core does is checked against what it says. */
function entries(): Entry[] {
  const text = fs.readFileSync("as-src/cpu/cpu-features.ts", "utf8");
  const body = /const ENTRIES: StaticArray<u32> = \[([^]*?)\];/.exec(text)![1];
  const out: Entry[] = [];
  const re = /^\s*VENDOR_(ANY|AMD|INTEL), (NO_LEAF|0x[0-9a-f]+|\d+), (\d+), (EAX|EBX|ECX|EDX|0), (\d+), (0x[0-9a-f]+|0), (0x[0-9a-f]+|0), (HIDE|INERT|EMULATE),/gm;
  for (const m of body.matchAll(re)) {
    out.push({ vendor: m[1], leaf: m[2] === "NO_LEAF" ? null : Number(m[2]), subleaf: Number(m[3]), reg: REGS[m[4]], bit: Number(m[5]),
      first: Number(m[6]), last: Number(m[7]), action: m[8] });
  }
  assert.equal(out.length, body.split("\n").filter((l) => /^\s*VENDOR_/.test(l)).length, "every entry parsed");
  return out;
}

const ONES: [number, number, number, number] = [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff];
const VENDORS: Record<string, CpuidTable> = {
  AMD: { ...HOST_CPUID, "7": ONES, "80000000": [0x8000001f, 0, 0, 0], "80000001": [0, 0, 0xffffffff, 0xffffffff] },
  INTEL: { ...HOST_CPUID, "0": [0x1f, 0x756e6547, 0x6c65746e, 0x49656e69], "7": ONES, "80000000": [0x80000008, 0, 0, 0],
    "80000001": [0, 0, 0xffffffff, 0xffffffff], "a": [0x07300404, 0, 0, 0x603] },
};

function cpuid(core: Core, leaf: number, subleaf: number): number[] {
  core.setRegs({ rax: leaf, rcx: subleaf, rip: 0x1000 });
  assert.equal(core.instruction(REASON.CPUID, 2), 0);
  return (["rax", "rbx", "rcx", "rdx"] as const).map((r) => Number(core.get(r)));
}

/** "read" / "write" accepted (read: value), or "gp". */
function msr(core: Core, reason: number, n: number): string {
  core.setRegs({ rcx: n, rax: 0x1234, rdx: 0x5678, rip: 0x1000, inject: 0 });
  assert.equal(core.instruction(reason, 2), 0);
  if (core.get("inject") !== 0n) return "gp";
  return reason === REASON.MSR_READ ? `read ${(core.get("rdx") << 32n) | core.get("rax")}` : "write";
}

function vm(table: CpuidTable): Core {
  const core = new Core({ cpuid: table });
  assert.equal(core.setup("[vm a]\nimage = a.bin\nmemory = 2\nload = 0x1000\nentry = 0x1000\nmode = protected32\n", 0, 0x10000n), 0);
  return core;
}

describe("cpu features: one table for CPUID and MSRs, both vendors", () => {
  const table = entries();

  for (const [vendor, cpuidTable] of Object.entries(VENDORS)) {
    it(`${vendor}: every entry's CPUID bit and MSRs agree`, () => {
      for (const e of table) {
        const applies = e.vendor === "ANY" || e.vendor === vendor;
        const what = `${e.vendor} ${e.leaf?.toString(16)}.${e.reg}[${e.bit}] ${e.first.toString(16)}-${e.last.toString(16)} ${e.action}`;
        let core = vm(cpuidTable);
        if (e.leaf !== null && applies) {
          const bit = (cpuid(core, e.leaf, e.subleaf)[e.reg] >>> e.bit) & 1;
          assert.equal(bit, e.action === "HIDE" ? 0 : 1, `${what}: the guest's CPUID bit`);
        }
        if (e.last === 0) continue;
        const exists = applies && e.action !== "HIDE";
        for (const n of new Set([e.first, e.last, Math.floor((e.first + e.last) / 2)])) {
          const read = msr(core, REASON.MSR_READ, n);
          if (e.action === "EMULATE" && exists) {          // its value is msr.test.ts's to check
            assert.match(read, /^read /, `${what}: rdmsr ${n.toString(16)}`);
            continue;
          }
          assert.equal(read, exists ? "read 0" : "gp", `${what}: rdmsr ${n.toString(16)}`);
          assert.equal(msr(core, REASON.MSR_WRITE, n), exists ? "write" : "gp", `${what}: wrmsr ${n.toString(16)}`);
        }
        if (exists && e.leaf !== null) {
          // The same MSRs on a host without the feature (nor any other that brings them): #GP.
          const without = { ...cpuidTable };
          for (const o of table.filter((o) => o.leaf !== null && o.first === e.first && o.last === e.last)) {
            const key = o.leaf!.toString(16);
            const regs = [...(without[key] ?? [0, 0, 0, 0])] as [number, number, number, number];
            regs[o.reg] = (regs[o.reg] & ~(1 << o.bit)) >>> 0;
            without[key] = regs;
          }
          core = vm(without);
          assert.equal(msr(core, REASON.MSR_READ, e.first), "gp", `${what}: without the bit`);
        }
      }
    });
  }

  it("Intel's architectural performance monitoring leaf reads 0 (version 0: no counters), its MSRs #GP", () => {
    const core = vm(VENDORS.INTEL);
    assert.deepEqual(cpuid(core, 0xa, 0), [0, 0, 0, 0]);
    for (const n of [0xc1, 0x186, 0x309, 0x38d, 0x38f]) assert.equal(msr(core, REASON.MSR_READ, n), "gp", n.toString(16));
  });

  it("AMD's PerfEvtSel0 takes the write a test kernel makes at start-up", () => {
    const core = vm(VENDORS.AMD);
    assert.equal(msr(core, REASON.MSR_WRITE, 0xc0010000), "write");
    assert.equal(msr(core, REASON.MSR_READ, 0xc0010004), "read 0");
  });

  it("names a refused MSR once per VM", () => {
    const core = vm(VENDORS.AMD);
    for (let i = 0; i < 3; i++) assert.equal(msr(core, REASON.MSR_READ, 0xc0010299), "gp");
    assert.equal(msr(core, REASON.MSR_WRITE, 0xfe), "gp");
    const lines = core.written.join("").split("\n").filter((l) => /#GP/.test(l));
    assert.equal(core.refusedMsrs(), 4n, "each refused access counts in the exit statistics");
    assert.deepEqual(lines.map((l) => l.replace(/^\[a\] /, "")), [
      "rdmsr 0xc0010299: #GP (not an MSR of this CPU model, or a value it refuses)",
      "wrmsr 0xfe: #GP (not an MSR of this CPU model, or a value it refuses)",
    ]);
  });
});
