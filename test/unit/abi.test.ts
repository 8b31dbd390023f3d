// One ABI source (as-src/abi.ts): the generated header is what build/abi.ts makes of it, no other
// file defines one of its numbers again, docs/architecture.md's tables say the same numbers, and
// the core's module (read with binaryen) imports and exports exactly what it declares.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { abiConstants, abiHeaderText, ABI_HEADER } from "../../build/abi";
import * as abi from "../../as-src/abi";

const constants = abiConstants();
/** The names on the `// exports:` or `// imports:` line of as-src/abi.ts. */
function declared(which: "exports" | "imports"): string[] {
  const line = fs.readFileSync("as-src/abi.ts", "utf8").split("\n").find((l) => l.startsWith(`// ${which}: `));
  assert.ok(line, `as-src/abi.ts has a "// ${which}:" line`);
  return line.slice(`// ${which}: `.length).trim().split(/\s+/);
}

function filesUnder(dir: string, ext: RegExp): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p, ext));
    else if (ext.test(e.name)) out.push(p);
  }
  return out;
}

/** Rows of the markdown table that follows the heading `heading` in docs/architecture.md. */
function tableAfter(heading: string): string[][] {
  const text = fs.readFileSync("docs/architecture.md", "utf8");
  const at = text.indexOf(heading);
  assert.ok(at >= 0, `docs/architecture.md has "${heading}"`);
  const lines = text.slice(at).split("\n");
  const first = lines.findIndex((l) => l.startsWith("|"));
  const rows: string[][] = [];
  for (const l of lines.slice(first + 2)) {
    if (!l.startsWith("|")) break;
    rows.push(l.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim()));
  }
  return rows;
}

const prefixed = (prefix: string): Array<[string, number]> => [...constants].filter(([n]) => n.startsWith(prefix));

describe("the ABI source (as-src/abi.ts)", () => {
  it("out/gen/abi.h is what build/abi.ts makes of it, and the Node side reads the same numbers", () => {
    assert.equal(fs.readFileSync(ABI_HEADER, "utf8"), abiHeaderText(constants));
    for (const [name, value] of constants) assert.equal((abi as Record<string, unknown>)[name], value, name);
    assert.ok(constants.size > 80, `${constants.size} constants`);
  });

  it("no shim, guest or core file writes one of its numbers again", () => {
    const sources = [...filesUnder("c-shim", /\.[ch]$/), ...filesUnder("boot", /\.S$/), ...filesUnder("test", /\.(S|c)$/)];
    for (const f of sources) {
      for (const m of fs.readFileSync(f, "utf8").matchAll(/^\s*#\s*define\s+([A-Z][A-Z0-9_]*)\b/gm)) {
        assert.ok(!constants.has(m[1]), `${f} defines ${m[1]}, which out/gen/abi.h (from as-src/abi.ts) defines`);
      }
    }
    for (const f of filesUnder("as-src", /\.ts$/).filter((f) => path.basename(f) !== "abi.ts")) {
      for (const m of fs.readFileSync(f, "utf8").matchAll(/\bconst ([A-Z][A-Z0-9_]*)\s*:\s*u(?:32|64|size)\s*=\s*(0x[0-9a-f]+|\d+)\s*;/g)) {
        assert.ok(!constants.has(m[1]), `${f} gives ${m[1]} a number of its own (${m[2]}); import it from abi.ts`);
      }
    }
  });

  it("docs/architecture.md's exit reasons, vCPU area offsets, results and hypercalls are its numbers", () => {
    const reasons = tableAfter("### Neutral exit record").map((r) => [`EXIT_${r[1]}`, Number(r[0])]);
    assert.deepEqual(reasons, prefixed("EXIT_").filter(([n]) => n !== "EXIT_REASON_COUNT"));
    const results = tableAfter("### Results").map((r) => [`RESULT_${r[1]}`, Number(r[0])]);
    assert.deepEqual(results, prefixed("RESULT_"));
    const area = new Map(tableAfter("### vCPU state area").map((r) => [Number(r[0].split("..")[0]), r[1]]));
    const fields: Array<[string, string]> = [
      ["AREA_RAX", "rax"], ["AREA_RIP", "rip"], ["AREA_RFLAGS", "rflags"], ["AREA_NEXT_RIP", "nextRip"], ["AREA_CR0", "cr0"],
      ["AREA_CR2", "cr2"], ["AREA_CR3", "cr3"], ["AREA_CR4", "cr4"], ["AREA_EFER", "efer"], ["AREA_PAT", "pat"],
      ["AREA_MODE", "mode"], ["AREA_CPL", "cpl"], ["AREA_INJECT", "inject"], ["AREA_SEG_BASE", "segment bases"],
      ["AREA_INTERRUPTIBILITY", "interruptibility"], ["AREA_INTERRUPT_WINDOW", "interruptWindow"],
      ["AREA_TSC_OFFSET", "tscOffset"], ["AREA_TSC_AUX", "tscAux"], ["AREA_ENTRY_GDTR_BASE", "entry GDTR base"],
      ["AREA_ENTRY_GDTR_LIMIT", "entry GDTR limit"],
    ];
    for (const [name, field] of fields) {
      const offset = constants.get(name)!;
      assert.ok(area.get(offset)?.startsWith(field), `docs: the area's 0x${offset.toString(16)} is ${field} (${name}), not "${area.get(offset)}"`);
    }
    const hypercalls = tableAfter("## Hypercalls (VMMCALL)").map((r) => [`HC_${r[1]}`, Number(r[0])]);
    assert.deepEqual(hypercalls, prefixed("HC_"));
  });

  it("the core's module imports and exports exactly what it declares (read with binaryen)", async () => {
    const binaryen = (await import("binaryen")).default;
    for (const file of ["out/core.wasm", "out/core-test.wasm"]) {
      const mod = binaryen.readBinary(fs.readFileSync(file));
      const exports: string[] = [];
      for (let i = 0; i < mod.getNumExports(); i++) exports.push(binaryen.getExportInfo(mod.getExportByIndex(i)).name);
      assert.deepEqual(exports.sort(), declared("exports").sort(), `${file}: exports`);
      const imports = new Set(declared("imports"));
      for (let i = 0; i < mod.getNumFunctions(); i++) {
        const f = binaryen.getFunctionInfo(mod.getFunctionByIndex(i));
        if (!f.module) continue;                       // defined here, not imported
        assert.equal(f.module, "env", `${file}: ${f.module}.${f.base}`);
        assert.ok(imports.has(f.base ?? ""), `${file} imports ${f.base}, which as-src/abi.ts does not declare`);
      }
      mod.dispose();
    }
  });
});
