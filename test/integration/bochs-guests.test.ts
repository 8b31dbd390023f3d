// The same wisp-test.efi and test guests as guests.test.ts, under Bochs: Intel VT-x on three CPU
// models (the oldest with EPT and unrestricted guest, corei5_arrandale_m520), AMD SVM with NRIP
// save (ryzen) and without (phenom_8650_toliman), and the refusal on CPUs that lack unrestricted
// guest (corei5_lynnfield_750) or EPT (core2_penryn_t9600). Every boot starts when the file's
// first hook runs, at most BOCHS_PARALLEL at a time; each suite waits for its own.
import { strict as assert } from "node:assert";
import { Boot, imageWith, lineIndex, transcript } from "./boot";
import { BOCHS_BOOT_TIMEOUT_MS, BOCHS_PARALLEL, bochsBoot, limited } from "./bochs-boot";
import { guestChecks } from "./guest-checks";

const VMX_MODELS = ["corei7_skylake_x", "tigerlake", "corei5_arrandale_m520"];
const SVM_MODELS = ["ryzen", "phenom_8650_toliman"];
const REFUSING_MODELS = ["corei5_lynnfield_750", "core2_penryn_t9600"];
const REFUSAL = "wisp: this CPU has no AMD SVM with nested paging and no Intel VT-x with EPT and unrestricted guest; nothing to do";
/** OVMF reports the application's return: wisp ended cleanly, with EFI_UNSUPPORTED. */
const BACK_IN_FIRMWARE = /BdsDxe: failed to start Boot0001 [^\n]*: Unsupported\r?\n/;
/** A suite may wait for every boot before its own. */
const SUITE_TIMEOUT_MS = BOCHS_BOOT_TIMEOUT_MS * 4;

let boots: Map<string, Promise<Boot>> | undefined;

function bootAll(): Map<string, Promise<Boot>> {
  if (boots) return boots;
  const image = imageWith("bochs-test-guests", "out/wisp-test.efi", "test/guests/wisp.cfg");
  const slot = limited<Boot>(BOCHS_PARALLEL);
  boots = new Map();
  for (const model of [...VMX_MODELS, ...SVM_MODELS, ...REFUSING_MODELS]) {
    const until = REFUSING_MODELS.includes(model) ? BACK_IN_FIRMWARE : undefined;
    const p = slot(async () => bochsBoot(await image, model, until));
    p.catch(() => undefined);                   // reported by the suite that awaits it
    boots.set(model, p);
  }
  return boots;
}

for (const [backend, models] of [["Intel VT-x", VMX_MODELS], ["AMD SVM", SVM_MODELS]] as const) {
  for (const model of models) {
    describe(`test guests under Bochs, cpu model ${model} (${backend})`, function () {
      this.timeout(SUITE_TIMEOUT_MS);
      let b: Boot;

      before(async function () {
        this.timeout(SUITE_TIMEOUT_MS);
        b = await bootAll().get(model)!;
      });

      it(`runs the VMs on ${backend}`, () => {
        lineIndex(b, "wisp 0.1.0");
        assert.ok(b.lines.some((l) => l.startsWith(`wisp: ${backend}, host timer `)), `backend line${transcript(b)}`);
      });

      guestChecks(() => b, "Bochs");
    });
  }
}

for (const model of REFUSING_MODELS) {
  describe(`refusal under Bochs, cpu model ${model}`, function () {
    this.timeout(SUITE_TIMEOUT_MS);
    let b: Boot;

    before(async function () {
      this.timeout(SUITE_TIMEOUT_MS);
      b = await bootAll().get(model)!;
    });

    it("prints the one clear message and returns to the firmware", () => {
      assert.equal(b.timedOut, false, `wisp did not return to the firmware${transcript(b)}`);
      const at = lineIndex(b, REFUSAL);
      assert.equal(b.lines[at - 1], "wisp 0.1.0", "the message follows the banner directly");
      assert.ok(b.lines.slice(at + 1).some((l) => BACK_IN_FIRMWARE.test(`${l}\n`)), `firmware line${transcript(b)}`);
    });

    it("starts no VM and takes nothing over", () => {
      assert.deepEqual(b.lines.filter((l) => /^wisp: (VM |Intel|AMD)|host exception|halting/.test(l)), [], transcript(b));
    });
  });
}
