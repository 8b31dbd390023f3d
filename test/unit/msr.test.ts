import { strict as assert } from "node:assert";
import { helloVm, REASON, Core } from "./harness";

const GP = 0x80000b0dn;            // vector 13, kind 3 (exception), error code valid, valid; code 0

function rdmsr(core: Core, msr: number): bigint {
  core.setRegs({ rcx: msr, rax: 0xffff_ffff_ffff_ffffn, rdx: 0xffff_ffff_ffff_ffffn, rip: 0x1000, inject: 0 });
  assert.equal(core.instruction(REASON.MSR_READ, 2), 0);
  assert.equal(core.get("inject"), 0n, `rdmsr ${msr.toString(16)} must not fault`);
  assert.equal(core.get("rip"), 0x1002n);
  assert.ok(core.get("rax") <= 0xffffffffn && core.get("rdx") <= 0xffffffffn);
  return (core.get("rdx") << 32n) | core.get("rax");
}

/** wrmsr; returns true if it was accepted (rip advanced, no #GP). */
function wrmsr(core: Core, msr: number, value: bigint): boolean {
  core.setRegs({ rcx: msr, rax: (0xaaaa_0000n << 32n) | (value & 0xffffffffn), rdx: value >> 32n, rip: 0x1000, inject: 0 });
  assert.equal(core.instruction(REASON.MSR_WRITE, 2), 0);
  const gp = core.get("inject") === GP;
  assert.equal(core.get("rip"), gp ? 0x1000n : 0x1002n, "rip advances only when accepted");
  return !gp;
}

function expectGp(core: Core, reason: number, msr: number): void {
  core.setRegs({ rcx: msr, rax: 0x1234n, rdx: 0x5678n, rip: 0x1000, inject: 0 });
  assert.equal(core.instruction(reason, 2), 0, "an unknown MSR never stops the VM");
  assert.equal(core.get("inject"), GP, "#GP(0) queued");
  assert.equal(core.get("rip"), 0x1000n, "rip unchanged");
  assert.equal(core.get("rax"), 0x1234n);
  assert.equal(core.get("rdx"), 0x5678n);
}

describe("msr", () => {
  it("real mode: #GP is queued without an error code (none is pushed in real mode)", () => {
    const core = helloVm();
    core.set("mode", 0);
    core.setRegs({ rcx: 0xc0010114, rip: 0x1000, inject: 0 });
    assert.equal(core.instruction(REASON.MSR_READ, 2), 0);
    assert.equal(core.get("inject"), 0x80000300n | 13n, "vector 13, exception, valid, no error code");
  });

  it("unknown MSRs: #GP(0), rip unchanged, VM keeps running", () => {
    const core = helloVm();
    for (const msr of [0x3a, 0x8c, 0xc0010114, 0xc0000082, 0x4b564d00, 0xffffffff]) {   // 0x8b: cpu-features.ts
      expectGp(core, REASON.MSR_READ, msr);
      expectGp(core, REASON.MSR_WRITE, msr);
    }
    assert.equal(core.result.kind, 0);
  });

  it("EFER: reads the guest view, allows SCE/LME/NXE, keeps LMA", () => {
    const core = helloVm();
    core.set("efer", 0x500n);                     // LME | LMA
    assert.equal(rdmsr(core, 0xc0000080), 0x500n);
    assert.ok(wrmsr(core, 0xc0000080, 0x901n));   // SCE | LME | NXE, LMA cleared by the write: kept
    assert.equal(core.get("efer"), 0xd01n);
    core.set("efer", 0n);
    assert.ok(wrmsr(core, 0xc0000080, 0x400n));   // writing LMA alone is ignored
    assert.equal(core.get("efer"), 0n);
  });

  it("EFER: any other bit gives #GP and leaves EFER alone", () => {
    const core = helloVm();
    core.set("efer", 0x100n);
    for (const bad of [0x1000n, 0x2n, 0x80n, 1n << 32n, 1n << 63n]) {
      assert.equal(wrmsr(core, 0xc0000080, bad | 0x100n), false, `bit ${bad.toString(16)}`);
      assert.equal(core.get("efer"), 0x100n);
    }
  });

  it("EFER: LME cannot change while paging is on", () => {
    const core = helloVm();
    core.set("cr0", 0x80000001n);
    core.set("efer", 0n);
    assert.equal(wrmsr(core, 0xc0000080, 0x100n), false);
    assert.ok(wrmsr(core, 0xc0000080, 0x800n), "NXE may change");
  });

  it("TSC reads the host TSC; writes are refused", () => {
    const core = helloVm({ tsc: 0x1122334455667788n });
    assert.equal(rdmsr(core, 0x10), 0x1122334455667788n);
    expectGp(core, REASON.MSR_WRITE, 0x10);
  });

  it("PAT: stored in the vCPU area; invalid memory types give #GP", () => {
    const core = helloVm();
    core.set("pat", 0x0007040600070406n);
    assert.equal(rdmsr(core, 0x277), 0x0007040600070406n);
    assert.ok(wrmsr(core, 0x277, 0x0105040601050406n));
    assert.equal(core.get("pat"), 0x0105040601050406n);
    for (const bad of [0x02n, 0x03n, 0x08n, 0xffn, 0x0300000000000000n, 0x1000000000000000n]) {
      assert.equal(wrmsr(core, 0x277, bad), false, `PAT ${bad.toString(16)}`);
    }
    assert.equal(core.get("pat"), 0x0105040601050406n);
  });

  it("APIC_BASE: default xAPIC, enabled BSP; the base cannot move (modes: local-apic.test.ts)", () => {
    const core = helloVm();
    assert.equal(rdmsr(core, 0x1b), 0xfee00900n);
    assert.ok(wrmsr(core, 0x1b, 0xfee00900n));
    assert.equal(wrmsr(core, 0x1b, 0xfed00900n), false, "move");
    assert.equal(wrmsr(core, 0x1b, 0xfee00800n), false, "not the BSP");
  });

  it("MTRRcap reads 0 and is read-only", () => {
    const core = helloVm();
    assert.equal(rdmsr(core, 0xfe), 0n);
    expectGp(core, REASON.MSR_WRITE, 0xfe);
  });

  it("MTRRdefType does not exist (CPUID hides MTRR); AMD's interrupt pending message reads 0, read-only", () => {
    const core = helloVm();
    expectGp(core, REASON.MSR_READ, 0x2ff);
    assert.equal(rdmsr(core, 0xc0010055), 0n);
    expectGp(core, REASON.MSR_WRITE, 0xc0010055);
  });

  it("MISC_ENABLE reads fast strings on, BTS and PEBS unavailable; only that value may be written", () => {
    const core = helloVm();
    assert.equal(rdmsr(core, 0x1a0), 0x1801n);
    assert.equal(wrmsr(core, 0x1a0, 0x1801n), true);
    assert.equal(wrmsr(core, 0x1a0, 0x1800n), false);
  });

  it("TSC_AUX is stored; reserved upper bits give #GP", () => {
    const core = helloVm();
    assert.equal(rdmsr(core, 0xc0000103), 0n);
    assert.ok(wrmsr(core, 0xc0000103, 0x8badf00dn));
    assert.equal(rdmsr(core, 0xc0000103), 0x8badf00dn);
    assert.equal(wrmsr(core, 0xc0000103, 1n << 32n), false);
    assert.equal(rdmsr(core, 0xc0000103), 0x8badf00dn);
  });

  it("uses only ecx, not the upper half of rcx", () => {
    const core = helloVm();
    core.set("efer", 0x500n);
    assert.equal(rdmsr(core, 0xc0000080), 0x500n);
    core.setRegs({ rcx: 0x1_c000_0080n, rip: 0x1000, inject: 0 });
    assert.equal(core.instruction(REASON.MSR_READ, 2), 0);
    assert.equal(core.get("rax"), 0x500n);
  });
});
