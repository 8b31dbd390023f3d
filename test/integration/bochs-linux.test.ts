// Debian's kernel + the BusyBox initramfs (build/guest-cache.ts) under wisp.efi on Intel VT-x, in
// Bochs (corei7_skylake_x: EPT, unrestricted guest), configured as `wisp run --kernel` configures
// it (the QEMU test's configuration: one VM, on-end = mirror, raw console). One boot: once the
// shell waits, the runner types an arithmetic echo and `poweroff` into COM1 (build/bochs.ts,
// `input`). Bochs is slow (about 95 M guest instructions/s): the boot takes minutes, most of
// them the kernel decompressing itself and starting; the time is printed.
import { strict as assert } from "node:assert";
import * as path from "node:path";
import { PassThrough } from "node:stream";
import { bootBochs, BochsResult } from "../../build/bochs";
import { ensureLinuxGuest } from "../../build/guest-cache";
import { abs } from "../../build/paths";
import { hostMemoryMiB, kernelRunImage, linuxShellReady, RUN_VM } from "../../build/run";
import { built } from "./boot";

const CPU_MODEL = "corei7_skylake_x";
const MEMORY_MIB = 256;                          // as test/integration/linux.test.ts
const BOOT_TIMEOUT_MS = 420_000;                 // Bochs is stopped after this
const ENDED = new RegExp(`^wisp: VM ${RUN_VM} ended: [^\\n]*\\n`, "m");

function tail(r: BochsResult): string {
  return `\n--- console (tail)\n${r.output.slice(-4000)}\n--- Bochs\n${r.bochsOutput.slice(-1500)}\n${r.log}`;
}

describe(`Linux (Debian's kernel, BusyBox initramfs) under wisp on Intel VT-x, Bochs ${CPU_MODEL}`, function () {
  this.timeout(BOOT_TIMEOUT_MS + 60_000);
  let r: BochsResult;
  let seconds = 0;

  before(async function () {
    this.timeout(BOOT_TIMEOUT_MS + 300_000);     // the first run fetches two Debian packages
    const guest = await ensureLinuxGuest();
    const image = await kernelRunImage({ kernel: guest.kernel, initrd: guest.initrd, append: "console=ttyS0", memoryMiB: MEMORY_MIB },
      built("out/wisp.efi"), abs(path.join("out/test-images", "bochs-linux")));
    const input = new PassThrough();
    input.end("echo USER-$((6*7))\npoweroff\n");
    const start = Date.now();
    r = await bootBochs({
      image, cpuModel: CPU_MODEL, memoryMiB: hostMemoryMiB(MEMORY_MIB), timeoutMs: BOOT_TIMEOUT_MS, until: ENDED,
      input: { stream: input, startWhen: linuxShellReady(`wisp: VM ${RUN_VM}: starting`) },
    });
    seconds = Math.round((Date.now() - start) / 1000);
    console.log(`      (Bochs ${CPU_MODEL}: ${seconds} s from power-on to the end of the boot)`);
  });

  it("runs the VM on Intel VT-x", () => {
    assert.ok(/^wisp: Intel VT-x, host timer /m.test(r.output), `backend line${tail(r)}`);
  });

  it("starts the kernel's init from the initramfs", () => {
    assert.ok(/Run \/init as init process/.test(r.output), `no "Run /init"${tail(r)}`);
  });

  it("reaches user space: the BusyBox shell answers a typed command", () => {
    assert.ok(/^USER-42\r?$/m.test(r.output), `no shell answer after ${seconds} s${tail(r)}`);
  });

  it("`poweroff` ends the VM with a poweroff result", () => {
    assert.equal(r.ended, "exit", `Bochs was stopped after ${seconds} s${tail(r)}`);
    assert.ok(/^wisp: VM linux ended: poweroff\r?$/m.test(r.output), `no poweroff result${tail(r)}`);
  });
});
