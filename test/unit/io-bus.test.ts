import { strict as assert } from "node:assert";
import { helloVm, inPort, outPort, ioQualification, REASON, RESULT } from "./harness";

describe("io-bus", () => {
  it("unhandled ports: IN all ones (sized), OUT ignored, reported once per port", () => {
    const core = helloVm();
    assert.equal(inPort(core, 0x2f9, 1, 0x1234_5678_9abc_def0n), 0x1234_5678_9abc_deffn, "8-bit keeps the rest");
    assert.equal(inPort(core, 0x2f9, 2, 0x1234_5678_9abc_def0n), 0x1234_5678_9abc_ffffn, "16-bit keeps the rest");
    assert.equal(inPort(core, 0x2f9, 4, 0x1234_5678_9abc_def0n), 0xffff_ffffn, "32-bit zero-extends");
    outPort(core, 0x2f9, 0x55);
    outPort(core, 0x378, 0x8f);
    outPort(core, 0x378, 0x0f);
    assert.deepEqual(core.lines, [
      "[hello] unhandled port 0x2f9 (in), ignored",
      "[hello] unhandled port 0x378 (out), ignored",
    ]);
    assert.equal(core.result.kind, RESULT.RUNNING);
  });

  it("port 0x80 is ignored silently", () => {
    const core = helloVm();
    outPort(core, 0x80, 0x12);
    assert.equal(inPort(core, 0x80), 0xffn);
    assert.equal(core.output, "");
  });

  it("advances rip to nextRip", () => {
    const core = helloVm();
    core.setRegs({ rip: 0x5000, nextRip: 0x5002, rax: 0x41 });
    assert.equal(core.exit(REASON.IO, ioQualification(0x3f8, 1, false)), 0);
    assert.equal(core.get("rip"), 0x5002n);
  });

  it("string I/O stops the VM with a clear message", () => {
    for (const rep of [false, true]) {
      const core = helloVm();
      assert.equal(core.instruction(REASON.IO, 2, ioQualification(0x3f8, 1, false, true, rep)), 1);
      assert.equal(core.result.kind, RESULT.FAULT);
      assert.match(core.output, /\[hello\] fault: string I\/O on port 0x3f8 is not emulated\n/);
    }
  });

  it("a bad access size stops the VM", () => {
    const core = helloVm();
    assert.equal(core.instruction(REASON.IO, 1, ioQualification(0x3f8, 3, true)), 1);
    assert.equal(core.result.kind, RESULT.FAULT);
  });

  it("a UART access that runs past 0x3ff reads all ones for the bytes beyond", () => {
    const core = helloVm();
    outPort(core, 0x3ff, 0x42);
    assert.equal(inPort(core, 0x3ff, 2), 0xff42n);
  });

  it("the platform's ports are claimed: nothing is reported for them", () => {
    const core = helloVm();
    for (const port of [0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1, 0x40, 0x41, 0x42, 0x43, 0x61, 0x60, 0x64, 0x70, 0x71, 0xcfc]) {
      inPort(core, port);
    }
    inPort(core, 0xcf8, 4);
    assert.equal(core.output, "");
  });

  it("a 16-bit IN spanning the two 8259 ports reads IRR and IMR", () => {
    const core = helloVm();
    outPort(core, 0x21, 0xa5);
    assert.equal(inPort(core, 0x20, 2), 0xa500n);
  });
});
