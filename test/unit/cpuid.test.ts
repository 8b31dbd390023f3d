import { strict as assert } from "node:assert";
import { helloVm, REASON, Core } from "./harness";

function cpuid(core: Core, leaf: number, subleaf = 0): number[] {
  core.setRegs({ rax: 0xdead_0000_0000_0000n | BigInt(leaf), rcx: 0xbeef_0000_0000_0000n | BigInt(subleaf), rip: 0x2000 });
  assert.equal(core.instruction(REASON.CPUID, 2), 0);
  assert.equal(core.get("rip"), 0x2002n, "rip advances to nextRip");
  return [core.get("rax"), core.get("rbx"), core.get("rcx"), core.get("rdx")].map((v) => {
    assert.ok(v <= 0xffffffffn, "results are zero-extended 32-bit values");
    return Number(v);
  });
}

function ascii(...words: number[]): string {
  return Buffer.concat(words.map((w) => { const b = Buffer.alloc(4); b.writeUInt32LE(w >>> 0); return b; })).toString("latin1");
}

describe("cpuid", () => {
  it("passes ordinary leaves through", () => {
    const core = helloVm();
    assert.deepEqual(cpuid(core, 2), [0x11111111, 0x22222222, 0x33333333, 0x44444444]);
    assert.deepEqual(core.cpuidCalls.at(-1), [2, 0]);
  });

  it("passes the subleaf from ecx (low 32 bits)", () => {
    const core = helloVm();
    assert.deepEqual(cpuid(core, 7, 1), [0x7, 0x77, 0x777, 0x7777]);
    assert.deepEqual(core.cpuidCalls.at(-1), [7, 1]);
  });

  it("leaf 1: sets hypervisor-present, hides VMX and x2APIC", () => {
    const [, , ecx, edx] = cpuid(helloVm(), 1);
    assert.equal((ecx >>> 31) & 1, 1, "hypervisor present");
    assert.equal((ecx >>> 5) & 1, 0, "VMX");
    assert.equal((ecx >>> 21) & 1, 0, "x2APIC");
    assert.equal(ecx >>> 0, (0xffffffff & ~(1 << 5) & ~(1 << 21)) >>> 0, "other bits untouched");
    assert.equal(edx, (0x178bfbff & ~((1 << 7) | (1 << 14))) >>> 0, "MCE and MCA hidden, the rest untouched");
  });

  it("leaf 0x80000001: hides SVM", () => {
    const [, , ecx] = cpuid(helloVm(), 0x80000001);
    assert.equal((ecx >>> 2) & 1, 0);
    assert.equal(ecx, (0xffffffff & ~4) >>> 0);
  });

  it("leaf 0x8000000A is all zero", () => {
    assert.deepEqual(cpuid(helloVm(), 0x8000000a), [0, 0, 0, 0]);
  });

  it("leaf 0x40000000: max leaf and the signature wispwispwisp", () => {
    const core = helloVm();
    const [eax, ebx, ecx, edx] = cpuid(core, 0x40000000);
    assert.equal(eax, 0x40000001);
    assert.equal(ascii(ebx, ecx, edx), "wispwispwisp");
    assert.equal(core.cpuidCalls.length, 0, "hypervisor leaves do not ask the host");
  });

  it("leaf 0x40000001: hypercall ABI version 1.0; other hypervisor leaves are zero", () => {
    const core = helloVm();
    assert.deepEqual(cpuid(core, 0x40000001), [0x10000, 0, 0, 0]);
    assert.deepEqual(cpuid(core, 0x40000002), [0, 0, 0, 0]);
    assert.deepEqual(cpuid(core, 0x400000ff), [0, 0, 0, 0]);
  });

  it("stops the VM with FAULT when the instruction length is unknown", () => {
    const core = helloVm();
    core.setRegs({ rax: 0, rip: 0x3000, nextRip: 0 });
    assert.equal(core.exit(REASON.CPUID), 1);
    assert.equal(core.result.kind, 3);
    assert.equal(core.get("rip"), 0x3000n);
    assert.match(core.output, /\[hello\] fault: cpuid at rip 0x3000: instruction length unknown/);
    assert.match(core.output, /\[hello\] ended: fault\n$/);
  });
});
