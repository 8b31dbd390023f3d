// The .wasm files themselves: the ABI's exports and imports, fixed memory, no floats, no table.

import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import { wasmModule, wasmPath, EXPORT_NAMES } from "./harness";

const IMPORTS = ["consoleWrite", "guestRead", "guestWrite", "hostCpuid", "hostTsc", "hostUnixTime", "imageSize", "imageRead", "imageLoad", "abort",
  "hostApicRead", "hostApicWrite", "hostStartupIpi", "hostCanary", "hostApicEnable"];

/** Opcodes of every instruction in the code section would need a decoder; the float value types
 * are enough: any f32/f64 local, parameter, result or global shows up as type byte 0x7d/0x7c in the
 * type, global or code sections, which the wabt text form lists. */
async function wat(file: string): Promise<string> {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const wabt = await require("wabt")();
  const m = wabt.readWasm(fs.readFileSync(file), { readDebugNames: false });
  return m.toText({});
}

for (const build of ["release", "test"] as const) {
  describe(`module (${build})`, () => {
    it("exports exactly the contract's list", () => {
      const exports = WebAssembly.Module.exports(wasmModule(build)).map((e) => e.name).sort();
      assert.deepEqual(exports, [...EXPORT_NAMES, "messageOffset", "messageLength"].filter((v, i, a) => a.indexOf(v) === i).sort());
    });

    it("imports only functions of module env from the contract", () => {
      for (const imp of WebAssembly.Module.imports(wasmModule(build))) {
        assert.equal(imp.module, "env");
        assert.equal(imp.kind, "function");
        assert.ok(IMPORTS.includes(imp.name), imp.name);
      }
    });

    it("has no floating point, no table, a fixed memory", async () => {
      const text = await wat(wasmPath(build));
      assert.doesNotMatch(text, /\bf(32|64)\b/);
      assert.doesNotMatch(text, /\(table\b/);
      assert.match(text, /\(memory \(;0;\) 2 2\)/, "2 pages (128 KiB), no growth");
      assert.doesNotMatch(text, /memory\.grow/);
      const trap = /i32\.const 32343|i64\.const 32343/.test(text);
      assert.equal(trap, build === "test", "TEST_TRAP (0x7e57) only in the test build");
    });
  });
}
