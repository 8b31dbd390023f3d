import { strict as assert } from "node:assert";
import { helloVm, Core, REASON, RESULT } from "./harness";

describe("exit", () => {
  it("counts every exit in the statistics table by reason", () => {
    const core = helloVm();
    core.set("rflags", 0x202);
    core.instruction(REASON.HLT, 1);
    core.exit(REASON.INTERRUPT);
    core.exit(REASON.INTERRUPT);
    core.instruction(REASON.CPUID, 2);
    const stats = core.stats();
    assert.equal(stats[REASON.HLT], 1n);
    assert.equal(stats[REASON.INTERRUPT], 2n);
    assert.equal(stats[REASON.CPUID], 1n);
    assert.equal(stats.reduce((a, b) => a + b), 4n);
  });

  it("HLT with interrupts disabled ends the VM with HALT", () => {
    const core = helloVm();
    core.setRegs({ rflags: 0x2, rip: 0x1234 });
    assert.equal(core.instruction(REASON.HLT, 1), 1);
    assert.deepEqual(core.result, { kind: RESULT.HALT, value: 0n });
    assert.equal(core.output, "[hello] ended: halt\n");
  });

  it("HLT with interrupts enabled and nothing pending: idle (2), rip after the instruction", () => {
    const core = helloVm();
    core.setRegs({ rflags: 0x202, rip: 0x1234 });
    assert.equal(core.instruction(REASON.HLT, 1), 2);
    assert.equal(core.get("rip"), 0x1235n);
    assert.equal(core.result.kind, RESULT.RUNNING);
  });

  it("WBINVD (INVD or WBINVD; the shim already wrote the caches back) completes at CPL 0 and is counted", () => {
    const core = helloVm();
    core.setRegs({ rip: 0x1234, inject: 0 });
    assert.equal(core.instruction(REASON.WBINVD, 2), 0);
    assert.equal(core.get("rip"), 0x1236n);
    assert.equal(core.get("inject"), 0n);
    assert.equal(core.stats()[REASON.WBINVD], 1n);
    assert.equal(core.result.kind, RESULT.RUNNING);
  });

  it("WBINVD at CPL 3 raises #GP(0) and is not completed", () => {
    const core = helloVm();
    core.setRegs({ rip: 0x1234, mode: (3n << 32n) | 2n, inject: 0 });
    assert.equal(core.instruction(REASON.WBINVD, 2), 0);
    assert.equal(core.get("rip"), 0x1234n);
    assert.equal(core.get("inject"), 13n | (3n << 8n) | (1n << 11n) | (1n << 31n));
  });

  it("INTERRUPT resumes without touching rip", () => {
    const core = helloVm();
    core.setRegs({ rip: 0x1234, nextRip: 0 });
    assert.equal(core.exit(REASON.INTERRUPT), 0);
    assert.equal(core.get("rip"), 0x1234n);
  });

  for (const [q, words] of [
    [0x2n, "write to unmapped"], [0x6n, "instruction fetch from unmapped"], [0x4n, "instruction fetch from unmapped"], [0x0n, "read from unmapped"],
    [0x3n, "write to protected"],
  ] as const) {
    it(`MEMORY_FAULT ${q}: ${words}`, () => {
      const core = helloVm();
      assert.equal(core.exit(REASON.MEMORY_FAULT, 0x100000000n | q, 0x1f000000n), 1);
      assert.equal(core.result.kind, RESULT.FAULT);
      assert.equal(core.lines[0], `[hello] fault: ${words} guest-physical address 0x1f000000 (guest memory ends at 0x10000)`);
      assert.equal(core.lines[1], "[hello] ended: fault");
    });
  }

  it("SHUTDOWN is a triple fault", () => {
    const core = helloVm();
    assert.equal(core.exit(REASON.SHUTDOWN), 1);
    assert.equal(core.result.kind, RESULT.SHUTDOWN);
    assert.deepEqual(core.lines, ["[hello] triple fault", "[hello] ended: shutdown"]);
  });

  it("EXCEPTION stops the VM naming the vector", () => {
    const core = helloVm();
    assert.equal(core.exit(REASON.EXCEPTION, (0x18n << 32n) | 0x100n | 13n), 1);
    assert.equal(core.result.kind, RESULT.FAULT);
    assert.equal(core.lines[0], "[hello] fault: unhandled exception #GP (vector 13), error code 0x18");
    const core2 = helloVm();
    core2.exit(REASON.EXCEPTION, 2n);
    assert.equal(core2.lines[0], "[hello] fault: unhandled exception #NMI (vector 2)");
    const core3 = helloVm();
    core3.exit(REASON.EXCEPTION, 0xeen);
    assert.equal(core3.lines[0], "[hello] fault: unhandled exception (vector 238)");
    const core4 = helloVm();
    core4.exit(REASON.EXCEPTION, 15n);
    assert.equal(core4.lines[0], "[hello] fault: unhandled exception (vector 15)");
    const core5 = helloVm();
    core5.exit(REASON.EXCEPTION, 9n);
    assert.equal(core5.lines[0], "[hello] fault: unhandled exception #CSO (vector 9)");
  });

  it("ENTRY_FAILED and UNSUPPORTED stop the VM with the code", () => {
    const a = helloVm();
    assert.equal(a.exit(REASON.ENTRY_FAILED, 0xffffffffffffffffn), 1);
    assert.equal(a.lines[0], "[hello] fault: VM entry failed, code 0xffffffffffffffff: invalid guest state (APM vol. 2, " +
      "15.5.1; SDM vol. 3C, 27.3.1): none of CR0, CR4, EFER fails a check; another field does; CR0 0x0 CR4 0x0 EFER 0x0");
    const b = helloVm();
    assert.equal(b.exit(REASON.UNSUPPORTED, 0x7f), 1);
    assert.equal(b.lines[0], "[hello] fault: unsupported exit, code 0x7f");
    assert.deepEqual(b.result, { kind: RESULT.FAULT, value: BigInt(REASON.UNSUPPORTED) });
  });

  it("INVALID_OPCODE (an SVM or VMX instruction) raises #UD in the guest, RIP unchanged, and the VM runs on", () => {
    const core = helloVm();
    core.setRegs({ rip: 0x1000, inject: 0, rflags: 0x2 });
    assert.equal(core.exit(REASON.INVALID_OPCODE), 0);
    assert.equal(core.get("inject"), 0x80000306n, "vector 6, kind 3 (exception), valid, no error code");
    assert.equal(core.get("rip"), 0x1000n);
    assert.equal(core.result.kind, RESULT.RUNNING);
  });

  it("ENTRY_FAILED names the consistency check the guest's CR0, CR4 or EFER fails (APM vol. 2, 15.5.1)", () => {
    const cases: Array<[bigint, bigint, bigint, string]> = [
      [0x11n, 0x80000000n, 0n, "a reserved CR4 bit is set"],
      [0x20000011n, 0n, 0n, "CR0.NW is set without CR0.CD"],
      [0x11n, 0n, 1n << 40n, "a reserved EFER bit is set"],
      [0x80000011n, 0n, 0x100n, "EFER.LME and CR0.PG without CR4.PAE"],
    ];
    for (const [cr0, cr4, efer, check] of cases) {
      const core = helloVm();
      core.setRegs({ cr0, cr4, efer });
      assert.equal(core.exit(REASON.ENTRY_FAILED, 0xffffffffffffffffn), 1);
      assert.ok(core.lines[0].includes(`invalid guest state (APM vol. 2, 15.5.1; SDM vol. 3C, 27.3.1): ${check}; CR0 0x${cr0.toString(16)}`),
        core.lines[0]);
      assert.equal(core.result.kind, RESULT.FAULT);
    }
  });

  it("unknown reasons stop the VM and count in slot 0", () => {
    for (const reason of [0, 17, 0xffffffff]) {
      const core = helloVm();
      assert.equal(core.exit(reason), 1);
      assert.equal(core.result.kind, RESULT.FAULT);
      assert.equal(core.stats()[0], 1n);
    }
  });

  it("after the VM ended every exit returns 1 and changes nothing", () => {
    const core = helloVm();
    core.exit(REASON.SHUTDOWN);
    const out = core.output;
    core.setRegs({ rip: 0x1000, nextRip: 0x1002, rax: 0x40000000 });
    assert.equal(core.exit(REASON.CPUID), 1);
    assert.equal(core.get("rip"), 0x1000n);
    assert.equal(core.output, out);
    assert.equal(core.result.kind, RESULT.SHUTDOWN);
  });

  it("without vmSetup the console prefix is [vm]", () => {
    const core = new Core();
    core.set("rflags", 0);
    core.exit(REASON.HLT);
    assert.equal(core.output, "[vm] ended: halt\n");
  });

  it("instructions without a next RIP stop the VM (rip unknown)", () => {
    const core = helloVm();
    core.setRegs({ rflags: 0x202, nextRip: 0 });
    assert.equal(core.exit(REASON.HLT), 1);
    assert.equal(core.result.kind, RESULT.FAULT);
    assert.match(core.lines[0], /fault: hlt at rip 0x1000: instruction length unknown/);
  });
});
