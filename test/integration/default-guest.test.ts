// wisp.efi on an image without a configuration: the built-in default configuration and guest
// (boot/default.cfg, boot/default-guest.S), as `npm start` boots it. And the refusal on CPUs
// without what wisp needs.
import { strict as assert } from "node:assert";
import { Boot, boot, HOOK_TIMEOUT_MS, imageWith, lineIndex, matchLine, transcript } from "./boot";

let image: Promise<string> | undefined;
function defaultImage(): Promise<string> {
  image ??= imageWith("default", "out/wisp.efi");
  return image;
}

describe("the default guest (no configuration on the volume)", function () {
  this.timeout(HOOK_TIMEOUT_MS);
  let b: Boot;

  before(async function () {
    this.timeout(HOOK_TIMEOUT_MS);
    b = await boot(await defaultImage(), "max");
  });

  it("takes the built-in configuration", () => {
    matchLine(b, /^wisp: no \\wisp\\wisp\.cfg; using the built-in configuration/);
  });

  it("greets, shows what it found and says hello", () => {
    const greeting = lineIndex(b, "[hello] Hi! This is wisp's default guest, now running in 64-bit long mode.");
    const signature = lineIndex(b, '[hello] The hypervisor\'s CPUID signature is "wispwispwisp"', greeting);
    const version = matchLine(b, /^\[hello\] Its hypercall ABI version is (\d+)\.(\d+)$/);
    assert.ok(Number(version[1]) >= 1, "major version");
    lineIndex(b, "[hello] Hello from a wisp guest", signature);
  });

  it("ends with exit 0, as its configuration expects, and QEMU with status 1", () => {
    lineIndex(b, "wisp: VM hello ended: exit 0");
    matchLine(b, /^wisp: 1 VMs?, 1 as expected$/);
    assert.equal(b.timedOut, false, `QEMU did not end${transcript(b)}`);
    assert.equal(b.status, 1, `QEMU exit status${transcript(b)}`);
  });
});

// qemu64 under TCG has SVM but no nested paging; with -svm it has neither. wisp must say so in
// one clear line and give control back to the firmware: no VM starts, nothing crashes.
const REFUSAL = /^wisp: .*\b(SVM|nested paging)\b/;
// OVMF's boot manager reports the application's EFI_UNSUPPORTED and goes on to its shell.
const BACK_IN_FIRMWARE = /^BdsDxe: failed to start .*: Unsupported$/;
// Back in the firmware nothing ends QEMU (its shell waits): the boot is stopped once the console
// shows the refusal and then the firmware's line, or at the timeout if it never does.
const REFUSED_AND_RETURNED = /^wisp: .*\b(SVM|nested paging)\b[^]*^BdsDxe: failed to start .*: Unsupported\r?$/m;

for (const cpu of ["qemu64", "qemu64,-svm"]) {
  describe(`-cpu ${cpu}: refused with a clear message`, function () {
    this.timeout(HOOK_TIMEOUT_MS);
    let b: Boot;

    before(async function () {
      this.timeout(HOOK_TIMEOUT_MS);
      b = await boot(await defaultImage(), cpu, 25_000, REFUSED_AND_RETURNED);
    });

    it("prints why wisp cannot run", () => {
      matchLine(b, REFUSAL);
    });

    it("returns to the firmware: no VM starts, nothing crashes", () => {
      const refusal = b.lines.findIndex((l) => REFUSAL.test(l));
      assert.ok(refusal >= 0, transcript(b));
      const back = b.lines.findIndex((l, i) => i > refusal && BACK_IN_FIRMWARE.test(l));
      assert.ok(back > refusal, `the firmware did not get control back${transcript(b)}`);
      assert.deepEqual(b.lines.filter((l) => /^wisp: VM |^\[hello\]/.test(l)), [], transcript(b));
      assert.deepEqual(b.lines.filter((l) => /host exception|unguarded wasm trap|assertion failed/.test(l)), [],
        transcript(b));
    });
  });
}
