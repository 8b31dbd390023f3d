import { strict as assert } from "node:assert";
import { deviceVm, inPort, outPort, advanceNs, RESULT } from "./harness";

// ACPI fixed hardware at the FADT's ports (as-src/acpi/layout.ts): PM1a_STS 0x600, PM1a_EN 0x602,
// PM1a_CNT 0x604, PM_TMR 0x608.
describe("acpi-pm", () => {
  it("PM1a_CNT: SCI_EN reads 1; S5 with SLP_EN (Linux writes 0x3401) ends the VM with POWEROFF", () => {
    const core = deviceVm();
    assert.equal(inPort(core, 0x604, 2), 1n);
    assert.equal(outPort(core, 0x604, 0x1401, 2), 0, "SLP_TYP 5 without SLP_EN: nothing yet");
    assert.equal(inPort(core, 0x604, 2), 0x1401n);
    assert.equal(outPort(core, 0x604, 0x3401, 2), 1, "the exit ends the VM");
    assert.equal(core.x.resultKind(), RESULT.POWEROFF);
  });

  it("another sleeping type with SLP_EN is ignored (only \\_S5 is offered)", () => {
    const core = deviceVm();
    assert.equal(outPort(core, 0x604, 0x2401 | (1 << 10), 2), 0);
    assert.equal(core.x.resultKind(), RESULT.RUNNING);
    assert.equal(inPort(core, 0x604, 2) & 0x2000n, 0n, "SLP_EN reads 0");
  });

  it("PM1a_EN is read/write, PM1a_STS bits clear on writing 1, and nothing is reported unhandled", () => {
    const core = deviceVm();
    outPort(core, 0x602, 0x0121, 2);
    assert.equal(inPort(core, 0x602, 2), 0x0121n);
    outPort(core, 0x600, 0xffff, 2);
    assert.equal(inPort(core, 0x600, 2), 0n);
    assert.equal(inPort(core, 0x600, 4), 0x01210000n, "a 32-bit read covers status and enable");
    assert.ok(!core.lines.some((l) => l.includes("unhandled port")), core.lines.join("\n"));
  });

  it("PM_TMR counts at 3.579545 MHz in 24 bits (ACPI 6.5, 4.8.3.3), wrapping", () => {
    const core = deviceVm();
    const a = inPort(core, 0x608, 4);
    assert.ok(a <= 0xffffffn);
    assert.equal(inPort(core, 0x60b, 1) , 0n, "the top byte is 0 (24-bit timer)");
    advanceNs(core, 1_000_000);               // 1 ms: 3579.545 ticks
    const b = inPort(core, 0x608, 4);
    const d1 = (b - a) & 0xffffffn;
    assert.ok(d1 >= 3579n && d1 <= 3580n, `ticks in 1 ms: ${d1}`);
    advanceNs(core, 10_000_000_000);          // 10 s: 35,795,450 ticks, over two wraps of 2^24
    const c = inPort(core, 0x608, 4);
    assert.ok(c <= 0xffffffn);
    const d2 = (c - b) & 0xffffffn;
    const expected = 35_795_450n % (1n << 24n);
    assert.ok(d2 >= expected - 1n && d2 <= expected + 1n, `ticks in 10 s, modulo 2^24: ${d2}, expected ${expected}`);
    assert.equal((inPort(core, 0x608, 2) - (c & 0xffffn)) & 0xffffn, 0n, "a 16-bit read is the low half");
  });
});
