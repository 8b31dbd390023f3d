// The hostile-guest battery (test/guests/hostile/, configurations wisp.cfg and battery*.cfg there)
// under wisp-test.efi: QEMU + OVMF (AMD SVM, -cpu max: XSAVE with AVX), and Bochs + OVMF on Intel
// VT-x with XSAVE (corei7_skylake_x) and, for wisp.cfg, without it (corei5_arrandale_m520: the
// FXRSTOR path of the shim's reset). Every boot starts when the file's first hook runs, two at a time.
import { strict as assert } from "node:assert";
import * as path from "node:path";
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

/** battery.cfg and battery2.cfg: each case with the result it must end with; the sentinel VM after-<case> follows each. */
const BATTERIES: Record<string, Array<[string, string]>> = {
  "battery.cfg": [
    ["outside-ram", "fault"], ["fetch-outside", "fault"], ["reset-port", "reset"], ["host-io", "exit 0"],
    ["virt-insns", "exit 0"], ["control-state", "exit 0"], ["hypercall-junk", "exit 0"], ["triple-fault", "shutdown"],
  ],
  "battery2.cfg": [["ipi-storm", "exit 0"], ["nmi-storm", "exit 0"], ["halt-forever", "halt"], ["mmio-decoder", "exit 0"]],
  "battery3.cfg": [["x2apic-msrs", "exit 0"], ["spec-ctrl", "exit 0"], ["pt-outside", "fault"], ["debug-regs", "exit 0"],
    ["ipi-coalesce", "exit 0"], ["pit-storm", "exit 0"], ["init-ipi", "exit 0"]],
};
const SENTINEL_CHECKS = ["memory scrubbed", "hypervisor serves", "tsc starts at 0", "console write"];
const BATTERY_CHECKS: Record<string, string[]> = {
  "host-io": ["pci scan of bus 0"],
  "virt-insns": ["svm instructions raise #ud", "vmx instructions raise #ud", "efer.svme cannot be set",
    "vm_hsave_pa, vm_cr and feature_control do not exist"],
  "control-state": ["efer reserved bit raises #gp", "invalid xcr0 raises #gp", "msr sweep"],
  "hypercall-junk": ["unknown hypercall numbers", "console_write with bad arguments", "exit_stats past the statistics"],
  "ipi-storm": ["5000 self-ipis delivered"],
  "nmi-storm": ["2000 self-nmis delivered"],
  "mmio-decoder": ["es override", "16-bit load", "lock or", "xchg", "lock mov raises #ud", "instruction across a page"],
  "x2apic-msrs": ["x2apic msrs raise #gp in xapic mode", "x2apic icr and eoi writes raise #gp", "i/o to nothing"],
  "spec-ctrl": ["spec_ctrl exists exactly as cpuid says", "pred_cmd exists exactly as cpuid says"],
  "debug-regs": ["instruction breakpoint raises #db"],
  "ipi-coalesce": ["100 ipis while masked are one"],
  "pit-storm": ["pit interrupt storm"],
  "init-ipi": ["init and sipi reach no other cpu"],
};

const RUNS: { name: string; start: (image: string) => Promise<Boot> }[] = [
  { name: "QEMU -cpu max (AMD SVM)", start: (image) => boot(image, "max") },
  { name: "Bochs corei7_skylake_x (Intel VT-x, XSAVE)", start: (image) => bochsBoot(image, "corei7_skylake_x") },
  { name: "Bochs corei5_arrandale_m520 (Intel VT-x, no XSAVE)", start: (image) => bochsBoot(image, "corei5_arrandale_m520") },
];

const BATTERY_RUNS = RUNS.slice(0, 2);

let boots: Map<string, Promise<Boot>> | undefined;

function bootAll(): Map<string, Promise<Boot>> {
  if (boots) return boots;
  const qemuImage = imageWith("hostile", "out/wisp-test.efi", CONFIG);
  const bochsImage = imageWith("bochs-hostile", "out/wisp-test.efi", CONFIG);

  const slot = limited<Boot>(2);
  boots = new Map();
  const start = (key: string, run: (typeof RUNS)[number], image: Promise<string>): void => {
    const p = slot(async () => run.start(await image));
    p.catch(() => undefined);                   // reported by the suite that awaits it
    boots!.set(key, p);
  };
  for (const run of RUNS) start(run.name, run, run.name.startsWith("QEMU") ? qemuImage : bochsImage);
  for (const cfg of Object.keys(BATTERIES)) {
    const stem = path.basename(cfg, ".cfg");
    const qemu = imageWith(`hostile-${stem}`, "out/wisp-test.efi", `test/guests/hostile/${cfg}`);
    const bochs = imageWith(`bochs-hostile-${stem}`, "out/wisp-test.efi", `test/guests/hostile/${cfg}`);
    for (const run of BATTERY_RUNS) start(`${cfg} ${run.name}`, run, run.name.startsWith("QEMU") ? qemu : bochs);
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

for (const [cfg, battery] of Object.entries(BATTERIES)) for (const run of BATTERY_RUNS) {
  describe(`hostile battery (${cfg}) under ${run.name}`, function () {
    this.timeout(SUITE_TIMEOUT_MS * 3);
    let b: Boot;

    before(async function () {
      this.timeout(SUITE_TIMEOUT_MS * 3);
      b = await bootAll().get(`${cfg} ${run.name}`)!;
    });

    it("every case ends as it must, and every sentinel after it with exit 0, in order", () => {
      assert.equal(b.timedOut, false, `did not end${transcript(b)}`);
      let at = 0;
      for (const [vm, result] of battery) {
        at = lineIndex(b, `wisp: VM ${vm} ended: ${result}`, at);
        at = lineIndex(b, `wisp: VM after-${vm} ended: exit 0`, at);
      }
      lineIndex(b, `wisp: ${battery.length * 2} VMs, ${battery.length * 2} as expected`);
      assert.equal(b.status, 1, `exit status${transcript(b)}`);
    });

    for (const [vm] of battery) {
      it(`after ${vm}: wisp still serves a VM, and none of ${vm}'s memory or TSC reaches it`, () => {
        for (const check of SENTINEL_CHECKS) lineIndex(b, `[after-${vm}] ${check} ok`);
      });
      if (!BATTERY_CHECKS[vm]) continue;
      it(`${vm}: every check passes`, () => {
        for (const check of BATTERY_CHECKS[vm]) lineIndex(b, `[${vm}] ${check} ok`);
        assert.deepEqual(linesStarting(b, `[${vm}] FAIL`), [], `failed checks${transcript(b)}`);
      });
    }

    if (cfg === "battery.cfg") {
      it("the SVM/VMX instructions reached wisp as INVALID_OPCODE exits where the CPU intercepts them", () => {
        const stats = b.lines.find((l) => l.startsWith("wisp: VM virt-insns exits: "));
        assert.ok(stats && /\bINVALID_OPCODE \d+/.test(stats), `INVALID_OPCODE in the exit statistics${transcript(b)}`);
      });
    }

    it("no host exception", () => {
      assert.deepEqual(b.lines.filter((l) => /host exception|unguarded wasm trap|assertion failed/.test(l)), [],
        transcript(b));
    });
  });
}
