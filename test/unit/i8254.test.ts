import { strict as assert } from "node:assert";
import { deviceVm, initPic, inPort, outPort, advanceNs, takeInterrupt, Core, TEST_TSC_KHZ } from "./harness";

const PIT_HZ = 1193182;
const ticksToNs = (t: number): number => Math.ceil((t * 1e9) / PIT_HZ);
const deadline = (core: Core): bigint => BigInt.asUintN(64, core.x.nextDeadlineNs());

function picReady(core: Core): void {
  initPic(core);
  outPort(core, 0x21, 0xfe);                  // IRQ 0 only
}

function readCounter16(core: Core, port: number): number {
  const lo = Number(inPort(core, port));
  const hi = Number(inPort(core, port));
  return lo | (hi << 8);
}

describe("i8254", () => {
  it("counter 0 mode 2 (Linux's periodic tick): one IRQ 0 per period, deadline reported", () => {
    const core = deviceVm();
    picReady(core);
    outPort(core, 0x43, 0x34);                // counter 0, LSB then MSB, mode 2, binary
    outPort(core, 0x40, 0x9b);                // 11931: 10 ms
    outPort(core, 0x40, 0x2e);
    const period = ticksToNs(11931);
    const d = Number(deadline(core));
    assert.ok(Math.abs(d - period) <= 1, `deadline ${d} vs ${period}`);
    advanceNs(core, period - 1000);
    assert.equal(core.x.pollDevices(), -1, "not yet");
    advanceNs(core, 1001);
    assert.equal(takeInterrupt(core), 0x30);
    outPort(core, 0x20, 0x20);
    assert.equal(core.x.pollDevices(), -1, "one per period");
    advanceNs(core, period + 1);
    assert.equal(takeInterrupt(core), 0x30, "periodic");
    outPort(core, 0x20, 0x20);
    advanceNs(core, 5 * period);
    assert.equal(takeInterrupt(core), 0x30, "missed periods coalesce into one");
    outPort(core, 0x20, 0x20);
    assert.equal(core.x.pollDevices(), -1);
  });

  it("counter latch: the count read in two bytes goes down with time", () => {
    const core = deviceVm();
    outPort(core, 0x43, 0x34);
    outPort(core, 0x40, 0x00);
    outPort(core, 0x40, 0x10);                // 4096
    advanceNs(core, ticksToNs(1000));
    outPort(core, 0x43, 0x00);                // latch counter 0
    advanceNs(core, ticksToNs(500));          // the latched value does not move
    const v = readCounter16(core, 0x40);
    assert.ok(v >= 4096 - 1001 && v <= 4096 - 999, `count ${v}`);
    const live = readCounter16(core, 0x40);
    assert.ok(live >= 4096 - 1501 && live <= 4096 - 1499, `count ${live}`);
  });

  it("mode 0 (and Linux's one-shot mode 4) interrupt once per count written", () => {
    for (const control of [0x30, 0x38]) {
      const core = deviceVm();
      picReady(core);
      outPort(core, 0x43, control);
      outPort(core, 0x40, 0xe8);
      outPort(core, 0x40, 0x03);              // 1000 ticks
      advanceNs(core, ticksToNs(1000) + 1);
      assert.equal(takeInterrupt(core), 0x30, `control ${control.toString(16)}`);
      outPort(core, 0x20, 0x20);
      advanceNs(core, ticksToNs(100_000));
      assert.equal(core.x.pollDevices(), -1, "once");
      assert.equal(deadline(core), 0xffff_ffff_ffff_ffffn, "nothing armed");
      outPort(core, 0x40, 0x64);
      outPort(core, 0x40, 0x00);              // a new count re-arms
      advanceNs(core, ticksToNs(100) + 1);
      assert.equal(takeInterrupt(core), 0x30);
    }
  });

  it("LSB-only and MSB-only access modes", () => {
    const core = deviceVm();
    outPort(core, 0x43, 0x10);                // counter 0, LSB only, mode 0
    outPort(core, 0x40, 0x80);
    assert.equal(inPort(core, 0x40), 0x80n);
    outPort(core, 0x43, 0x20);                // MSB only
    outPort(core, 0x40, 0x12);
    assert.equal(inPort(core, 0x40), 0x12n, "0x1200 read back as its MSB");
  });

  it("read-back command latches status and count", () => {
    const core = deviceVm();
    outPort(core, 0x43, 0x34);
    outPort(core, 0x40, 0x00);
    outPort(core, 0x40, 0x20);                // 0x2000
    outPort(core, 0x43, 0xc2);                // read-back counter 0: count and status
    assert.equal(inPort(core, 0x40), 0xb4n, "OUT high, LSB/MSB, mode 2, binary");
    assert.equal(readCounter16(core, 0x40), 0x2000);
    outPort(core, 0x43, 0x32);                // new control word: null count until a count is written
    outPort(core, 0x43, 0xe2);                // status only
    assert.equal(Number(inPort(core, 0x40)) & 0xc0, 0xc0, "mode 1: OUT high (its initial state), null count");
  });

  it("counter 2 and port 0x61: OUT2 rises at terminal count (Linux's TSC calibration loop)", () => {
    const core = deviceVm();
    outPort(core, 0x61, (Number(inPort(core, 0x61)) & ~0x02) | 0x01);   // gate on, speaker off
    outPort(core, 0x43, 0xb0);                // counter 2, LSB/MSB, mode 0
    const latch = Math.floor(PIT_HZ / 20);    // 50 ms, as pit_calibrate_tsc
    outPort(core, 0x42, latch & 0xff);
    outPort(core, 0x42, latch >> 8);
    assert.equal(Number(inPort(core, 0x61)) & 0x20, 0, "OUT2 low while counting");
    advanceNs(core, 49_000_000);
    assert.equal(Number(inPort(core, 0x61)) & 0x20, 0);
    advanceNs(core, 1_100_000);
    assert.equal(Number(inPort(core, 0x61)) & 0x20, 0x20, "terminal count");
    assert.equal(Number(inPort(core, 0x61)) & 0x0f, 0x01, "gate and speaker bits read back");
    assert.equal(core.x.pollDevices(), -1, "counter 2 has no IRQ");
  });

  it("quick_pit_calibrate: counter 2 counts down from 0xFFFF, MSB by MSB", () => {
    const core = deviceVm();
    outPort(core, 0x61, 0x01);
    outPort(core, 0x43, 0xb0);
    outPort(core, 0x42, 0xff);
    outPort(core, 0x42, 0xff);
    let last = 0x100;
    for (let i = 0; i < 20; i++) {
      inPort(core, 0x42);
      const msb = Number(inPort(core, 0x42));
      assert.ok(msb < last || (i === 0 && msb === 0xff), `msb ${msb} after ${last}`);
      last = msb;
      advanceNs(core, ticksToNs(256) + 1);
    }
    assert.equal(last, 0xff - 19);
  });

  it("gate 2 low stops counter 2; high resumes (mode 0)", () => {
    const core = deviceVm();
    outPort(core, 0x61, 0x01);
    outPort(core, 0x43, 0xb0);
    outPort(core, 0x42, 0x00);
    outPort(core, 0x42, 0x10);
    advanceNs(core, ticksToNs(0x100));
    outPort(core, 0x61, 0x00);
    advanceNs(core, ticksToNs(0x800));
    outPort(core, 0x43, 0x80);
    const held = readCounter16(core, 0x42);
    assert.ok(Math.abs(held - 0xf00) <= 1, `held at ${held.toString(16)}`);
  });

  it("the time base follows setTscKhz", () => {
    const core = deviceVm();
    core.x.setTscKhz(TEST_TSC_KHZ / 2);      // the same TSC ticks are now twice as long
    outPort(core, 0x43, 0x34);
    outPort(core, 0x40, 0x9b);
    outPort(core, 0x40, 0x2e);               // 10 ms
    const d = Number(deadline(core));
    assert.ok(Math.abs(d - ticksToNs(11931)) <= 1, `${d}`);
    picReady(core);
    advanceNs(core, 5_000_001);              // 5 ms of the test's clock = 10 ms at the new rate
    assert.equal(takeInterrupt(core), 0x30);
  });
});
