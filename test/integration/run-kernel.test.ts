// `wisp run --kernel` with Multiboot kernels, side by side with plain QEMU's -kernel: every kernel of
// test/guests/multiboot/ (README.md there): kernel.S in its four builds (ELF32, ELF64 converted to
// elf32-i386, a.out kludge, ELF32 linked at 0xc000, over wisp's default place for the boot
// information) with a module and a command line, given exactly as QEMU takes them, and the CPU
// model's kernels (MSRs, the TSC, NMIs), which also run under wisp on Intel VT-x (Bochs). Both must
// print the same and end with the same exit status. The memory map lines (mem_lower/mem_upper, mmap) are the machine's, wisp's VM against
// QEMU's q35, and are left out of the comparison.
//
// Where plain QEMU's TCG does not do what the CPU does, the check is listed below with what QEMU
// prints instead and why; the list is held to it (QEMU must still fail that check, or the entry
// goes), and such a line is compared with what the CPU does rather than with QEMU.
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { program } from "../../build/tools";
import { built } from "./boot";

const KERNELS = ["multiboot.elf", "multiboot64.elf", "multiboot-aout.bin", "multiboot-low.elf",
  "multiboot-msr.elf", "multiboot-tsc.elf", "multiboot-nmi.elf"];
/** The CPU model's kernels run under wisp on Intel VT-x too (Bochs corei7_skylake_x, the VMX backend). */
const BOCHS_KERNELS = ["multiboot-msr.elf", "multiboot-tsc.elf", "multiboot-nmi.elf"];

interface Deviation {
  check: string;
  /** What wisp prints: "ok" where wisp does what the CPU does, "FAIL" where wisp's own CPU is that same QEMU. */
  wisp: "ok" | "FAIL";
  why: string;
}
const QEMU_TCG_DEVIATIONS: Record<string, Deviation[]> = {
  "multiboot-tsc.elf": [
    { check: "write", wisp: "ok", why: "QEMU 7.2's TCG keeps a WRMSR to IA32_TSC for RDMSR but RDTSC ignores it (wisp's TSC offset goes to the SVM VMCB, which TCG honours)" },
    { check: "rdmsr", wisp: "ok", why: "so RDMSR IA32_TSC and RDTSC disagree under plain QEMU" },
  ],
};

/** The exit status a kernel's own lines announce: 1 for "all checks passed", else (code << 1) | 1 (isa-debug-exit). */
function announcedStatus(lines: string[]): number | undefined {
  if (lines.includes("all checks passed")) return 1;
  const m = lines.map((l) => /^checks failed, exit code 0x([0-9a-f]+)$/.exec(l)).find((x) => x);
  return m ? (parseInt(m[1], 16) << 1) | 1 : undefined;
}
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
  this.timeout(TIMEOUT_MS * (KERNELS.length + BOCHS_KERNELS.length));
  let dir: string;
  const results = new Map<string, { wisp: Run; bochs?: Run; qemu: Run }>();

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
      const args = [tool, "run", "--kernel", k, "--initrd", INITRD, "--append", APPEND,
        "--memory", String(MEMORY_MIB), "--timeout", String(TIMEOUT_MS / 1000 - 10)];
      const wisp = await runProgram(process.execPath, args, dir);
      const bochs = BOCHS_KERNELS.includes(k) ? await runProgram(process.execPath, [...args, "--emulator", "bochs"], dir) : undefined;
      results.set(k, { wisp, bochs, qemu: await plain });
    }
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const k of KERNELS) {
    it(`${k}: the same lines and exit status as under plain QEMU`, () => {
      const r = results.get(k)!;
      sameAsQemu(k, r.wisp, r.qemu);
    });
  }
  for (const k of BOCHS_KERNELS) {
    it(`${k} under Intel VT-x (Bochs): the same lines and exit status as under plain QEMU`, () => {
      const r = results.get(k)!;
      sameAsQemu(k, r.bochs!, r.qemu);
    });
  }
});

/** What wisp's run printed (between its VM's start and end) and its exit status, against plain QEMU's. */
function sameAsQemu(k: string, wisp: Run, qemu: Run): void {
  const transcript = `\n--- ${wisp.command}\n${wisp.output}\n--- ${qemu.command}\n${qemu.output}`;
  const deviations = QEMU_TCG_DEVIATIONS[k] ?? [];
  let expected = kernelLines(qemu.output, false);
  for (const d of deviations) {
    assert.ok(expected.includes(`FAIL ${d.check}`), `plain QEMU passes "${d.check}" now (${d.why}): drop the entry${transcript}`);
    expected = expected.map((l) => (l === `FAIL ${d.check}` && d.wisp === "ok" ? `${d.check} ok` : l));
  }
  const got = kernelLines(wisp.output, true);
  const summary = /^(all checks passed|checks failed, exit code 0x[0-9a-f]+)$/;
  let status = qemu.status;
  if (deviations.some((d) => d.wisp === "ok")) {
    // The summary and the exit status then follow wisp's own checks: all passed, or the first failed.
    const failed = got.some((l) => l.startsWith("FAIL "));
    assert.ok(got.includes("all checks passed") === !failed, `wisp's summary${transcript}`);
    status = announcedStatus(got) ?? -1;
    expected = expected.filter((l) => !summary.test(l));
    assert.deepEqual(got.filter((l) => !summary.test(l)), expected, transcript);
  } else {
    if (deviations.length === 0) assert.ok(expected.includes("all checks passed"), `plain QEMU: the kernel's checks${transcript}`);
    assert.deepEqual(got, expected, transcript);
  }
  assert.equal(wisp.status, status, `exit status${transcript}`);
}
