import { strict as assert } from "node:assert";
import { deviceVm, initPic, outPort, advanceNs, mmioWrite, REASON, Core } from "./harness";

const INTERRUPTIBILITY = 0x108;
const INTERRUPT_WINDOW = 0x10c;

function area32(core: Core, off: number): number {
  return core.view().getUint32(core.x.vcpuStateOffset() + off, true);
}

function setArea32(core: Core, off: number, v: number): void {
  core.view().setUint32(core.x.vcpuStateOffset() + off, v, true);
}

/** PIC at 0x30 with IRQ 0 unmasked, PIT counter 0 at 10 ms (mode 2). */
function tickingVm(): Core {
  const core = deviceVm();
  initPic(core);
  outPort(core, 0x21, 0xfe);
  outPort(core, 0x43, 0x34);
  outPort(core, 0x40, 0x9b);
  outPort(core, 0x40, 0x2e);
  return core;
}

describe("irq", () => {
  it("HLT idles until the PIT fires; the INTERRUPT exit then injects vector 0x30", () => {
    const core = tickingVm();
    core.setRegs({ rflags: 0x202, inject: 0 });
    assert.equal(core.instruction(REASON.HLT, 1), 2, "idle");
    advanceNs(core, 5_000_000);
    assert.equal(core.exit(REASON.INTERRUPT), 2, "still idle at 5 ms");
    advanceNs(core, 5_001_000);
    assert.equal(core.exit(REASON.INTERRUPT), 0, "resume");
    assert.equal(core.get("inject"), 0x80000030n, "external interrupt, vector 0x30");
    assert.equal(core.exit(REASON.INTERRUPT), 0, "no longer halted");
  });

  it("IF clear or an interrupt shadow arms the interrupt window instead", () => {
    const core = tickingVm();
    advanceNs(core, 10_001_000);
    core.setRegs({ rflags: 0x2, inject: 0 });
    assert.equal(core.instruction(REASON.CPUID, 2), 0);
    assert.equal(core.get("inject"), 0n);
    assert.equal(area32(core, INTERRUPT_WINDOW), 1);
    core.set("rflags", 0x202);
    setArea32(core, INTERRUPTIBILITY, 1);
    assert.equal(core.exit(REASON.INTERRUPT_WINDOW), 0);
    assert.equal(core.get("inject"), 0n, "interrupt shadow");
    setArea32(core, INTERRUPTIBILITY, 0);
    assert.equal(core.exit(REASON.INTERRUPT_WINDOW), 0);
    assert.equal(core.get("inject"), 0x80000030n);
    assert.equal(area32(core, INTERRUPT_WINDOW), 0, "window closed: nothing else pending");
    assert.equal(core.stats()[REASON.INTERRUPT_WINDOW], 2n);
  });

  it("an exception queued by the exit is not overwritten", () => {
    const core = tickingVm();
    advanceNs(core, 10_001_000);
    core.setRegs({ rflags: 0x202, rcx: 0xdead, inject: 0 });
    assert.equal(core.instruction(REASON.MSR_READ, 2), 0);
    assert.equal(core.get("inject"), 0x80000b0dn, "#GP(0) kept");
    assert.equal(area32(core, INTERRUPT_WINDOW), 1, "the interrupt waits for the window");
  });

  it("the LAPIC's vectors come before the 8259's", () => {
    const core = tickingVm();
    mmioWrite(core, 0xfee000f0, 0x1ff);
    mmioWrite(core, 0xfee00300, 0x40000 | 0x40);   // self-IPI 0x40
    advanceNs(core, 10_001_000);
    core.setRegs({ rflags: 0x202, inject: 0 });
    core.exit(REASON.INTERRUPT);
    assert.equal(core.get("inject"), 0x80000040n);
    assert.equal(area32(core, INTERRUPT_WINDOW), 1, "the PIC's vector is next");
  });
});
