import { strict as assert } from "node:assert";
import {
  deviceVm, advanceNs, takeInterrupt, mmioRead, mmioWrite, initPic, inPort, outPort, Core,
} from "./harness";

const IOAPIC = 0xfec00000;
const APIC = 0xfee00000;

function ioRead(core: Core, index: number): number {
  mmioWrite(core, IOAPIC, index);
  return Number(mmioRead(core, IOAPIC + 0x10));
}

function ioWrite(core: Core, index: number, v: number): void {
  mmioWrite(core, IOAPIC, index);
  mmioWrite(core, IOAPIC + 0x10, v);
}

/** Redirection entry of `pin`: low dword at 0x10 + 2 * pin, high at + 1. */
function route(core: Core, pin: number, low: number, high = 0): void {
  ioWrite(core, 0x11 + 2 * pin, high);
  ioWrite(core, 0x10 + 2 * pin, low);
}

/** What Linux does before it uses the IOAPIC: APIC on, 8259 masked, LINT0 masked. */
function ioapicMode(core: Core): void {
  mmioWrite(core, APIC + 0xf0, 0x1ff);
  mmioWrite(core, APIC + 0x350, 0x10700);
  initPic(core);
  outPort(core, 0x21, 0xff);
  outPort(core, 0xa1, 0xff);
}

describe("ioapic", () => {
  it("ID, version (24 pins), arbitration; entries start masked", () => {
    const core = deviceVm();
    assert.equal(ioRead(core, 0x00), 0);
    assert.equal(ioRead(core, 0x01), 0x00170011);
    assert.equal(ioRead(core, 0x02), 0);
    for (let pin = 0; pin < 24; pin++) {
      assert.equal(ioRead(core, 0x10 + 2 * pin), 0x10000, `pin ${pin}`);
      assert.equal(ioRead(core, 0x11 + 2 * pin), 0);
    }
    assert.equal(Number(mmioRead(core, IOAPIC)), 0x3f, "IOREGSEL reads back (pin 23 high dword)");
    ioWrite(core, 0x00, 0x0f000000);
    assert.equal(ioRead(core, 0x00), 0x0f000000);
  });

  it("PIT IRQ 0 arrives on GSI 2 (the MADT override) as the programmed vector", () => {
    const core = deviceVm();
    ioapicMode(core);
    route(core, 2, 0x30);                     // edge, active high, fixed, physical dest 0
    outPort(core, 0x43, 0x34);
    outPort(core, 0x40, 0x9b);
    outPort(core, 0x40, 0x2e);                // 10 ms
    advanceNs(core, 10_000_200);
    assert.equal(takeInterrupt(core), 0x30);
    assert.equal(ioRead(core, 0x14) & 0x4000, 0, "edge: no remote IRR");
    mmioWrite(core, APIC + 0xb0, 0);
    advanceNs(core, 10_000_200);
    assert.equal(takeInterrupt(core), 0x30, "periodic");
  });

  it("a masked pin drops edges; a wrong destination is not delivered", () => {
    const core = deviceVm();
    ioapicMode(core);
    route(core, 4, 0x10041);                  // masked
    outPort(core, 0x3f9, 0x02);               // COM1 THRE interrupt: IRQ 4 rises
    assert.equal(core.x.pollDevices(), -1);
    route(core, 4, 0x41);
    assert.equal(core.x.pollDevices(), -1, "the edge was lost while masked");
    inPort(core, 0x3fa);                      // the UART drops its line
    route(core, 4, 0x41, 5 << 24);            // physical destination 5
    outPort(core, 0x3f9, 0x00);
    outPort(core, 0x3f9, 0x02);
    assert.equal(core.x.pollDevices(), -1, "APIC 5 does not exist");
  });

  it("level-triggered: remote IRR until EOI; an asserted line is delivered again", () => {
    const core = deviceVm();
    ioapicMode(core);
    route(core, 4, 0x8000 | 0x52);            // level, vector 0x52
    outPort(core, 0x3f9, 0x02);               // the UART asserts IRQ 4
    assert.equal(takeInterrupt(core), 0x52);
    assert.equal(ioRead(core, 0x18) & 0x4000, 0x4000, "remote IRR");
    assert.equal(Number(mmioRead(core, APIC + 0x180 + 0x20)) & (1 << 0x12), 1 << 0x12, "TMR bit 0x52");
    assert.equal(core.x.pollDevices(), -1);
    mmioWrite(core, APIC + 0xb0, 0);          // EOI while the line is still high
    assert.equal(takeInterrupt(core), 0x52, "delivered again");
    inPort(core, 0x3fa);                      // IIR read: the UART lowers its line
    mmioWrite(core, APIC + 0xb0, 0);
    assert.equal(ioRead(core, 0x18) & 0x4000, 0, "remote IRR cleared by the EOI broadcast");
    assert.equal(core.x.pollDevices(), -1);
  });

  it("unmasking a level entry whose line is asserted delivers", () => {
    const core = deviceVm();
    ioapicMode(core);
    route(core, 4, 0x18000 | 0x53);           // level, masked
    outPort(core, 0x3f9, 0x02);
    assert.equal(core.x.pollDevices(), -1);
    route(core, 4, 0x8000 | 0x53);
    assert.equal(takeInterrupt(core), 0x53);
  });

  it("logical destination: flat LDR bit", () => {
    const core = deviceVm();
    ioapicMode(core);
    mmioWrite(core, APIC + 0xd0, 0x01000000);
    route(core, 4, 0x800 | 0x54, 0x01000000);  // logical, destination mask 0x01
    outPort(core, 0x3f9, 0x02);
    assert.equal(takeInterrupt(core), 0x54);
  });

  it("byte reads of IOWIN select the bytes of the register", () => {
    const core = deviceVm();
    mmioWrite(core, IOAPIC, 0x01);
    assert.equal(mmioRead(core, IOAPIC + 0x10, 1), 0x11n);
    assert.equal(mmioRead(core, IOAPIC + 0x12, 1), 0x17n);
  });
});
