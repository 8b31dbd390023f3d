import { strict as assert } from "node:assert";
import { deviceVm, initPic, inPort, outPort, advanceNs, takeInterrupt, Core, REASON } from "./harness";

const PERIOD_NS = 4_001_000;                  // PIT counter 0 at 4773 ticks: 4.0002 ms (HZ = 250)

/** PIT counter 0 in mode 2 at 250 Hz, as Linux programs it: the IRQ 0 source for these tests. */
function startPit(core: Core): void {
  outPort(core, 0x43, 0x34);
  outPort(core, 0x40, 4773 & 0xff);
  outPort(core, 0x40, 4773 >> 8);
}

function readIsr(core: Core, port = 0x20): bigint {
  outPort(core, port, 0x0b);                  // OCW3: read ISR
  return inPort(core, port);
}

function readIrr(core: Core, port = 0x20): bigint {
  outPort(core, port, 0x0a);                  // OCW3: read IRR
  return inPort(core, port);
}

/** ISA IRQ `irq` to `level` (test builds: the TEST_IRQ hypercall; no slave device raises one yet). */
function setIrq(core: Core, irq: number, level: boolean): void {
  core.setRegs({ rax: 0x7e5a, rbx: irq, rcx: level ? 1 : 0, rip: 0x1000 });
  assert.equal(core.instruction(REASON.HYPERCALL, 3), 0);
}

/** A COM1 interrupt (IRQ 4): enabling the THRE interrupt raises it at once; IIR read clears it. */
function raiseCom1(core: Core): void {
  outPort(core, 0x3f9, 0x02);
}

describe("i8259", () => {
  it("Linux's init sequence, then IRQ 0 from the PIT arrives as vector 0x30", () => {
    const core = deviceVm();
    initPic(core);
    outPort(core, 0x21, 0xfa);                // unmask IRQ 0 and the cascade
    assert.equal(inPort(core, 0x21), 0xfan, "OCW1 reads back");
    startPit(core);
    assert.equal(core.x.pollDevices(), -1, "no tick yet");
    advanceNs(core, PERIOD_NS);
    assert.equal(takeInterrupt(core), 0x30);
    assert.equal(readIsr(core), 0x01n, "IR0 in service");
    assert.equal(readIrr(core), 0x00n, "edge request cleared by INTA");
  });

  it("an unacknowledged EOI-less interrupt blocks the same level; EOI lets the next one in", () => {
    const core = deviceVm();
    initPic(core);
    outPort(core, 0x21, 0xfa);
    startPit(core);
    advanceNs(core, PERIOD_NS);
    assert.equal(takeInterrupt(core), 0x30);
    advanceNs(core, PERIOD_NS);
    assert.equal(core.x.pollDevices(), -1, "IR0 still in service");
    assert.equal(readIrr(core), 0x01n, "but requested");
    outPort(core, 0x20, 0x20);                // non-specific EOI
    assert.equal(readIsr(core), 0n);
    assert.equal(takeInterrupt(core), 0x30);
    outPort(core, 0x20, 0x60);                // specific EOI, IR0
    assert.equal(readIsr(core), 0n);
  });

  it("a masked IRQ is latched in IRR and delivered on unmasking", () => {
    const core = deviceVm();
    initPic(core);
    assert.equal(inPort(core, 0x21), 0x00n, "ICW1 clears the mask");
    outPort(core, 0x21, 0xff);
    startPit(core);
    advanceNs(core, PERIOD_NS);
    assert.equal(core.x.pollDevices(), -1, "masked");
    assert.equal(readIrr(core), 0x01n);
    outPort(core, 0x21, 0xfe);
    assert.equal(takeInterrupt(core), 0x30);
  });

  it("priority: IRQ 0 before IRQ 4; IRQ 4 waits while IR0 is in service, then follows", () => {
    const core = deviceVm();
    initPic(core);
    outPort(core, 0x21, 0xee);                // IRQ 0 and 4
    startPit(core);
    advanceNs(core, PERIOD_NS);
    raiseCom1(core);
    assert.equal(takeInterrupt(core), 0x30);
    assert.equal(core.x.pollDevices(), -1, "IRQ 4 has a lower priority than IR0 in service");
    outPort(core, 0x20, 0x20);
    assert.equal(takeInterrupt(core), 0x34);
  });

  it("automatic EOI (ICW4 = 0x03) leaves ISR clear", () => {
    const core = deviceVm();
    initPic(core, 0x20, 0x28, 0x03);
    outPort(core, 0x21, 0xfe);
    startPit(core);
    advanceNs(core, PERIOD_NS);
    assert.equal(takeInterrupt(core), 0x20);
    assert.equal(readIsr(core), 0n);
    advanceNs(core, PERIOD_NS);
    assert.equal(takeInterrupt(core), 0x20, "no EOI needed");
  });

  it("poll command: the next read returns 0x80 | level and acknowledges", () => {
    const core = deviceVm();
    initPic(core);
    outPort(core, 0x21, 0xef);                // IRQ 4 only
    raiseCom1(core);
    outPort(core, 0x20, 0x0c);                // OCW3: poll
    assert.equal(inPort(core, 0x20), 0x84n);
    assert.equal(readIsr(core), 0x10n);
    outPort(core, 0x20, 0x0c);
    assert.equal(inPort(core, 0x20), 0x00n, "nothing further");
  });

  it("without an interrupt nothing is pending and acknowledgeInterrupt reports -1", () => {
    const core = deviceVm();
    initPic(core);
    outPort(core, 0x21, 0x00);
    assert.equal(core.x.pollDevices(), -1);
    assert.equal(core.x.acknowledgeInterrupt(0x30), -1);
  });

  it("rotation on non-specific EOI makes the serviced level the lowest priority", () => {
    const core = deviceVm();
    initPic(core);
    outPort(core, 0x21, 0xee);
    startPit(core);
    advanceNs(core, PERIOD_NS);
    assert.equal(takeInterrupt(core), 0x30);
    outPort(core, 0x20, 0xa0);                // rotate on non-specific EOI: IR0 now lowest
    advanceNs(core, PERIOD_NS);
    raiseCom1(core);
    assert.equal(takeInterrupt(core), 0x34, "IR4 now ranks above IR0");
  });

  it("ELCR at 0x4D0/0x4D1 keeps only the bits that exist", () => {
    const core = deviceVm();
    assert.equal(inPort(core, 0x4d0), 0n);
    outPort(core, 0x4d0, 0xff);
    outPort(core, 0x4d1, 0xff);
    assert.equal(inPort(core, 0x4d0), 0xf8n, "IRQ 0-2 always edge");
    assert.equal(inPort(core, 0x4d1), 0xden, "IRQ 8 and 13 always edge");
    assert.equal(core.output, "", "not reported as unhandled");
  });

  it("a level-triggered input (ELCR) stays requested after INTA while the line is high", () => {
    const core = deviceVm();
    initPic(core);
    outPort(core, 0x4d0, 0x10);               // IRQ 4 level
    outPort(core, 0x21, 0xef);
    raiseCom1(core);
    assert.equal(takeInterrupt(core), 0x34);
    assert.equal(readIrr(core), 0x10n, "line still high");
    inPort(core, 0x3fa);                      // IIR read clears the UART's THRE interrupt
    assert.equal(readIrr(core), 0x00n, "follows the line");
  });

  it("IRQ 8-15 reach the CPU through the slave and master IR2: vector, both ISRs, EOI to both", () => {
    const core = deviceVm({ build: "test" });
    initPic(core);
    outPort(core, 0x21, 0xfb);                // master: only the cascade (IR2)
    outPort(core, 0xa1, 0xfe);                // slave: IRQ 8 only
    setIrq(core, 8, true);
    setIrq(core, 8, false);                   // an edge
    assert.equal(readIrr(core, 0xa0), 0x01n, "slave IR0 requested");
    assert.equal(takeInterrupt(core), 0x38, "the slave's base + 0");
    assert.equal(readIsr(core, 0xa0), 0x01n, "slave IR0 in service");
    assert.equal(readIsr(core), 0x04n, "master IR2 in service");
    setIrq(core, 9, true);                    // masked on the slave: latched, not delivered
    setIrq(core, 9, false);
    assert.equal(core.x.pollDevices(), -1);
    outPort(core, 0xa1, 0xfc);                // unmask IRQ 9: still behind IRQ 8 in service
    assert.equal(core.x.pollDevices(), -1, "IR1 waits while the slave's IR0 is in service");
    outPort(core, 0xa0, 0x20);                // EOI to the slave, then the master
    assert.equal(core.x.pollDevices(), -1, "the master's IR2 is still in service");
    outPort(core, 0x20, 0x20);
    assert.equal(takeInterrupt(core), 0x39, "IRQ 9");
  });

  it("the slave's vector base is separate and IR2 cascades", () => {
    const core = deviceVm();
    initPic(core);
    outPort(core, 0x21, 0xfb);                // only the cascade
    outPort(core, 0xa1, 0x00);
    assert.equal(inPort(core, 0xa1), 0x00n);
    assert.equal(core.x.pollDevices(), -1, "nothing on the slave");
  });
});
