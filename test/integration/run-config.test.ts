// `wisp run --config` as a user runs it: a configuration without debug-exit (on-end = halt) and a
// VM of 512 MiB. wisp run gives QEMU the memory the VMs need (256 MiB before: "not enough firmware
// memory") and returns once wisp halts (it hung until --timeout before), with the status
// debug-exit would have given: (VMs not as expected << 1) | 1.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { built } from "./boot";

const CONFIG = "[vm big]\nimage = halt.bin\nmemory = 512\nload = 0x1000\nentry = 0x1000\nmode = protected32\nexpect = halt\n";
const TIMEOUT_S = 150;

describe("wisp run --config: the machine's memory from the config, and the run ends when wisp halts", function () {
  this.timeout((TIMEOUT_S + 60) * 1000);
  let dir: string;
  let r: { status: number | null; output: string };

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "wisp-run-config-"));
    fs.writeFileSync(path.join(dir, "my.cfg"), CONFIG);
    fs.copyFileSync(built("out/guests/halt.bin"), path.join(dir, "halt.bin"));
    const p = spawnSync(process.execPath, [path.resolve("out/tools/wisp.js"), "run", "--config", "my.cfg", "--timeout", String(TIMEOUT_S)],
      { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    r = { status: p.status, output: `${p.stdout}${p.stderr}`.replace(/\r/g, "") };
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("the 512 MiB VM starts and ends as expected", () => {
    assert.match(r.output, /^wisp: VM big: halt \(expected halt\) ok$/m, r.output);
    assert.match(r.output, /^wisp: 1 VMs, 1 as expected$/m, r.output);
  });

  it("returns after wisp halts, not at the timeout, with status 1 (all as expected)", () => {
    assert.match(r.output, /^wisp: all VMs ended; halting$/m, r.output);
    assert.equal(r.status, 1, r.output);
  });
});
