// The freestanding wasm2c runtime (c-shim/runtime/) built for the host: its memory, table and data
// handling with one of each trap, and trap recovery through the real core's TEST_TRAP hypercall
// (test/bench/host/: the same runtime objects as in wisp.efi, with a Linux target).
import * as assert from "node:assert";
import { runRuntimeCheck, runTrapCheck } from "../bench/host/callgrind";

const root = process.env.WISP_ROOT ?? process.cwd();

describe("wasm runtime (host build)", function () {
  this.timeout(180_000);

  it("grows memory, calls through a table, and reports every kind of trap", async () => {
    const r = await runRuntimeCheck({ root });
    assert.ok(r.ok, r.output);
  });

  it("an out-of-bounds access in the test core returns to the caller as a trap; a fresh instance then works", async () => {
    const r = await runTrapCheck({ root, coreC: "out/gen/test/core.c", coreH: "out/gen/test/core.h" });
    assert.ok(r.ok, r.output);
    assert.equal(r.trapCode, 1);
    assert.equal(r.trapName, "out of bounds memory access");
  });

  it("the release core has no TEST_TRAP: the same call does not trap", async () => {
    const r = await runTrapCheck({ root, coreC: "out/gen/release/core.c", coreH: "out/gen/release/core.h" });
    assert.equal(r.ok, false, r.output);
  });
});
