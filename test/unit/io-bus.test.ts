import { strict as assert } from "node:assert";
import { helloVm, inPort, outPort, ioQualification, REASON, RESULT } from "./harness";

describe("io-bus", () => {
  it("unhandled ports: IN all ones (sized), OUT ignored, reported once per port", () => {
    const core = helloVm();
    assert.equal(inPort(core, 0x61, 1, 0x1234_5678_9abc_def0n), 0x1234_5678_9abc_deffn, "8-bit keeps the rest");
    assert.equal(inPort(core, 0x61, 2, 0x1234_5678_9abc_def0n), 0x1234_5678_9abc_ffffn, "16-bit keeps the rest");
    assert.equal(inPort(core, 0x61, 4, 0x1234_5678_9abc_def0n), 0xffff_ffffn, "32-bit zero-extends");
    outPort(core, 0x61, 0x55);
    outPort(core, 0x70, 0x8f);
    outPort(core, 0x70, 0x0f);
    assert.deepEqual(core.lines, [
      "[hello] unhandled port 0x61 (in), ignored",
      "[hello] unhandled port 0x70 (out), ignored",
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
});
