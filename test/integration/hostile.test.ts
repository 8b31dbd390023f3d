// The hostile-guest battery (test/guests/hostile/, configuration test/guests/hostile/wisp.cfg)
// under wisp-test.efi: QEMU + OVMF (AMD SVM, -cpu max: XSAVE with AVX), and Bochs + OVMF on Intel
// VT-x with XSAVE (corei7_skylake_x) and without it (corei5_arrandale_m520: the FXRSTOR path of
// the shim's reset). Every boot starts when the file's first hook runs, two at a time.
import { strict as assert } from "node:assert";
import { Boot, boot, BOOT_TIMEOUT_MS, imageWith, lineIndex, linesStarting, transcript } from "./boot";
import { BOCHS_BOOT_TIMEOUT_MS, bochsBoot, limited } from "./bochs-boot";

const CONFIG = "test/guests/hostile/wisp.cfg";
const VMS = ["clean-first", "dirty", "clean-after", "user-hypercall", "invd"];
/** Each guest's check names, as it prints them ("[vm] <check> ok"); see the header of each .S file. */
const STATE_CHECKS = [
  "x87 control, status and tags at reset", "x87 registers zero", "mxcsr at reset", "xmm0-7 zero", "xcr0 at reset",
  "cr2 zero", "dr0-3 zero", "dr6 and dr7 at reset",
];
const CHECKS: Record<string, string[]> = {
  "clean-first": STATE_CHECKS,
  "clean-after": STATE_CHECKS,
  "user-hypercall": ["vmmcall version from cpl 3", "vmmcall console_write from cpl 3 raises #ud",
    "invd from cpl 3 raises #gp", "vmmcall console_write from cpl 0"],
  invd: ["invd completes, memory kept", "invd exits to wisp"],
};
const SUITE_TIMEOUT_MS = Math.max(BOOT_TIMEOUT_MS, BOCHS_BOOT_TIMEOUT_MS) * 2;

const RUNS: { name: string; start: (image: string) => Promise<Boot> }[] = [
  { name: "QEMU -cpu max (AMD SVM)", start: (image) => boot(image, "max") },
  { name: "Bochs corei7_skylake_x (Intel VT-x, XSAVE)", start: (image) => bochsBoot(image, "corei7_skylake_x") },
  { name: "Bochs corei5_arrandale_m520 (Intel VT-x, no XSAVE)", start: (image) => bochsBoot(image, "corei5_arrandale_m520") },
];

let boots: Map<string, Promise<Boot>> | undefined;

function bootAll(): Map<string, Promise<Boot>> {
  if (boots) return boots;
  const qemuImage = imageWith("hostile", "out/wisp-test.efi", CONFIG);
  const bochsImage = imageWith("bochs-hostile", "out/wisp-test.efi", CONFIG);
  const slot = limited<Boot>(2);
  boots = new Map();
  for (const run of RUNS) {
    const image = run.name.startsWith("QEMU") ? qemuImage : bochsImage;
    const p = slot(async () => run.start(await image));
    p.catch(() => undefined);                   // reported by the suite that awaits it
    boots.set(run.name, p);
  }
  return boots;
}

for (const run of RUNS) {
  describe(`hostile guests under ${run.name}`, function () {
    this.timeout(SUITE_TIMEOUT_MS);
    let b: Boot;

    before(async function () {
      this.timeout(SUITE_TIMEOUT_MS);
      b = await bootAll().get(run.name)!;
    });

    it("every VM ends as expected, in order", () => {
      assert.equal(b.timedOut, false, `did not end${transcript(b)}`);
      lineIndex(b, `wisp: ${VMS.length} VMs, ${VMS.length} as expected`);
      assert.equal(b.status, 1, `exit status${transcript(b)}`);
      let at = 0;
      for (const vm of VMS) at = lineIndex(b, `wisp: VM ${vm} ended: exit 0`, at);
    });

    it("the dirty VM really left its state behind", () => {
      lineIndex(b, "[dirty] left XMM0-7, MXCSR, x87, XCR0, CR2, DR0-3, DR6 dirty");
    });

    for (const vm of ["clean-first", "clean-after", "user-hypercall", "invd"]) {
      it(`${vm}: every check passes`, () => {
        for (const check of CHECKS[vm]) lineIndex(b, `[${vm}] ${check} ok`);
        assert.deepEqual(linesStarting(b, `[${vm}] FAIL`), [], `failed checks${transcript(b)}`);
        lineIndex(b, `[${vm}] all checks passed`);
      });
    }

    it("a hypercall from CPL 3 does not print kernel memory; CPL 0 still may", () => {
      assert.deepEqual(b.lines.filter((l) => l.includes("kernel-only secret")), [], transcript(b));
      lineIndex(b, "[user-hypercall] ring 0 still writes through CONSOLE_WRITE");
    });

    it("counts the INVD exit (as WBINVD)", () => {
      assert.ok(b.lines.some((l) => /^wisp: VM invd exits: .*\bWBINVD 1\b/.test(l)), `WBINVD in the exit statistics${transcript(b)}`);
    });

    it("no host exception", () => {
      assert.deepEqual(b.lines.filter((l) => /host exception|unguarded wasm trap|assertion failed/.test(l)), [],
        transcript(b));
    });
  });
}
