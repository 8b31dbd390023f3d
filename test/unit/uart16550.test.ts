import { strict as assert } from "node:assert";
import { helloVm, deviceVm, inPort, outPort, uartWrite, initPic, takeInterrupt, Core } from "./harness";

/** Console input from the shim: bytes into the input buffer, then consoleInput. */
function type(core: Core, text: string): number {
  const len = core.input(text);
  return core.x.consoleInput(core.x.inputBuffer(len), len);
}

/** 8259 ready with only IRQ 4 unmasked (vector 0x34). */
function com1Irq(core: Core): void {
  initPic(core);
  outPort(core, 0x21, 0xef);
}

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

  it("console input: LSR data ready, RBR reads the bytes in order", () => {
    const core = deviceVm();
    assert.equal(type(core, "ls\n"), 3);
    assert.equal(inPort(core, 0x3fd) & 0x01n, 1n);
    assert.equal(inPort(core, 0x3f8), 0x6cn);
    assert.equal(inPort(core, 0x3f8), 0x73n);
    assert.equal(inPort(core, 0x3f8), 0x0an);
    assert.equal(inPort(core, 0x3fd), 0x60n, "empty again");
  });

  it("received data interrupt: IER bit 0 raises IRQ 4 until the data is read", () => {
    const core = deviceVm();
    com1Irq(core);
    outPort(core, 0x3f9, 0x01);
    assert.equal(core.x.pollDevices(), -1);
    type(core, "x");
    assert.equal(inPort(core, 0x3fa), 0x04n, "IIR: received data available");
    assert.equal(takeInterrupt(core), 0x34);
    assert.equal(inPort(core, 0x3f8), 0x78n);
    assert.equal(inPort(core, 0x3fa), 0x01n, "no interrupt");
    outPort(core, 0x20, 0x20);
    type(core, "y");
    assert.equal(takeInterrupt(core), 0x34, "a new rising edge");
  });

  it("THRE interrupt: raised by enabling it, cleared by reading IIR, raised again by a write", () => {
    const core = deviceVm();
    outPort(core, 0x3f9, 0x02);
    assert.equal(inPort(core, 0x3fa), 0x02n);
    assert.equal(inPort(core, 0x3fa), 0x01n, "reading IIR cleared it");
    outPort(core, 0x3f8, 0x41);
    assert.equal(inPort(core, 0x3fa), 0x02n, "THR empty again after the byte went out");
    outPort(core, 0x3f8, 0x41);
    outPort(core, 0x3f9, 0x00);
    assert.equal(inPort(core, 0x3fa), 0x01n, "disabled");
  });

  it("IIR priorities: line status over received data over THRE; FIFO bits", () => {
    const core = deviceVm();
    outPort(core, 0x3fa, 0xc7);               // FIFOs on, clear, trigger 14
    outPort(core, 0x3f9, 0x07);
    assert.equal(inPort(core, 0x3fa), 0xc2n, "THRE, FIFOs enabled");
    type(core, "abc");
    assert.equal(inPort(core, 0x3fa), 0xccn, "below the trigger level: character timeout");
    type(core, "0123456789ab");
    assert.equal(inPort(core, 0x3fa), 0xc4n, "trigger level reached");
    type(core, "z".repeat(2000));            // more than the queue holds
    assert.equal(inPort(core, 0x3fa), 0xc4n, "not an overrun: the extra bytes were refused");
    outPort(core, 0x3fa, 0xc3);               // clear the receive FIFO
    assert.equal(inPort(core, 0x3fd) & 0x01n, 0n);
  });

  it("consoleInput takes what fits and reports it; the shim offers the rest later", () => {
    const core = deviceVm();
    assert.equal(type(core, "q".repeat(1500)), 1024);
    assert.equal(type(core, "r"), 0);
    inPort(core, 0x3f8);
    assert.equal(type(core, "rs"), 1);
  });

  it("loopback: THR bytes come back on RBR and are not printed", () => {
    const core = deviceVm();
    outPort(core, 0x3fc, 0x10);
    outPort(core, 0x3f8, 0x5a);
    assert.equal(inPort(core, 0x3f8), 0x5an);
    assert.equal(core.output, "");
  });
});
