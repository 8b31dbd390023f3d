// Debian's kernel + the BusyBox initramfs (build/guest-cache.ts) under wisp.efi in QEMU + OVMF, the
// way `wisp run --kernel` boots it (one VM, on-end = mirror, console = raw). The test types commands
// into the guest's UART through QEMU's stdin and reads the answers on the console.
//
// Two boots: the first checks user space, the timer, interrupts and the date, and ends with
// `poweroff`; the second ends with `reboot`. Both must end QEMU with status 0, as plain QEMU with
// -no-reboot would.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { PassThrough } from "node:stream";
import { ensureLinuxGuest, LinuxGuest } from "../../build/guest-cache";
import { bootImage, BootResult } from "../../build/qemu";
import { abs } from "../../build/paths";
import { hostMemoryMiB, kernelRunImage, RUN_VM } from "../../build/run";
import { boot, built, imageWith, transcript } from "./boot";

const MEMORY_MIB = 256;
const BOOT_TIMEOUT_MS = 150_000;          // QEMU is killed after this
const SHELL_TIMEOUT_MS = 100_000;         // OVMF (~4 s) + wisp + Linux to the shell
const COMMAND_TIMEOUT_MS = 20_000;

/** One QEMU boot with a typing hand on the guest's console. */
class Session {
  output = "";
  private readonly input = new PassThrough();
  private waiters: (() => void)[] = [];
  private markers = 0;
  readonly ended: Promise<BootResult>;

  constructor(image: string) {
    this.ended = bootImage({
      image, memoryMiB: hostMemoryMiB(MEMORY_MIB), timeoutMs: BOOT_TIMEOUT_MS,
      stdin: { stream: this.input, startWhen: (out) => out.includes(`wisp: VM ${RUN_VM}: starting`) },
      onOutput: (out) => { this.output = out; this.wake(); },
    });
    this.ended.then(() => this.wake(), () => this.wake());
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  type(line: string): void {
    this.input.write(`${line}\n`);
  }

  /** Console lines after character offset `from` (the raw console: the guest's own lines). */
  lines(from = 0): string[] {
    return this.output.slice(from).split("\n").map((l) => l.replace(/\r+$/, ""));
  }

  /** Waits until `done(output)` holds; fails after timeoutMs or if QEMU ends first. */
  async until(what: string, done: (output: string) => boolean, timeoutMs: number, retype?: () => void): Promise<void> {
    const start = Date.now();
    let qemuEnded = false;
    this.ended.then(() => { qemuEnded = true; }, () => { qemuEnded = true; });
    let lastType = 0;
    while (!done(this.output)) {
      if (qemuEnded) assert.fail(`QEMU ended while waiting for ${what}${transcript(await this.ended)}`);
      if (Date.now() - start > timeoutMs) assert.fail(`no ${what} after ${timeoutMs / 1000} s:\n${this.output.slice(-3000)}`);
      if (retype && Date.now() - lastType > 3000) { retype(); lastType = Date.now(); }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 500);
        this.waiters.push(() => { clearTimeout(t); resolve(); });
      });
    }
  }

  /** Waits for the BusyBox shell: types an arithmetic echo until its answer appears. */
  async shell(): Promise<void> {
    await this.until("shell", (out) => /^SHELL-42\r*$/m.test(out), SHELL_TIMEOUT_MS,
      () => this.type("echo SHELL-$((6*7))"));
  }

  /**
   * Runs `command` in the guest's shell and returns its output lines: those after the echoed
   * command line and before a marker the shell computes (so the echo cannot match it).
   */
  async run(command: string, timeoutMs = COMMAND_TIMEOUT_MS): Promise<string[]> {
    const n = ++this.markers;
    const from = this.output.length;
    const marker = `DONE-${1000 + n}`;
    this.type(`${command}; echo DONE-$((1000+${n}))`);
    await this.until(`the end of \`${command}\``, (out) => this.lines(from).includes(marker), timeoutMs);
    const lines = this.lines(from);
    const echoed = lines.findIndex((l) => l.includes(`echo DONE-$((1000+${n}))`));
    return lines.slice(echoed + 1, lines.indexOf(marker));
  }
}

describe("Linux (Debian's kernel, BusyBox initramfs) under wisp", function () {
  this.timeout(BOOT_TIMEOUT_MS + 60_000);
  let guest: LinuxGuest;
  let image: string;

  before(async function () {
    this.timeout(300_000);                  // the first run fetches two Debian packages
    guest = await ensureLinuxGuest();
    image = await kernelRunImage({ kernel: guest.kernel, initrd: guest.initrd, append: "console=ttyS0", memoryMiB: MEMORY_MIB },
      built("out/wisp.efi"), abs(path.join("out/test-images", "linux")));
  });

  describe("first boot: user space, then poweroff", function () {
    let s: Session;
    let result: BootResult;
    let interruptsBefore: string[] = [];

    before(async function () {
      this.timeout(BOOT_TIMEOUT_MS);
      s = new Session(image);
      await s.shell();
    });

    it("reaches the BusyBox shell, and uname names Debian's kernel", async () => {
      const out = await s.run("uname -a");
      assert.ok(out.some((l) => /^Linux \S+ 6\.\d+\.\d+-\d+-amd64 .*Debian.* x86_64/.test(l)), `uname -a said:\n${out.join("\n")}`);
      interruptsBefore = await s.run("cat /proc/interrupts");
    });

    it("`sleep 1` returns after about a second (the timer works)", async () => {
      const start = Date.now();
      const out = await s.run("sleep 1 && echo SLEPT");
      const ms = Date.now() - start;
      assert.deepEqual(out, ["SLEPT"]);
      assert.ok(ms >= 900, `sleep 1 returned after ${ms} ms`);
    });

    it("/proc/interrupts: the timer and the serial port count", async () => {
      const after = await s.run("cat /proc/interrupts");
      const count = (lines: string[], re: RegExp): number => {
        const l = lines.find((x) => re.test(x));
        assert.ok(l, `no ${re} line in /proc/interrupts:\n${lines.join("\n")}`);
        return Number(/^\s*\S+:\s+(\d+)/.exec(l!)![1]);
      };
      // The periodic or one-shot tick arrives through the local APIC timer (LOC) or IRQ 0.
      const ticks = (lines: string[]): number => count(lines, /^\s*LOC:/) + (lines.some((x) => /\btimer\b/.test(x)) ? count(lines, /\btimer\b/) : 0);
      assert.ok(ticks(after) > ticks(interruptsBefore), `timer interrupts did not increase:\n${interruptsBefore.join("\n")}\n---\n${after.join("\n")}`);
      assert.ok(count(after, /ttyS0/) > count(interruptsBefore, /ttyS0/), `ttyS0 interrupts did not increase:\n${after.join("\n")}`);
    });

    it("the date is the host's (within five minutes)", async () => {
      const out = await s.run("date -u +%s");
      const guestSeconds = Number(out.find((l) => /^\d+$/.test(l)));
      const hostSeconds = Date.now() / 1000;
      assert.ok(Math.abs(guestSeconds - hostSeconds) < 300, `guest date ${out.join(" ")} vs host ${Math.round(hostSeconds)}`);
    });

    it("`poweroff` ends the VM and QEMU with status 0", async () => {
      s.type("poweroff");
      result = await s.ended;
      assert.equal(result.timedOut, false, `QEMU did not end${transcript(result)}`);
      assert.equal(result.status, 0, `QEMU exit status${transcript(result)}`);
      assert.ok(/^wisp: VM linux ended: poweroff\r?$/m.test(result.output), `no poweroff result${transcript(result)}`);
    });

    it("prints the VM's exit statistics", () => {
      assert.ok(/^wisp: VM linux exits: .*IO \d+.*INTERRUPT \d+/m.test(result.output), `no exit statistics${transcript(result)}`);
    });
  });

  describe("second boot: reboot", function () {
    it("`reboot` ends the VM and QEMU with status 0", async function () {
      this.timeout(BOOT_TIMEOUT_MS + 10_000);
      const s = new Session(image);
      await s.shell();
      s.type("reboot");
      const r = await s.ended;
      assert.equal(r.timedOut, false, `QEMU did not end${transcript(r)}`);
      assert.equal(r.status, 0, `QEMU exit status${transcript(r)}`);
      assert.ok(/^wisp: VM linux ended: reset\r?$/m.test(r.output), `no reset result${transcript(r)}`);
    });
  });
});

describe("on-end = mirror: a VM that wisp had to stop", function () {
  this.timeout(BOOT_TIMEOUT_MS);

  it("ends QEMU with status 253 ((0x7e << 1) | 1), not as a guest's own debug-exit", async () => {
    const config = abs("out/test-images/mirror-fault.cfg");
    fs.mkdirSync(path.dirname(config), { recursive: true });
    fs.writeFileSync(config, "[wisp]\non-end = mirror\n\n[vm unmapped]\nimage = unmapped.bin\nmemory = 2\nload = 0x1000\nmode = protected32\n");
    const r = await boot(await imageWith("mirror-fault", "out/wisp.efi", "out/test-images/mirror-fault.cfg"), "max");
    assert.equal(r.status, 253, `QEMU exit status${transcript(r)}`);
    assert.ok(r.lines.includes("wisp: VM unmapped ended: fault"), `no fault result${transcript(r)}`);
  });
});
