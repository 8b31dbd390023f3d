// Ctrl-C (SIGINT) and SIGTERM to `wisp run` while QEMU boots: wisp ends QEMU, removes what it had
// made for the run in the temporary folder (QEMU's copy of the OVMF variable store), and exits
// with 128 + the signal's number, saying so in one line.
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { built } from "./boot";

/** Processes whose command line mentions `text` (zombies have none). */
function processesMentioning(text: string): string[] {
  const found: string[] = [];
  for (const pid of fs.readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
    let cmdline = "";
    try { cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8"); } catch { continue; }
    if (cmdline.includes(text)) found.push(`${pid}: ${cmdline.replace(/\0/g, " ")}`);
  }
  return found;
}

async function interruptRun(signal: NodeJS.Signals): Promise<{ status: number | null; stderr: string; tmp: string }> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "wisp-interrupt-"));
  const kernel = built("out/guests/multiboot.elf");
  const child = spawn(process.execPath, [path.resolve("out/tools/wisp.js"), "run", "--kernel", kernel, "--timeout", "120"],
    { env: { ...process.env, TMPDIR: tmp }, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stdout.resume();
  const booting = new Promise<void>((resolve) => {
    child.stderr.on("data", (b: Buffer) => {
      stderr += b.toString();
      if (/^boot .* in QEMU/m.test(stderr)) resolve();
    });
  });
  const closed = new Promise<number | null>((resolve) => child.on("close", (status) => resolve(status)));
  await Promise.race([booting, closed]);
  await new Promise((r) => setTimeout(r, 1000));     // QEMU is running (OVMF takes seconds under TCG)
  assert.ok(processesMentioning(tmp).length > 0, `QEMU runs with its files under ${tmp}:\n${stderr}`);
  child.kill(signal);
  const status = await closed;
  return { status, stderr, tmp };
}

describe("wisp run interrupted: QEMU ended, temporary files removed, exit 128 + signal", function () {
  this.timeout(180_000);

  for (const [signal, status] of [["SIGINT", 130], ["SIGTERM", 143]] as [NodeJS.Signals, number][]) {
    it(`${signal}: exit status ${status}, one line, no QEMU left, nothing left in the temporary folder`, async () => {
      const r = await interruptRun(signal);
      try {
        assert.equal(r.status, status, r.stderr);
        assert.match(r.stderr, new RegExp(`\\nwisp: interrupted \\(${signal}\\)\\n$`), r.stderr);
        await new Promise((resolve) => setTimeout(resolve, 2000));    // QEMU's own SIGTERM handling
        assert.deepEqual(processesMentioning(r.tmp), [], "no process left that uses the run's files");
        assert.deepEqual(fs.readdirSync(r.tmp), [], "QEMU's temporary folder removed");
        assert.ok(!fs.readdirSync(path.resolve("out")).some((n) => n.startsWith(".run.tmp-")), "no half-made run folder");
      } finally {
        fs.rmSync(r.tmp, { recursive: true, force: true });
      }
    });
  }
});
