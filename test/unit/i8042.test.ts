import { strict as assert } from "node:assert";
import { deviceVm, inPort, outPort, RESULT } from "./harness";

describe("i8042", () => {
  it("self-test 0xAA answers 0x55 and sets the system flag", () => {
    const core = deviceVm();
    assert.equal(inPort(core, 0x64) & 0x03n, 0n, "output and input buffers empty");
    outPort(core, 0x64, 0xaa);
    assert.equal(inPort(core, 0x64) & 0x05n, 0x05n, "OBF, SYS");
    assert.equal(inPort(core, 0x60), 0x55n);
    assert.equal(inPort(core, 0x64) & 0x01n, 0n);
  });

  it("reads and writes the command byte (0x20 / 0x60)", () => {
    const core = deviceVm();
    outPort(core, 0x64, 0x20);
    assert.equal(inPort(core, 0x60), 0x45n);
    outPort(core, 0x64, 0x60);
    outPort(core, 0x60, 0x74);
    outPort(core, 0x64, 0x20);
    assert.equal(inPort(core, 0x60), 0x74n);
  });

  it("keyboard commands: reset answers ACK and BAT OK, identify the MF2 ID", () => {
    const core = deviceVm();
    outPort(core, 0x60, 0xff);
    assert.equal(inPort(core, 0x60), 0xfan);
    assert.equal(inPort(core, 0x60), 0xaan);
    outPort(core, 0x60, 0xf2);
    assert.deepEqual([inPort(core, 0x60), inPort(core, 0x60), inPort(core, 0x60)], [0xfan, 0xabn, 0x83n]);
    outPort(core, 0x64, 0xd3);                // write to the aux output buffer: loops back as aux
    outPort(core, 0x60, 0x5a);
    assert.equal(inPort(core, 0x64) & 0x21n, 0x21n, "OBF from aux");
    assert.equal(inPort(core, 0x60), 0x5an);
  });

  it("command 0xFE pulses the reset line: the VM ends with RESET", () => {
    const core = deviceVm();
    assert.equal(outPort(core, 0x64, 0xfe), 1, "handleExit reports the VM ended");
    assert.equal(core.result.kind, RESULT.RESET);
    assert.match(core.output, /\[hello\] ended: reset\n/);
  });

  it("writing the output port with bit 0 clear also resets; 0xFF pulses nothing", () => {
    const core = deviceVm();
    assert.equal(outPort(core, 0x64, 0xff), 0);
    outPort(core, 0x64, 0xd1);
    assert.equal(outPort(core, 0x60, 0xfe), 1);
    assert.equal(core.result.kind, RESULT.RESET);
  });
});
