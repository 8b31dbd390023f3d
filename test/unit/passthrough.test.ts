// The core as a blue-pill guest's (as-src/vm/passthrough.ts): CPUID, the real local APIC with INIT and
// STARTUP IPIs taken aside, wisp's protected memory, the protected-memory probe, the SVM MSRs.
// The guest is 32-bit protected mode without paging (helloVm), instructions hand-assembled.
import { strict as assert } from "node:assert";
import { helloVm, REASON, RESULT, Core } from "./harness";

const APIC = 0xfee00000n;
const MOV_EBX_EAX = [0x89, 0x03];                   // mov [ebx], eax
const MOV_EBX10_EAX = [0x89, 0x43, 0x10];           // mov [ebx+0x10], eax
const MOV_EAX_EBX = [0x8b, 0x03];                   // mov eax, [ebx]

function bluepill(): Core {
  const core = helloVm();
  assert.equal(core.x.bluepillSetup(APIC | 0x900n), 0);   // IA32_APIC_BASE with BSP and enable bits
  core.passthrough = true;                                 // exits to handlePassthroughExit, as the shim does
  return core;
}

/** Runs one instruction at 0x1000 that faults on gpa; returns handleExit's decision. */
function mmio(core: Core, code: number[], gpa: bigint, write: boolean, regs: Record<string, bigint>): number {
  core.guest.set(code, 0x1000);
  core.setRegs({ rip: 0x1000n, ...regs });
  return core.exit(REASON.MEMORY_FAULT, write ? 2n : 0n, gpa);
}

describe("blue-pill core (passthrough)", () => {
  it("CPUID: the wisp leaves, SVM/VMX/x2APIC hidden, the real machine-check and MTRR bits kept", () => {
    const core = bluepill();
    core.setRegs({ rax: 0x40000000n, rip: 0x2000n });
    assert.equal(core.instruction(REASON.CPUID, 2), 0);
    assert.equal(core.get("rbx"), 0x70736977n);
    core.setRegs({ rax: 1n });
    assert.equal(core.instruction(REASON.CPUID, 2), 0);
    const ecx = Number(core.get("rcx")), edx = Number(core.get("rdx"));
    assert.equal((ecx >>> 5) & 1, 0, "VMX");
    assert.equal((ecx >>> 21) & 1, 0, "x2APIC");
    assert.equal(edx, 0x178bfbff, "MCE, MCA, MTRR as the host has them");
  });

  it("an ordinary IPI goes to the real APIC: ICR high, then ICR low", () => {
    const core = bluepill();
    assert.equal(mmio(core, MOV_EBX10_EAX, APIC + 0x310n, true, { rbx: APIC + 0x300n, rax: 1n << 24n }), 0, core.output);
    assert.equal(mmio(core, MOV_EBX_EAX, APIC + 0x300n, true, { rbx: APIC + 0x300n, rax: 0x40fdn }), 0, core.output);
    assert.deepEqual(core.apicWrites, [[0x310, 1n << 24n], [0x300, 0x40fdn]]);
    assert.deepEqual(core.startupIpis, []);
    assert.equal(core.get("rip"), 0x1002n);
  });

  it("INIT and STARTUP IPIs go to the virtual CPUs, never to the real APIC; INIT de-assert is dropped", () => {
    const core = bluepill();
    mmio(core, MOV_EBX10_EAX, APIC + 0x310n, true, { rbx: APIC + 0x300n, rax: 1n << 24n });
    mmio(core, MOV_EBX_EAX, APIC + 0x300n, true, { rbx: APIC + 0x300n, rax: 0xc500n });   // INIT, level, assert
    mmio(core, MOV_EBX_EAX, APIC + 0x300n, true, { rbx: APIC + 0x300n, rax: 0x8500n });   // INIT de-assert
    mmio(core, MOV_EBX_EAX, APIC + 0x300n, true, { rbx: APIC + 0x300n, rax: 0x069an });   // STARTUP 0x9a
    mmio(core, MOV_EBX_EAX, APIC + 0x300n, true, { rbx: APIC + 0x300n, rax: 0xc4500n });  // INIT to all but self
    assert.deepEqual(core.startupIpis, [[0, 0, 1, 0], [1, 0, 1, 0x9a], [0, 3, 1, 0]]);
    assert.deepEqual(core.apicWrites, [[0x310, 1n << 24n]], "only ICR high reached the real APIC");
    assert.equal(core.result.kind, RESULT.RUNNING);
  });

  it("wisp's memory: a write is dropped (and said), a read sees all ones, a fetch stops the guest", () => {
    const core = bluepill();
    core.guest.fill(0x5a, 0x3000, 0x3008);
    assert.equal(mmio(core, MOV_EBX_EAX, 0x3000n, true, { rbx: 0x3000n, rax: 0x11223344n }), 0, core.output);
    assert.deepEqual([...core.guest.subarray(0x3000, 0x3004)], [0x5a, 0x5a, 0x5a, 0x5a]);
    assert.match(core.output, /\[blue-pill\] write to wisp's protected memory at 0x3000 dropped/);
    assert.equal(mmio(core, MOV_EAX_EBX, 0x3000n, false, { rbx: 0x3000n, rax: 0n }), 0, core.output);
    assert.equal(core.get("rax"), 0xffffffffn);
    assert.equal(core.exit(REASON.MEMORY_FAULT, 4n, 0x3000n), 1);
    assert.equal(core.result.kind, RESULT.FAULT);
  });

  it("hypercall 3 reports the canary; without one (not blue-pill in the shim) all ones", () => {
    const core = bluepill();
    core.setRegs({ rax: 3n, rip: 0x2000n });
    assert.equal(core.instruction(REASON.HYPERCALL, 3), 0);
    assert.equal(core.get("rax"), 0xffffffffffffffffn);
    core.canary = [0x3cef6000n, 0x7073697770736977n];
    core.setRegs({ rax: 3n });
    assert.equal(core.instruction(REASON.HYPERCALL, 3), 0);
    assert.deepEqual([core.get("rax"), core.get("rbx"), core.get("rcx")], [0n, 0x3cef6000n, 0x7073697770736977n]);
  });

  it("IA32_APIC_BASE: enabling or disabling passes, moving the APIC or x2APIC mode is #GP", () => {
    const core = bluepill();
    const wrmsr = (v: bigint): bigint => {
      core.setRegs({ rcx: 0x1bn, rax: v & 0xffffffffn, rdx: v >> 32n, rip: 0x2000n, inject: 0n });
      assert.equal(core.instruction(REASON.MSR_WRITE, 2), 0);
      return core.get("inject");
    };
    assert.equal(wrmsr(APIC | 0x100n), 0n, "disable");
    assert.equal(core.get("rip"), 0x2002n);
    assert.equal(wrmsr(APIC | 0x900n), 0n, "enable");
    assert.deepEqual(core.apicBaseWrites, [APIC | 0x100n, APIC | 0x900n]);
    for (const moved of [0xfed00900n, APIC | 0xd00n, (1n << 40n) | APIC | 0x900n]) {
      assert.equal(wrmsr(moved) & 0xffn, 13n, `#GP for ${moved.toString(16)}`);
      assert.equal(core.get("rip"), 0x2000n);
    }
    assert.equal(core.apicBaseWrites.length, 2);
  });

  it("VM_CR and VM_HSAVE_PA get #GP", () => {
    const core = bluepill();
    core.setRegs({ rcx: 0xc0010117n, rip: 0x2000n, inject: 0n });
    assert.equal(core.instruction(REASON.MSR_WRITE, 2), 0);
    assert.equal(core.get("inject") & 0x80000fffn, 0x80000b0dn, "#GP, exception, error code valid");
    assert.equal(core.get("rip"), 0x2000n, "not completed");
  });
});
