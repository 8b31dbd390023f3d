import { strict as assert } from "node:assert";
import { helloVm, REASON, Core, HOST_CPUID } from "./harness";

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

  it("TSC: 0 at the VM's start, then the host's rate; a write sets it, through the area's TSC offset", () => {
    const core = helloVm({ tsc: 0x1122334455667788n });
    assert.equal(rdmsr(core, 0x10), 0n, "the TSC is 0 after reset");
    core.tsc += 1000n;
    assert.equal(rdmsr(core, 0x10), 1000n);
    assert.equal(core.get("tscOffset"), BigInt.asUintN(64, -0x1122334455667788n), "offset");
    assert.ok(wrmsr(core, 0x10, 1n << 40n));
    assert.equal(rdmsr(core, 0x10), 1n << 40n);
    assert.equal(core.get("tscOffset"), BigInt.asUintN(64, (1n << 40n) - core.tsc),
      "what RDTSC reads in the guest: host TSC + offset");
    core.tsc += 5n;
    assert.equal(rdmsr(core, 0x10), (1n << 40n) + 5n);
    assert.ok(wrmsr(core, 0x10, 7n), "backwards too");
    assert.equal(rdmsr(core, 0x10), 7n);
  });

  it("TSC_ADJUST (with CPUID leaf 7 EBX bit 1) follows TSC writes and moves the TSC (SDM vol. 3B, 18.17.3)", () => {
    const without = helloVm();
    expectGp(without, REASON.MSR_READ, 0x3b);
    const core = helloVm({ cpuid: { ...HOST_CPUID, "0": [0x10, 0x68747541, 0x444d4163, 0x69746e65], "7": [0, 0x2, 0, 0] } });
    assert.equal(rdmsr(core, 0x3b), 0n);
    assert.ok(wrmsr(core, 0x10, 1000n));
    assert.equal(rdmsr(core, 0x3b), 1000n, "the TSC write's change");
    assert.ok(wrmsr(core, 0x3b, 1500n));
    assert.equal(rdmsr(core, 0x10), 1500n, "the adjustment's change moves the TSC");
    assert.ok(wrmsr(core, 0x3b, 0n));
    assert.equal(rdmsr(core, 0x10), 0n);
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

  // A CPU whose extended leaves go up to 8000_000Ah: Fn8000_0001 EDX bit 27 (RDTSCP) is reported.
  const RDTSCP_CPU = { ...HOST_CPUID, "80000000": [0x8000000a, 0, 0, 0] as [number, number, number, number] };

  it("TSC_AUX is stored in the area for the shim (RDTSCP reads it); reserved upper bits give #GP", () => {
    const core = helloVm({ cpuid: RDTSCP_CPU });
    assert.equal(rdmsr(core, 0xc0000103), 0n);
    assert.ok(wrmsr(core, 0xc0000103, 0x8badf00dn));
    assert.equal(rdmsr(core, 0xc0000103), 0x8badf00dn);
    assert.equal(core.get("tscAux"), 0x8badf00dn);
    assert.equal(wrmsr(core, 0xc0000103, 1n << 32n), false);
    assert.equal(rdmsr(core, 0xc0000103), 0x8badf00dn);
  });

  it("TSC_AUX does not exist without RDTSCP and RDPID", () => {
    const [a, b, c, d] = HOST_CPUID["80000001"];
    const core = helloVm({ cpuid: { ...RDTSCP_CPU, "80000001": [a, b, c, d & ~(1 << 27)] } });
    expectGp(core, REASON.MSR_READ, 0xc0000103);
    expectGp(core, REASON.MSR_WRITE, 0xc0000103);
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
