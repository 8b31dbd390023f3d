// The firmware-driver form (blue-pill), end to end, as `npx wisp bluepill` runs it (build/bluepill.ts):
// out/wisp-driver.efi on an ESP with Debian's kernel (EFI stub), an initramfs holding wisp-probe and
// a startup.nsh for OVMF's UEFI Shell; QEMU -cpu EPYC (SVM + nested paging under TCG), 2 CPUs.
// The driver is loaded by the Shell's `load` (shell-load), or by the firmware's boot manager from a
// Driver#### entry that a first boot adds with `bcfg driver add` before it resets (driver-order).
// Then the firmware boots Linux, which runs as wisp's guest: the probe must find wisp's CPUID
// signature on both CPUs and fail to change wisp's canary through /dev/mem.
// And without the driver the same boot must fail the probe (the check can fail).
import { strict as assert } from "node:assert";
import { bluepillBoot, BluepillRun, PROBE_DONE_MARKER, RESTART_MARKER, USER_SPACE_MARKER } from "../../build/bluepill";
import { INSTALL_MARKER, KERNEL_MARKER } from "../../image/bluepill";
import { built } from "./boot";

const DRIVER = "out/wisp-driver.efi";
const IMAGES = "out/test-images/bluepill";
const CPUS = 2;
/** Linux under TCG with nested paging is slow; driver-order boots the firmware twice. */
const BLUEPILL_TIMEOUT_MS = 8 * 60_000;

/** The command line and the console's last 60 lines, for assertion messages. */
function tail(r: BluepillRun): string {
  const lines = r.output.split(/\r?\n/);
  return `\n--- ${r.command}\n--- kernel command line: ${r.cmdline}\n--- QEMU status ${r.status}` +
    `${r.timedOut ? " (timed out)" : ""}${r.stoppedByMatch ? " (stopped: the machine reset a second time)" : ""}` +
    `\n--- last 60 of ${lines.length} console lines:\n${lines.slice(-60).join("\n")}` +
    (r.stderr.trim() ? `\n--- stderr (last 10 lines)\n${r.stderr.trim().split("\n").slice(-10).join("\n")}` : "");
}

function lines(r: BluepillRun): string[] {
  return r.output.split(/\r?\n/).map((l) => l.trimEnd());
}

function hasLine(r: BluepillRun, re: RegExp, what: string): RegExpExecArray {
  for (const l of lines(r)) {
    const m = re.exec(l);
    if (m) return m;
  }
  assert.fail(`${what}: no console line matches ${re}${tail(r)}`);
}

function poweredOff(r: BluepillRun): void {
  hasLine(r, new RegExp(`^${PROBE_DONE_MARKER} \\d+, powering off \\(uptime [0-9.]+ s\\)$`), "/init ran the probe to its end");
  hasLine(r, /reboot: Power down$/, "Linux powered the machine off");
  assert.equal(r.timedOut, false, `QEMU did not end by itself${tail(r)}`);
  assert.equal(r.stoppedByMatch, false, `the machine reset again instead of powering off${tail(r)}`);
  assert.equal(r.status, 0, `QEMU's exit status after the ACPI power-off${tail(r)}`);
}

describe("blue-pill: wisp-driver.efi under the firmware, Linux booted by the firmware as its guest", function () {
  for (const mode of ["shell-load", "driver-order"] as const) {
    describe(`${mode}, ${CPUS} CPUs`, function () {
      this.timeout(BLUEPILL_TIMEOUT_MS + 120_000);
      let r: BluepillRun;

      before(async function () {
        this.timeout(BLUEPILL_TIMEOUT_MS + 120_000);
        r = await bluepillBoot({ mode, smp: CPUS, driver: built(DRIVER), dir: IMAGES, timeoutMs: BLUEPILL_TIMEOUT_MS });
      });

      if (mode === "shell-load") {
        it("the UEFI Shell loads the driver and it returns success; a second load refuses and changes nothing", () => {
          hasLine(r, /^Image 'fs0:\\wisp\\wisp-driver\.efi' loaded at [0-9A-F]+ - Success$/i, "the Shell's `load`");
          hasLine(r, /^wisp: wisp already runs this machine; nothing to do$/, "the second load");
          assert.equal(lines(r).filter((l) => l.startsWith("wisp: blue-pill: the firmware runs as a guest")).length, 1, `one blue-pill${tail(r)}`);
        });
      } else {
        it("the first boot adds Driver0000 with bcfg and resets; the second has it in DriverOrder", () => {
          hasLine(r, /^bcfg: Add Driver0000 as 0$/, "bcfg driver add");
          hasLine(r, new RegExp(`^${INSTALL_MARKER}$`), "startup.nsh's first boot");
          hasLine(r, /^Option: 00\. Variable: Driver0000$/, "bcfg driver dump after the reset");
          hasLine(r, /^ {2}DevPath - .*\/\\wisp\\wisp-driver\.efi$/, "the Driver0000 entry's file");
          assert.equal(lines(r).filter((l) => /^BdsDxe: loading Boot/.test(l)).length, 2, `two firmware boots${tail(r)}`);
        });
      }

      it("the firmware then starts Linux (EFI stub) and it reaches user space with both CPUs", () => {
        hasLine(r, new RegExp(`^${KERNEL_MARKER}$`), "startup.nsh starting the kernel");
        hasLine(r, /^EFI stub: Loaded initrd from command line option$/, "the kernel's EFI stub");
        hasLine(r, new RegExp(`^${USER_SPACE_MARKER}: Linux \\S+, ${CPUS} CPUs online; /bin/wisp-probe ${CPUS}$`), "user space");
      });

      it("Linux takes CPU 1 offline and starts it again (INIT and STARTUP through wisp)", () => {
        hasLine(r, new RegExp(`^${RESTART_MARKER}: 0-${CPUS - 1}$`), "CPU 1 restarted");
      });

      it("the probe finds wisp on every CPU (CPU 1 after its restart) and cannot write wisp's memory", () => {
        for (let cpu = 0; cpu < CPUS; cpu++) {
          hasLine(r, new RegExp(`^wisp-probe: cpu ${cpu}: cpuid "wispwispwisp", canary 0x[0-9a-f]+ at 0x[0-9a-f]+: write 0x[0-9a-f]+ ignored \\(read back 0x[0-9a-f]+\\)$`), `the probe on cpu ${cpu}`);
        }
        hasLine(r, new RegExp(`^wisp-probe: PASS on ${CPUS} CPUs$`), "the probe's verdict");
        assert.ok(!lines(r).some((l) => l.startsWith("wisp-probe: FAIL")), `the probe failed${tail(r)}`);
      });

      it("Linux powers off and QEMU ends by itself with status 0", () => poweredOff(r));
    });
  }

  describe("without the driver (the same kernel and probe from the Shell)", function () {
    this.timeout(BLUEPILL_TIMEOUT_MS + 60_000);
    let r: BluepillRun;

    before(async function () {
      this.timeout(BLUEPILL_TIMEOUT_MS + 60_000);
      r = await bluepillBoot({ mode: "none", smp: CPUS, dir: IMAGES, timeoutMs: BLUEPILL_TIMEOUT_MS });
    });

    it("the probe reports FAIL: no wisp signature in CPUID", () => {
      hasLine(r, /^wisp-probe: cpu 0: cpuid "(?!wispwispwisp)[^"]*"$/, "the probe's line for cpu 0");
      hasLine(r, /^wisp-probe: FAIL: CPUID 0x40000000 does not say "wispwispwisp": wisp is not running under this OS$/, "the probe's verdict");
      hasLine(r, new RegExp(`^${PROBE_DONE_MARKER} 1, powering off \\(uptime [0-9.]+ s\\)$`), "the probe's exit status");
      assert.equal(r.passed, false, `the run counts as passed${tail(r)}`);
    });

    it("Linux powers off and QEMU ends by itself", () => poweredOff(r));
  });
});
