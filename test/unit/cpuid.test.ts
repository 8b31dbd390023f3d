import { strict as assert } from "node:assert";
import { helloVm, REASON, Core, HOST_CPUID, CpuidTable } from "./harness";

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
    assert.equal(ecx >>> 0, (0xffffffff & ~(1 << 5) & ~(1 << 21) & ~(1 << 27)) >>> 0, "other bits untouched (OSXSAVE: CR4 is 0)");
    assert.equal((edx >>> 12) & 1, 0, "MTRR: none (MTRRdefType is not emulated)");
    assert.equal(edx, (0x178bfbff & ~((1 << 7) | (1 << 12) | (1 << 14))) >>> 0, "MCE, MCA and MTRR hidden, the rest untouched");
  });

  it("leaf 1: OSXSAVE follows the guest's CR4.OSXSAVE, not the host's", () => {
    const core = helloVm();
    core.set("cr4", 0n);
    assert.equal((cpuid(core, 1)[2] >>> 27) & 1, 0);
    core.set("cr4", 1n << 18n);
    assert.equal((cpuid(core, 1)[2] >>> 27) & 1, 1);
  });

  it("leaf 0x80000001: hides SVM, and the counters wisp does not model (cpu-features.ts)", () => {
    const [, , ecx] = cpuid(helloVm(), 0x80000001);
    assert.equal((ecx >>> 2) & 1, 0);
    assert.equal(ecx, (0xffffffff & ~4 & ~(1 << 24) & ~(1 << 28)) >>> 0);
  });

  it("leaf 0x8000000A is all zero", () => {
    assert.deepEqual(cpuid(helloVm(), 0x8000000a), [0, 0, 0, 0]);
  });

  it("leaf 0x8000001F (SME/SEV) is all zero", () => {
    assert.deepEqual(cpuid(helloVm(), 0x8000001f), [0, 0, 0, 0]);
  });

  it("leaf 0x40000000: max leaf and the signature wispwispwisp", () => {
    const core = helloVm();
    const [eax, ebx, ecx, edx] = cpuid(core, 0x40000000);
    assert.equal(eax, 0x40000010);
    assert.equal(ascii(ebx, ecx, edx), "wispwispwisp");
    assert.equal(core.cpuidCalls.length, 0, "hypervisor leaves do not ask the host");
  });

  it("leaf 0x40000001: hypercall ABI version 1.0; other hypervisor leaves are zero", () => {
    const core = helloVm();
    assert.deepEqual(cpuid(core, 0x40000001), [0x10000, 0, 0, 0]);
    assert.deepEqual(cpuid(core, 0x40000002), [0, 0, 0, 0]);
    assert.deepEqual(cpuid(core, 0x400000ff), [0, 0, 0, 0]);
  });

  it("leaf 0x40000010: TSC and local APIC timer frequencies in kHz (VMware's convention)", () => {
    const core = helloVm();
    assert.deepEqual(cpuid(core, 0x40000010), [0, 1_000_000, 0, 0], "TSC rate unknown before setTscKhz");
    core.x.setTscKhz(2_684_353);
    assert.deepEqual(cpuid(core, 0x40000010), [2_684_353, 1_000_000, 0, 0]);
    assert.equal(core.cpuidCalls.length, 0);
  });

  const INTEL: CpuidTable = {
    ...HOST_CPUID,
    "0": [0x16, 0x756e6547, 0x6c65746e, 0x49656e69],             // "GenuineIntel", max leaf 0x16
    "15": [2, 188, 0, 0], "16": [2100, 4000, 100, 0],
  };

  it("Intel: leaf 0x15 gives the TSC as the 1 GHz crystal (the APIC timer) times EBX / EAX", () => {
    const core = helloVm({ cpuid: INTEL });
    assert.deepEqual(cpuid(core, 0x15), [2, 188, 0, 0], "the host's until the TSC rate is known");
    // Within 1 ppm for these; a rate just off a whole GHz multiple can be off more (cpuid.ts).
    for (const khz of [2_684_353, 3_000_000, 3_591_007, 1_999_999, 1_000_000, 4_294_967]) {
      core.x.setTscKhz(khz);
      const [eax, ebx, ecx, edx] = cpuid(core, 0x15);
      assert.equal(ecx, 1_000_000_000, "crystal in Hz");
      assert.equal(edx, 0);
      assert.ok(ebx > 0 && ebx <= 4294, `numerator ${ebx}: Linux multiplies crystal kHz by it in 32 bits`);
      const linuxKhz = Math.floor(((1_000_000 * ebx) >>> 0) / eax);
      assert.ok(Math.abs(linuxKhz - khz) <= khz * 1e-6, `${khz} kHz: ${ebx}/${eax} gives ${linuxKhz}`);
    }
  });

  it("Intel: leaf 0x16 gives base and maximum frequency in MHz, the 1000 MHz bus", () => {
    const core = helloVm({ cpuid: INTEL });
    core.x.setTscKhz(2_684_353);
    assert.deepEqual(cpuid(core, 0x16), [2684, 2684, 1000, 0]);
  });

  it("leaves 0x15/0x16 are the host's on AMD, or where the host has no such leaf", () => {
    const amd = helloVm({ cpuid: { ...HOST_CPUID, "15": [1, 2, 3, 0], "16": [4, 5, 6, 0] } });
    amd.x.setTscKhz(2_684_353);
    assert.deepEqual(cpuid(amd, 0x15), [1, 2, 3, 0]);
    assert.deepEqual(cpuid(amd, 0x16), [4, 5, 6, 0]);
    const oldIntel = helloVm({ cpuid: { ...INTEL, "0": [0x15, 0x756e6547, 0x6c65746e, 0x49656e69] } });
    oldIntel.x.setTscKhz(2_684_353);
    assert.equal(cpuid(oldIntel, 0x15)[2], 1_000_000_000, "0x15 exists");
    assert.deepEqual(cpuid(oldIntel, 0x16), [2100, 4000, 100, 0], "0x16 is beyond the host's max leaf");
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
