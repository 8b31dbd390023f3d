import { strict as assert } from "node:assert";
import { deviceVm, initPic, outPort, advanceNs, mmioWrite, REASON, Core, TEST_TSC_KHZ } from "./harness";

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

  // pollDevices skips the timers while the host TSC is below their next event (cached as a TSC
  // value): the cache must be exact and must follow reprogramming.
  it("the timers' cached next event is exact to the TSC tick", () => {
    const core = deviceVm();
    initPic(core);
    outPort(core, 0x21, 0xfe);
    outPort(core, 0x43, 0x34);
    outPort(core, 0x40, 0x9b);
    const khz = BigInt(TEST_TSC_KHZ);
    const t0 = (core.tsc * 1_000_000n) / khz;          // LOAD_NS: tscToNs at the count's last byte
    outPort(core, 0x40, 0x2e);                          // 11931 ticks
    const dueNs = t0 + (11931n * 1_000_000_000n + 1193181n) / 1193182n;
    const dueTsc = (dueNs * khz + 999_999n) / 1_000_000n;
    core.tsc = dueTsc - 1n;
    assert.equal(core.x.pollDevices(), -1, "one tick early");
    assert.equal(core.x.pollDevices(), -1, "still early (cached)");
    core.tsc = dueTsc;
    assert.equal(core.x.pollDevices(), 0x30, "due at that tick");
  });

  it("reprogramming a timer to an earlier event is seen at once", () => {
    const core = deviceVm();
    initPic(core);
    outPort(core, 0x21, 0xfe);
    outPort(core, 0x43, 0x34);
    outPort(core, 0x40, 0x00);
    outPort(core, 0x40, 0x00);                          // 65536 ticks: about 55 ms
    assert.equal(core.x.pollDevices(), -1);             // caches the far event
    outPort(core, 0x40, 0x0c);
    outPort(core, 0x40, 0x00);                          // 12 ticks: about 10 us
    advanceNs(core, 11_000);
    assert.equal(core.x.pollDevices(), 0x30, "the PIT's new period");
    outPort(core, 0x20, 0x20);
    outPort(core, 0x21, 0xff);                          // PIC off; local APIC one-shot instead
    mmioWrite(core, 0xfee000f0, 0x1ff);
    mmioWrite(core, 0xfee003e0, 0xb);                   // divide by 1
    mmioWrite(core, 0xfee00320, 0x41);                  // one-shot, vector 0x41
    mmioWrite(core, 0xfee00380, 1_000_000);             // 1 ms
    assert.equal(core.x.pollDevices(), -1);
    mmioWrite(core, 0xfee00380, 1000);                  // 1 us
    advanceNs(core, 1001);
    assert.equal(core.x.pollDevices(), 0x41, "the APIC timer's new count");
  });
});
