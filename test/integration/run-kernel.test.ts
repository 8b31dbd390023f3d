// `wisp run --kernel` with Multiboot kernels, side by side with plain QEMU's -kernel: the test kernel
// of test/guests/multiboot/ in its four builds (ELF32, ELF64 converted to elf32-i386, a.out kludge,
// ELF32 linked at 0xc000, over wisp's default place for the boot information)
// with a module and a command line, given exactly as QEMU takes them. Both must print the same
// and end with the same exit status. The memory map lines (mem_lower/mem_upper, mmap) are the
// machine's, wisp's VM against QEMU's q35, and are left out of the comparison.
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { program } from "../../build/tools";
import { built } from "./boot";

const KERNELS = ["multiboot.elf", "multiboot64.elf", "multiboot-aout.bin", "multiboot-low.elf"];
const MODULE = "multiboot-module.txt";
const INITRD = `${MODULE} greeting`;
const APPEND = "wisp-test answer=42";
const MEMORY_MIB = 16;
const TIMEOUT_MS = 150_000;

interface Run { status: number | null; output: string; command: string }

function runProgram(cmd: string, args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (b: Buffer) => { output += b.toString("latin1"); });
    child.stderr.on("data", (b: Buffer) => { output += b.toString("latin1"); });
    const timer = setTimeout(() => child.kill("SIGKILL"), TIMEOUT_MS);
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, output: output.replace(/\r/g, ""), command: [cmd, ...args].join(" ") });
    });
  });
}

/** The kernel's own lines: under wisp, those between the VM's start and its end, without wisp's. */
function kernelLines(output: string, underWisp: boolean): string[] {
  let lines = output.split("\n");
  if (underWisp) {
    const start = lines.indexOf("wisp: VM linux: starting");
    const end = lines.findIndex((l) => l.startsWith("[linux] ended"));
    assert.ok(start >= 0 && end > start, `no VM start and end in wisp's output:\n${output}`);
    lines = lines.slice(start + 1, end).filter((l) => !l.startsWith("[linux] "));
  }
  return lines.filter((l) => l !== "" && !/^(mem_lower |mmap [0-9a-f])/.test(l));
}

describe("wisp run --kernel with Multiboot kernels, against plain QEMU -kernel", function () {
  this.timeout(TIMEOUT_MS * 4);
  let dir: string;
  const results = new Map<string, { wisp: Run; qemu: Run }>();

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "wisp-run-kernel-"));
    for (const k of KERNELS) fs.copyFileSync(built(`out/guests/${k}`), path.join(dir, k));
    fs.copyFileSync(path.resolve("test/guests/multiboot", MODULE), path.join(dir, MODULE));
    const qemu = program("qemu-system-x86_64");
    const tool = path.resolve("out/tools/wisp.js");
    // Plain QEMU runs beside each wisp run; the wisp runs one after another (they share out/run/).
    for (const k of KERNELS) {
      const plain = runProgram(qemu, ["-machine", "q35", "-accel", "tcg", "-cpu", "max", "-m", String(MEMORY_MIB), "-nodefaults",
        "-display", "none", "-serial", "stdio", "-no-reboot", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
        "-kernel", k, "-initrd", INITRD, "-append", APPEND], dir);
      const wisp = await runProgram(process.execPath, [tool, "run", "--kernel", k, "--initrd", INITRD, "--append", APPEND,
        "--memory", String(MEMORY_MIB), "--timeout", String(TIMEOUT_MS / 1000 - 10)], dir);
      results.set(k, { wisp, qemu: await plain });
    }
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const k of KERNELS) {
    it(`${k}: the same lines and exit status as under plain QEMU`, () => {
      const r = results.get(k)!;
      const transcript = `\n--- ${r.wisp.command}\n${r.wisp.output}\n--- ${r.qemu.command}\n${r.qemu.output}`;
      assert.ok(kernelLines(r.qemu.output, false).includes("all checks passed"), `plain QEMU: the kernel's checks${transcript}`);
      assert.deepEqual(kernelLines(r.wisp.output, true), kernelLines(r.qemu.output, false), transcript);
      assert.equal(r.wisp.status, r.qemu.status, `exit status${transcript}`);
    });
  }
});
