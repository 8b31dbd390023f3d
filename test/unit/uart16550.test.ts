import { strict as assert } from "node:assert";
import { helloVm, inPort, outPort, uartWrite } from "./harness";

describe("uart16550", () => {
  it("collects THR bytes into whole lines prefixed with the VM name", () => {
    const core = helloVm();
    uartWrite(core, "hello, ");
    assert.equal(core.written.length, 0, "nothing until the line ends");
    uartWrite(core, "world\nsecond line\n");
    assert.deepEqual(core.written, ["[hello] hello, world\n", "[hello] second line\n"]);
  });

  it("drops carriage returns and control characters, keeps tabs and UTF-8", () => {
    const core = helloVm();
    uartWrite(core, "a\tb\r\n\x1b[2Jc\x07\u00e9\n");
    assert.deepEqual(core.lines, ["[hello] a\tb", "[hello] [2Jc\u00e9"]);
  });

  it("an empty line is still a line", () => {
    const core = helloVm();
    uartWrite(core, "\n");
    assert.deepEqual(core.written, ["[hello] \n"]);
  });

  it("splits very long lines", () => {
    const core = helloVm();
    uartWrite(core, "x".repeat(1000) + "\n");
    assert.ok(core.written.length >= 4);
    for (const w of core.written) assert.ok(w.startsWith("[hello] ") && w.endsWith("\n"));
    assert.equal(core.written.join("").replace(/\[hello\] |\n/g, ""), "x".repeat(1000));
  });

  it("LSR reads 0x60 (transmitter empty), IIR 0x01 (no interrupt)", () => {
    const core = helloVm();
    assert.equal(inPort(core, 0x3fd), 0x60n);
    assert.equal(inPort(core, 0x3fa), 0x01n);
  });

  it("stores IER, LCR, MCR and SCR", () => {
    const core = helloVm();
    outPort(core, 0x3f9, 0x05);
    outPort(core, 0x3fb, 0x03);
    outPort(core, 0x3fc, 0x0b);
    outPort(core, 0x3ff, 0xa5);
    assert.equal(inPort(core, 0x3f9), 0x05n);
    assert.equal(inPort(core, 0x3fb), 0x03n);
    assert.equal(inPort(core, 0x3fc), 0x0bn);
    assert.equal(inPort(core, 0x3ff), 0xa5n);
  });

  it("DLAB selects the divisor latch on ports 0 and 1; no output then", () => {
    const core = helloVm();
    outPort(core, 0x3f9, 0x01);                 // IER
    outPort(core, 0x3fb, 0x83);                 // DLAB
    outPort(core, 0x3f8, 0x0c);                 // DLL: 9600 baud
    outPort(core, 0x3f9, 0x00);                 // DLM
    assert.equal(inPort(core, 0x3f8), 0x0cn);
    assert.equal(inPort(core, 0x3f9), 0x00n);
    outPort(core, 0x3fb, 0x03);
    assert.equal(inPort(core, 0x3f9), 0x01n, "IER kept");
    outPort(core, 0x3f8, 0x0a);
    assert.deepEqual(core.written, ["[hello] \n"], "only the newline written after DLAB was cleared");
  });

  it("loopback mode sends nothing and reflects MCR in MSR", () => {
    const core = helloVm();
    outPort(core, 0x3fc, 0x1a);                 // loop, OUT2, RTS (Linux's probe)
    assert.equal(inPort(core, 0x3fe) & 0xf0n, 0x90n);
    uartWrite(core, "loop\n");
    assert.equal(core.written.length, 0);
  });

  it("a 16-bit IN from 0x3fd reads LSR and MSR", () => {
    const core = helloVm();
    assert.equal(inPort(core, 0x3fd, 2), 0xb060n);
  });
});
