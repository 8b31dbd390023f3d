import { strict as assert } from "node:assert";
import { helloVm, deviceVm, inPort, outPort, uartWrite, initPic, takeInterrupt, Core } from "./harness";

/** The guest's driver opened the port: DTR, RTS and OUT2 (the host may now send). */
function openPort(core: Core): void {
  outPort(core, 0x3fc, 0x0b);
}

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
    assert.deepEqual(core.lines, ["[hello] a\tb", "[hello] c\u00e9"]);
  });

  it("drops whole escape sequences: CSI with parameters, two-byte escapes, charset selection", () => {
    const core = helloVm();
    uartWrite(core, "wisp# \x1b[6n\x1b[1;32mgreen\x1b[0m \x1b(Bx\x1b7y\x1b8\n");
    uartWrite(core, "cut \x1b[12\nnext\n");            // a newline cancels an unfinished sequence
    assert.deepEqual(core.lines, ["[hello] wisp# green xy", "[hello] cut ", "[hello] next"]);
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
    outPort(core, 0x3fa, 0x01);               // FIFOs on
    openPort(core);
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
    openPort(core);
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
    openPort(core);
    outPort(core, 0x3f9, 0x07);
    assert.equal(inPort(core, 0x3fa), 0xc2n, "THRE, FIFOs enabled");
    type(core, "abc");
    assert.equal(inPort(core, 0x3fa), 0xccn, "below the trigger level: character timeout");
    type(core, "0123456789ab");
    assert.equal(inPort(core, 0x3fa), 0xc4n, "trigger level reached");
    assert.equal(type(core, "z".repeat(2000)), 1, "the 16th byte fits, no more");
    assert.equal(inPort(core, 0x3fa), 0xc4n, "not an overrun: the extra bytes were refused");
    outPort(core, 0x3fa, 0xc3);               // clear the receive FIFO
    assert.equal(inPort(core, 0x3fd) & 0x01n, 0n);
  });

  it("consoleInput takes what fits in the 16-byte FIFO; the shim offers the rest later", () => {
    const core = deviceVm();
    outPort(core, 0x3fa, 0x01);
    openPort(core);
    assert.equal(type(core, "q".repeat(1500)), 16);
    assert.equal(type(core, "r"), 0);
    inPort(core, 0x3f8);
    assert.equal(type(core, "rs"), 1);
    assert.equal(inPort(core, 0x3fd) & 0x03n, 0x01n, "data ready, no overrun");
  });

  it("without FIFOs the receiver holds one byte (the receiver buffer register)", () => {
    const core = deviceVm();
    com1Irq(core);
    openPort(core);
    outPort(core, 0x3f9, 0x01);
    assert.equal(type(core, "ab"), 1);
    assert.equal(inPort(core, 0x3fa), 0x04n, "received data available, no FIFO bits");
    assert.equal(inPort(core, 0x3f8), 0x61n);
    assert.equal(type(core, "b"), 1);
    assert.equal(inPort(core, 0x3f8), 0x62n);
  });

  it("no input until the guest asserts RTS, none in loopback; clearing the FIFO before loses nothing", () => {
    const core = deviceVm();
    assert.equal(type(core, "early"), 0, "MCR 0: the driver has not opened the port");
    outPort(core, 0x3fc, 0x09);               // DTR and OUT2 only
    assert.equal(type(core, "early"), 0);
    outPort(core, 0x3fc, 0x1b);               // loopback (Linux's probe)
    assert.equal(type(core, "early"), 0, "loopback disconnects the serial input");
    outPort(core, 0x3fa, 0x07);               // the driver clears the FIFOs, then opens the port
    openPort(core);
    assert.equal(type(core, "early"), 5);
    assert.equal(inPort(core, 0x3f8), 0x65n);
  });

  it("loopback into a full receiver is an overrun (LSR bit 1, line status interrupt)", () => {
    const core = deviceVm();
    outPort(core, 0x3f9, 0x04);
    outPort(core, 0x3fc, 0x10);
    outPort(core, 0x3f8, 0x31);
    outPort(core, 0x3f8, 0x32);               // no FIFOs: one byte fits
    assert.equal(inPort(core, 0x3fa), 0x06n);
    assert.equal(inPort(core, 0x3fd) & 0x03n, 0x03n);
    assert.equal(inPort(core, 0x3fd) & 0x02n, 0n, "reading LSR cleared it");
    assert.equal(inPort(core, 0x3f8), 0x31n, "the receiver kept its data");
  });

  it("loopback: THR bytes come back on RBR and are not printed", () => {
    const core = deviceVm();
    outPort(core, 0x3fc, 0x10);
    outPort(core, 0x3f8, 0x5a);
    assert.equal(inPort(core, 0x3f8), 0x5an);
    assert.equal(core.output, "");
  });
});
