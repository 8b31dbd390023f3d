import { strict as assert } from "node:assert";
import { deviceVm, inPort, outPort, advanceNs, Core } from "./harness";

function cmos(core: Core, index: number): number {
  outPort(core, 0x70, index);
  return Number(inPort(core, 0x71));
}

function setCmos(core: Core, index: number, v: number): void {
  outPort(core, 0x70, index);
  outPort(core, 0x71, v);
}

const bcd = (v: number): number => ((v / 10) | 0) * 16 + (v % 10);

/** The registers 0, 2, 4, 6, 7, 8, 9, 0x32 as JS Date (the independent reference) says. */
function expected(unix: number, enc: (v: number) => number): number[] {
  const d = new Date(unix * 1000);
  return [d.getUTCSeconds(), d.getUTCMinutes(), d.getUTCHours(), d.getUTCDay() + 1, d.getUTCDate(),
    d.getUTCMonth() + 1, d.getUTCFullYear() % 100, Math.floor(d.getUTCFullYear() / 100)].map(enc);
}

function timeRegisters(core: Core): number[] {
  return [0, 2, 4, 6, 7, 8, 9, 0x32].map((i) => cmos(core, i));
}

describe("cmos-rtc", () => {
  it("shows the host's time in BCD, 24-hour (the reset format)", () => {
    const core = deviceVm({ unixTime: 1_700_000_000n });   // 2023-11-14 22:13:20 UTC, a Tuesday
    assert.deepEqual(timeRegisters(core), [0x20, 0x13, 0x22, 0x03, 0x14, 0x11, 0x23, 0x20]);
    assert.equal(cmos(core, 0x0b), 0x02, "register B: 24-hour, BCD");
    assert.equal(cmos(core, 0x0d), 0x80, "register D: valid RAM and time");
  });

  it("binary mode and many dates agree with JS Date", () => {
    for (const t of [0, 951_782_400, 1_709_164_800, 1_700_000_000, 2_147_483_647, 4_102_444_799, 4_107_542_399]) {
      const core = deviceVm({ unixTime: BigInt(t) });
      assert.deepEqual(timeRegisters(core), expected(t, bcd), `BCD ${t}`);
      setCmos(core, 0x0b, 0x06);              // binary, 24-hour
      assert.deepEqual(timeRegisters(core), expected(t, (v) => v), `binary ${t}`);
    }
  });

  it("12-hour mode: bit 7 is PM, midnight and noon are 12", () => {
    const cases: Array<[number, number, number]> = [
      [1_700_000_000, 0x90, 0x8a],            // 22:13 -> 10 PM
      [1_699_920_000, 0x12, 0x0c],            // 00:00 -> 12 AM
      [1_699_963_200, 0x92, 0x8c],            // 12:00 -> 12 PM
      [1_699_930_800, 0x03, 0x03],            // 03:00 -> 3 AM
    ];
    for (const [t, inBcd, inBinary] of cases) {
      const core = deviceVm({ unixTime: BigInt(t) });
      setCmos(core, 0x0b, 0x00);
      assert.equal(cmos(core, 4), inBcd, `BCD hour of ${t}`);
      setCmos(core, 0x0b, 0x04);
      assert.equal(cmos(core, 4), inBinary, `binary hour of ${t}`);
    }
  });

  it("the clock runs with guest time; UIP rises in the last 244 us of each second", () => {
    const core = deviceVm({ unixTime: 1_700_000_000n });
    assert.equal(cmos(core, 0), 0x20);
    assert.equal(cmos(core, 0x0a) & 0x80, 0, "no update in progress");
    advanceNs(core, 999_800_000);
    assert.equal(cmos(core, 0x0a), 0xa6, "UIP, 32.768 kHz divider, 1024 Hz rate");
    assert.equal(cmos(core, 0), 0x20);
    advanceNs(core, 300_000);
    assert.equal(cmos(core, 0x0a) & 0x80, 0);
    assert.equal(cmos(core, 0), 0x21);
    advanceNs(core, 3_600_000_000_000);       // an hour later
    assert.equal(cmos(core, 4), 0x23);
  });

  it("setting the time with SET (as Linux's mc146818_set_time does) and running on from it", () => {
    const core = deviceVm({ unixTime: 1_700_000_000n });
    setCmos(core, 0x0b, 0x82);                // SET, 24-hour, BCD
    for (const [i, v] of [[9, 0x24], [8, 0x02], [7, 0x29], [4, 0x23], [2, 0x59], [0, 0x58]]) setCmos(core, i, v);
    advanceNs(core, 5_000_000_000);
    assert.equal(cmos(core, 0), 0x58, "held while SET");
    setCmos(core, 0x0b, 0x02);
    advanceNs(core, 3_000_000_000);
    // 2024-02-29 23:59:58 + 3 s = 2024-03-01 00:00:01, a Friday.
    assert.deepEqual(timeRegisters(core), [0x01, 0x00, 0x00, 0x06, 0x01, 0x03, 0x24, 0x20]);
  });

  it("a single field write moves the running clock", () => {
    const core = deviceVm({ unixTime: 1_700_000_000n });
    setCmos(core, 0x09, 0x30);
    assert.equal(cmos(core, 9), 0x30);
    assert.equal(cmos(core, 8), 0x11);
    assert.equal(cmos(core, 6), 0x05, "2030-11-14 is a Thursday");
  });

  it("CMOS RAM keeps bytes; port 0x70 bit 7 (NMI mask) does not change the index", () => {
    const core = deviceVm();
    setCmos(core, 0x40, 0x5a);
    outPort(core, 0x70, 0x80 | 0x40);
    assert.equal(Number(inPort(core, 0x71)), 0x5a);
    assert.equal(cmos(core, 0x0c), 0, "register C: no flags");
    assert.equal(core.output, "", "0x70/0x71 are not unhandled ports");
  });
});
