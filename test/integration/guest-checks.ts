// The checks of the test guests' console (test/guests/*.S, configuration test/guests/wisp.cfg),
// shared by every emulator and CPU model that boots them: guests.test.ts (QEMU, SVM) and
// bochs-guests.test.ts (Bochs, VMX and SVM).
//
// The configuration runs, in order: trap (expects trap), real16, prot32, long64 (exit 0 each),
// unmapped (fault), halt (halt). wisp writes the number of VMs not as expected to the debug-exit
// port, so the status is (0 << 1) | 1 = 1 when every VM behaved.
import { strict as assert } from "node:assert";
import { Boot, guestAddressOf, lineIndex, linesStarting, matchLine, transcript, VMMCALL } from "./boot";

const VMS = ["trap", "real16", "prot32", "long64", "unmapped", "halt"];

const COMMON_CHECKS = [
  "cpuid signature", "cpuid hypervisor bit", "cpuid svm hidden", "uart lsr", "vmmcall version", "forbidden msr #gp",
];
// Each guest's check names, as it prints them ("[vm] <check> ok"); see the header of each .S file.
const CHECKS: Record<string, string[]> = {
  real16: [...COMMON_CHECKS, "forbidden msr #gp at rdmsr", "permitted msr tsc_aux"],
  prot32: [...COMMON_CHECKS, "forbidden msr #gp error code 0 at rdmsr", "permitted msr tsc_aux",
    "vmmcall console_write", "vmmcall exit_stats cpuid"],
  long64: [...COMMON_CHECKS, "vmmcall preserves 64-bit registers", "vmmcall console_write refuses gpa above 4 GiB",
    "vmmcall console_write", "forbidden msr #gp error code 0 at rdmsr", "permitted msr tsc_aux",
    "efer reads lme and lma, no svme"],
};

/** The `it`s for one boot; `boot()` gives it once the suite's `before` hook has run. */
export function guestChecks(boot: () => Boot, emulator: string): void {
  let b: Boot;
  beforeEach(() => { b = boot(); });

  it(`ends ${emulator} through debug-exit with status 1: every VM as expected`, () => {
    assert.equal(b.timedOut, false, `${emulator} did not end${transcript(b)}`);
    assert.equal(b.status, 1, `${emulator} exit status${transcript(b)}`);
  });

  it("prints the summary: 6 VMs, 6 as expected", () => {
    lineIndex(b, "wisp: 6 VMs, 6 as expected");
    const summary = [
      "trap: trap (expected trap) ok",
      "real16: exit 0 (expected exit 0) ok",
      "prot32: exit 0 (expected exit 0) ok",
      "long64: exit 0 (expected exit 0) ok",
      "unmapped: fault (expected fault) ok",
      "halt: halt (expected halt) ok",
    ];
    for (const s of summary) lineIndex(b, `wisp: VM ${s}`);
  });

  it("runs the VMs one after the other in configuration order", () => {
    let at = 0;
    for (const vm of VMS) {
      const started = lineIndex(b, `wisp: VM ${vm}: starting`, at);
      const ended = b.lines.findIndex((l, i) => i > started && l.startsWith(`wisp: VM ${vm} ended: `));
      assert.ok(ended > started, `VM ${vm} started but never ended${transcript(b)}`);
      at = ended;
    }
  });

  it("reports the trap in the core's instance with the export, the exit and the guest RIP", () => {
    lineIndex(b, "[trap] calling TEST_TRAP");
    const m = matchLine(b, /^wisp: VM trap trapped: (.+) in (\w+) \(exit (\w+), guest RIP (0x[0-9a-f]+)\)$/);
    assert.equal(m[2], "handleExit");
    assert.equal(m[3], "HYPERCALL");
    assert.equal(Number(m[4]), guestAddressOf("out/guests/trap.bin", VMMCALL), "RIP of the VMMCALL");
    lineIndex(b, "wisp: VM trap ended: trap");
    assert.deepEqual(linesStarting(b, "[trap] FAIL"), [], "the VMMCALL never returns to the guest");
  });

  it("runs the VMs after the one that trapped", () => {
    const trapped = b.lines.findIndex((l) => l.startsWith("wisp: VM trap trapped: "));
    assert.ok(trapped >= 0, `no trap report${transcript(b)}`);
    lineIndex(b, "[real16] all checks passed", trapped);
  });

  for (const vm of ["real16", "prot32", "long64"]) {
    it(`${vm}: every check passes and the guest ends with exit 0`, () => {
      for (const check of CHECKS[vm]) lineIndex(b, `[${vm}] ${check} ok`);
      assert.deepEqual(linesStarting(b, `[${vm}] FAIL`), [], `failed checks${transcript(b)}`);
      assert.deepEqual(linesStarting(b, `[${vm}] unexpected exception`), []);
      lineIndex(b, `[${vm}] all checks passed`);
      lineIndex(b, `[${vm}] ended: exit 0`);
      lineIndex(b, `wisp: VM ${vm} ended: exit 0`);
    });
  }

  it("prot32 and long64: CONSOLE_WRITE text reaches the console", () => {
    lineIndex(b, "[prot32] hello through CONSOLE_WRITE");
    lineIndex(b, "[long64] hello through CONSOLE_WRITE from 64-bit mode");
    lineIndex(b, "[long64] in long mode");
  });

  it("prints each VM's exit statistics", () => {
    for (const vm of VMS) matchLine(b, new RegExp(`^wisp: VM ${vm} exits: `));
    // real16 executes 3 CPUIDs, prot32 3, long64 3 (each visible to the core as a CPUID exit).
    for (const vm of ["real16", "prot32", "long64"]) {
      const m = matchLine(b, new RegExp(`^wisp: VM ${vm} exits: .*\\bCPUID (\\d+)`));
      assert.equal(Number(m[1]), 3, `${vm}'s CPUID exits`);
    }
  });

  it("unmapped: stops the VM with FAULT at the write beyond its memory, and carries on", () => {
    const before = lineIndex(b, "[unmapped] writing beyond guest memory");
    const fault = lineIndex(b, "[unmapped] fault: write to unmapped guest-physical address 0x1f000000 " +
      "(guest memory ends at 0x200000)", before);
    lineIndex(b, "[unmapped] ended: fault", fault);
    lineIndex(b, "wisp: VM unmapped ended: fault", fault);
    assert.deepEqual(linesStarting(b, "[unmapped] FAIL"), []);
    lineIndex(b, "wisp: VM halt: starting", fault);
  });

  it("halt: HLT with interrupts off ends the VM with HALT", () => {
    const before = lineIndex(b, "[halt] halting with interrupts off");
    lineIndex(b, "[halt] ended: halt", before);
    lineIndex(b, "wisp: VM halt ended: halt", before);
    assert.deepEqual(linesStarting(b, "[halt] FAIL"), []);
  });

  it("no host exception", () => {
    assert.deepEqual(b.lines.filter((l) => /host exception|unguarded wasm trap|assertion failed/.test(l)), [],
      transcript(b));
  });
}
