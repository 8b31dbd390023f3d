// The test guests (test/guests/*.S, configuration test/guests/wisp.cfg) under wisp-test.efi in
// QEMU + OVMF (AMD SVM), on two CPU models. One boot per model; the checks of its console are
// shared with the Bochs runs (guest-checks.ts).
import { Boot, boot, HOOK_TIMEOUT_MS, imageWith } from "./boot";
import { guestChecks } from "./guest-checks";

let image: Promise<string> | undefined;

for (const cpu of ["max", "EPYC"]) {
  describe(`test guests under -cpu ${cpu}`, function () {
    this.timeout(HOOK_TIMEOUT_MS);
    let b: Boot;

    before(async function () {
      this.timeout(HOOK_TIMEOUT_MS);
      image ??= imageWith("test-guests", "out/wisp-test.efi", "test/guests/wisp.cfg");
      b = await boot(await image, cpu);
    });

    guestChecks(() => b, "QEMU");
  });
}
