import { strict as assert } from "node:assert";
import { helloVm, inPort, outPort, RESULT } from "./harness";

describe("debug-exit", () => {
  for (const [size, value] of [[1, 0x2a], [2, 0x1234], [4, 0xdeadbeef]] as const) {
    it(`an OUT of ${size} byte(s) ends the VM with EXIT ${value.toString(16)}`, () => {
      const core = helloVm();
      core.set("rip", 0x1000);
      assert.equal(outPort(core, 0xf4, 0xffff_ffff_0000_0000n | BigInt(value), size), 1);
      assert.deepEqual(core.result, { kind: RESULT.EXIT, value: BigInt(value) });
      assert.equal(core.output, `[hello] ended: exit ${value}\n`);
      assert.equal(core.get("rip"), 0x1000n);
    });
  }

  it("exit 0", () => {
    const core = helloVm();
    assert.equal(outPort(core, 0xf4, 0), 1);
    assert.deepEqual(core.result, { kind: RESULT.EXIT, value: 0n });
  });

  it("IN reads all ones", () => {
    const core = helloVm();
    assert.equal(inPort(core, 0xf4, 1, 0x1200n), 0x12ffn);
    assert.equal(inPort(core, 0xf4, 4), 0xffffffffn);
    assert.equal(core.result.kind, RESULT.RUNNING);
  });

  it("flushes a pending guest line before the end", () => {
    const core = helloVm();
    for (const b of Buffer.from("no newline")) outPort(core, 0x3f8, b);
    outPort(core, 0xf4, 3);
    assert.deepEqual(core.lines, ["[hello] no newline", "[hello] ended: exit 3"]);
  });
});
