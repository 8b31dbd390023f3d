import { strict as assert } from "node:assert";
import {
  deviceVm, advanceNs, takeInterrupt, mmioRead, mmioWrite, readMsr, writeMsr, initPic, outPort, Core, REASON,
} from "./harness";

const APIC = 0xfee00000;
const reg = (core: Core, off: number): number => Number(mmioRead(core, APIC + off));
const set = (core: Core, off: number, v: number): void => mmioWrite(core, APIC + off, v);
const eoi = (core: Core): void => set(core, 0xb0, 0);

/** Software-enable the APIC the way Linux does (SVR = 0x1FF: spurious vector 0xFF, enabled). */
function enable(core: Core): void {
  set(core, 0xf0, 0x1ff);
}

describe("local-apic", () => {
  it("reset state: ID 0, version 0x50014, LINT0 ExtINT unmasked, software-disabled", () => {
    const core = deviceVm();
    assert.equal(reg(core, 0x20), 0);
    assert.equal(reg(core, 0x30), 0x00050014);
    assert.equal(reg(core, 0x350), 0x700);
    assert.equal(reg(core, 0x320) & 0x10000, 0x10000, "timer masked");
    assert.equal(reg(core, 0xf0), 0xff);
    assert.equal(reg(core, 0xe0), 0xffffffff, "DFR flat");
    assert.equal(readMsr(core, 0x1b), 0xfee00900n, "xAPIC at 0xFEE00000, enabled, BSP");
  });

  it("periodic timer: divide by 16, one vector per period, current count goes down", () => {
    const core = deviceVm();
    enable(core);
    set(core, 0x3e0, 0x3);                    // divide by 16
    set(core, 0x320, 0x20000 | 0xec);         // periodic, vector 0xEC
    set(core, 0x380, 62_500);                 // 62500 * 16 ns = 1 ms
    assert.equal(reg(core, 0x380), 62_500);
    assert.equal(BigInt.asUintN(64, core.x.nextDeadlineNs()), 1_000_000n);
    advanceNs(core, 500_000);
    const cur = reg(core, 0x390);
    assert.ok(Math.abs(cur - 31_250) <= 1, `current count ${cur}`);
    assert.equal(core.x.pollDevices(), -1);
    advanceNs(core, 500_000);
    assert.equal(takeInterrupt(core), 0xec);
    assert.equal(reg(core, 0x100 + 0x70) >>> 12 & 1, 1, "ISR bit 0xEC (register 7, bit 12)");
    advanceNs(core, 1_000_000);
    assert.equal(core.x.pollDevices(), -1, "the same vector waits for EOI");
    assert.equal(reg(core, 0x200 + 0x70) >>> 12 & 1, 1, "but is in IRR");
    eoi(core);
    assert.equal(reg(core, 0x100 + 0x70), 0);
    assert.equal(takeInterrupt(core), 0xec);
  });

  it("one-shot timer fires once; a masked timer never delivers", () => {
    const core = deviceVm();
    enable(core);
    set(core, 0x3e0, 0xb);                    // divide by 1
    set(core, 0x320, 0x31);
    set(core, 0x380, 1000);
    advanceNs(core, 1000);
    assert.equal(takeInterrupt(core), 0x31);
    eoi(core);
    assert.equal(reg(core, 0x390), 0, "expired");
    advanceNs(core, 10_000);
    assert.equal(core.x.pollDevices(), -1, "once");
    assert.equal(BigInt.asUintN(64, core.x.nextDeadlineNs()), 0xffff_ffff_ffff_ffffn);
    set(core, 0x320, 0x10031);                // masked
    set(core, 0x380, 1000);
    advanceNs(core, 2000);
    assert.equal(core.x.pollDevices(), -1);
  });

  it("TSC-deadline mode through MSR 0x6E0", () => {
    const core = deviceVm();
    enable(core);
    assert.equal(readMsr(core, 0x6e0), 0n, "reads 0 outside TSC-deadline mode");
    writeMsr(core, 0x6e0, 1000n);
    set(core, 0x320, 0x40000 | 0xef);         // TSC-deadline, vector 0xEF
    assert.equal(readMsr(core, 0x6e0), 0n, "the write before the mode switch was ignored");
    // IA32_TSC_DEADLINE is in the guest's TSC, which a TSC write moves away from the host's.
    assert.equal(writeMsr(core, 0x10, 1n << 50n), true);
    const offset = (1n << 50n) - core.tsc;
    const deadline = (1n << 50n) + 25_000n;   // 10 us at 2.5 GHz
    assert.equal(writeMsr(core, 0x6e0, deadline), true);
    assert.equal(readMsr(core, 0x6e0), deadline);
    const d = Number(BigInt.asUintN(64, core.x.nextDeadlineNs()));
    assert.ok(d >= 10_000 && d <= 10_002, `deadline in ${d} ns`);
    set(core, 0x380, 5);                      // the initial count is ignored in this mode
    assert.equal(reg(core, 0x380), 0);
    core.tsc = deadline - offset - 1n;
    assert.equal(core.x.pollDevices(), -1);
    core.tsc = deadline - offset;
    assert.equal(takeInterrupt(core), 0xef);
    assert.equal(readMsr(core, 0x6e0), 0n, "disarmed after firing");
  });

  it("TPR and in-service priority classes hold lower vectors back", () => {
    const core = deviceVm();
    enable(core);
    set(core, 0x80, 0x50);                    // TPR class 5
    set(core, 0x300, 0x40000 | 0x45);         // self-IPI 0x45 (class 4): held
    assert.equal(core.x.pollDevices(), -1);
    assert.equal(reg(core, 0xa0), 0x50, "PPR = TPR");
    set(core, 0x80, 0);
    assert.equal(takeInterrupt(core), 0x45);
    assert.equal(reg(core, 0xa0), 0x40, "PPR = class of the vector in service");
    set(core, 0x300, 0x40000 | 0x41);         // same class: waits for EOI
    set(core, 0x300, 0x40000 | 0x90);         // higher class: preempts
    assert.equal(takeInterrupt(core), 0x90);
    eoi(core);                                // retires 0x90, the highest in service
    assert.equal(core.x.pollDevices(), -1, "0x41 still waits for 0x45");
    eoi(core);
    assert.equal(takeInterrupt(core), 0x41);
  });

  it("ICR: fixed IPI to its own physical ID; an illegal vector sets ESR on write-then-read", () => {
    const core = deviceVm();
    enable(core);
    set(core, 0x310, 0);                      // destination APIC ID 0
    set(core, 0x300, 0x4061);                 // fixed, physical, assert, vector 0x61
    assert.equal(takeInterrupt(core), 0x61);
    set(core, 0x310, 3 << 24);                // another ID: nobody there
    set(core, 0x300, 0x4062);
    assert.equal(core.x.pollDevices(), -1);
    set(core, 0x300, 0x40000 | 0x05);         // self, vector 5: illegal
    set(core, 0x280, 0);
    assert.equal(reg(core, 0x280), 0x20, "send illegal vector");
    set(core, 0x280, 0);
    assert.equal(reg(core, 0x280), 0, "cleared by the next write");
  });

  it("LINT0: the 8259 reaches the CPU in virtual-wire mode only", () => {
    const core = deviceVm();
    initPic(core);
    outPort(core, 0x21, 0xef);
    outPort(core, 0x3f9, 0x02);               // COM1 THRE interrupt: IRQ 4
    assert.equal(core.x.pollDevices(), 0x34, "ExtINT through LINT0");
    enable(core);
    set(core, 0x350, 0x10700);                // Linux with an IOAPIC: LINT0 masked
    assert.equal(core.x.pollDevices(), -1);
    set(core, 0x350, 0x700);
    assert.equal(takeInterrupt(core), 0x34);
  });

  it("software-disabled: LVT writes keep the mask bit", () => {
    const core = deviceVm();
    set(core, 0x320, 0x20030);
    assert.equal(reg(core, 0x320), 0x30030);
    enable(core);
    set(core, 0x320, 0x20030);
    assert.equal(reg(core, 0x320), 0x20030);
    set(core, 0xf0, 0xff);                    // disabling masks every LVT
    assert.equal(reg(core, 0x350) & 0x10000, 0x10000);
  });

  it("x2APIC: enabled through IA32_APIC_BASE, registers as MSRs, MMIO off", () => {
    const core = deviceVm();
    assert.equal(readMsr(core, 0x803), "gp", "no x2APIC MSRs in xAPIC mode");
    assert.equal(writeMsr(core, 0x1b, 0xfee00500n), false, "EXTD without EN");
    assert.equal(writeMsr(core, 0x1b, 0xfee00d00n), true);
    assert.equal(readMsr(core, 0x1b), 0xfee00d00n);
    assert.equal(readMsr(core, 0x803), 0x00050014n);
    assert.equal(readMsr(core, 0x802), 0n, "32-bit ID");
    assert.equal(readMsr(core, 0x80d), 1n, "LDR: cluster 0, bit 0");
    assert.equal(readMsr(core, 0x80e), "gp", "no DFR in x2APIC mode");
    assert.equal(readMsr(core, 0x831), "gp", "ICR is one 64-bit MSR");
    assert.equal(mmioRead(core, APIC + 0x30), 0n, "MMIO interface off");
    assert.ok(writeMsr(core, 0x80f, 0x1ff));
    assert.ok(writeMsr(core, 0x83f, 0x77));   // SELF IPI
    assert.equal(takeInterrupt(core), 0x77);
    assert.equal(writeMsr(core, 0x80b, 1), false, "EOI takes only 0");
    assert.ok(writeMsr(core, 0x80b, 0));
    assert.ok(writeMsr(core, 0x830, 0x0000_0000_0004_0088n));   // ICR self, vector 0x88
    assert.equal(takeInterrupt(core), 0x88);
    assert.equal(readMsr(core, 0x830), 0x40088n);
    assert.equal(writeMsr(core, 0x803, 0), false, "version is read-only");
    assert.ok(writeMsr(core, 0x838, 1000));   // timer through MSRs
    assert.equal(writeMsr(core, 0x1b, 0xfee00900n), false, "x2APIC -> xAPIC directly is invalid");
    assert.ok(writeMsr(core, 0x1b, 0xfee00100n), "x2APIC -> disabled");
    assert.ok(writeMsr(core, 0x1b, 0xfee00900n), "disabled -> xAPIC");
    assert.equal(reg(core, 0x30), 0x00050014);
    assert.equal(writeMsr(core, 0x1b, 0xfed00900n), false, "the base cannot move");
  });

  it("logical flat destination: LDR and DFR", () => {
    const core = deviceVm();
    enable(core);
    set(core, 0xe0, 0xffffffff);
    set(core, 0xd0, 0x01000000);              // logical ID bit 0 (Linux's flat model, CPU 0)
    assert.equal(reg(core, 0xd0), 0x01000000);
    set(core, 0x310, 0x02000000);
    set(core, 0x300, 0x4851);                 // logical, destination 0x02: not us
    assert.equal(core.x.pollDevices(), -1);
    set(core, 0x310, 0x03000000);
    set(core, 0x300, 0x4851);
    assert.equal(takeInterrupt(core), 0x51);
  });
});

// NMIs (SDM vol. 3A, 6.7.1 and "Interrupt Command Register"): what handleExit leaves in the area.
const NMI_EVENT = 0x80000202n;               // vector 2, kind 2 (NMI), valid
const INTERRUPTIBILITY = 0x108, WINDOW = 0x10c;
const NMI_BLOCKED = 2, WINDOW_NMI = 2;

function area32(core: Core, off: number): number {
  return core.view().getUint32(core.x.vcpuStateOffset() + off, true);
}

function setArea32(core: Core, off: number, v: number): void {
  core.view().setUint32(core.x.vcpuStateOffset() + off, v, true);
}

/** An exit after which the core decides delivery; returns what it injects (0n: nothing). */
function deliver(core: Core): bigint {
  core.set("inject", 0);
  assert.equal(core.exit(REASON.INTERRUPT), 0);
  return core.get("inject");
}

describe("local-apic: NMIs", () => {
  // The ICR write is an exit too (TEST_MMIO), at whose end the core already delivers.
  it("ICR: NMI to self (shorthand), to its own APIC ID, to all including self; the vector is ignored", () => {
    for (const icr of [0x44400, 0x4400, 0x84400 | 0x33]) {
      const core = deviceVm();
      enable(core);
      core.set("rflags", 0x2);                // IF = 0: NMIs are not masked by it
      mmioWrite(core, APIC + 0x310, 0);       // destination: APIC ID 0 (physical)
      core.set("inject", 0);
      set(core, 0x300, icr);
      assert.equal(core.get("inject"), NMI_EVENT, `ICR ${icr.toString(16)}`);
      assert.equal(deliver(core), 0n, "delivered once");
    }
  });

  it("ICR: NMI to all excluding self, or to another APIC ID, reaches nobody here", () => {
    for (const [icr, dest] of [[0xc4400, 0], [0x4400, 1 << 24]]) {
      const core = deviceVm();
      enable(core);
      mmioWrite(core, APIC + 0x310, dest);
      core.set("inject", 0);
      set(core, 0x300, icr);
      assert.equal(core.get("inject"), 0n);
      assert.equal(deliver(core), 0n);
    }
  });

  it("while NMIs are blocked one NMI stays pending, with the NMI window armed; a second is not queued", () => {
    const core = deviceVm();
    enable(core);
    setArea32(core, INTERRUPTIBILITY, NMI_BLOCKED);   // in an NMI handler (the shim reports it)
    core.set("inject", 0);
    set(core, 0x300, 0x44400);
    set(core, 0x300, 0x44400);                // while blocked: the same single pending NMI
    assert.equal(core.get("inject"), 0n, "blocked: not injected");
    assert.equal(area32(core, WINDOW) & WINDOW_NMI, WINDOW_NMI, "the NMI window is armed");
    setArea32(core, INTERRUPTIBILITY, 0);     // the handler's IRET
    assert.equal(core.exit(REASON.NMI_WINDOW), 0);
    assert.equal(core.get("inject"), NMI_EVENT, "the window opened: injected");
    assert.equal(area32(core, WINDOW) & WINDOW_NMI, 0, "and the window disarmed");
    assert.equal(deliver(core), 0n, "the two NMIs sent while blocked were one");
  });

  it("an NMI waits behind an event already queued, without an NMI window; the next exit delivers it", () => {
    const core = deviceVm();
    enable(core);
    core.set("inject", 0x80000030n);          // an external interrupt, vector 0x30, not yet injected
    set(core, 0x300, 0x44400);
    assert.equal(core.get("inject"), 0x80000030n);
    assert.equal(area32(core, WINDOW) & WINDOW_NMI, 0);
    assert.equal(deliver(core), NMI_EVENT);
  });

  it("LINT1: NMI mode raises an NMI; masked, nothing; fixed mode, its vector; with the APIC off, the NMI pin", () => {
    const lint1 = (core: Core): void => {
      core.setRegs({ rax: 0x7e59, rbx: 1, rip: 0x1000, inject: 0 });
      assert.equal(core.instruction(REASON.HYPERCALL, 3), 0);
    };
    const core = deviceVm({ build: "test" });
    enable(core);
    set(core, 0x360, 0x400);                  // LINT1: NMI, unmasked
    lint1(core);
    assert.equal(core.get("inject"), NMI_EVENT);
    set(core, 0x360, 0x10400);                // masked
    lint1(core);
    assert.equal(core.get("inject"), 0n);
    set(core, 0x360, 0x41);                   // fixed, vector 0x41
    lint1(core);
    assert.equal(takeInterrupt(core), 0x41);
    set(core, 0xf0, 0xff);                    // software-disabled: LVTs masked again
    lint1(core);
    assert.equal(core.get("inject"), 0n, "masked by the software disable");
    assert.ok(writeMsr(core, 0x1b, 0xfee00100n), "APIC globally off");
    lint1(core);
    assert.equal(core.get("inject"), NMI_EVENT, "LINT1 is the CPU's NMI pin");
  });
});
