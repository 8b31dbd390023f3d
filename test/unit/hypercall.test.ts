import { strict as assert } from "node:assert";
import { helloVm, REASON, RESULT, ALL_ONES, Core } from "./harness";

function hypercall(core: Core, fn: bigint | number, rbx: bigint | number = 0, rcx: bigint | number = 0): bigint {
  core.setRegs({ rax: fn, rbx, rcx, rip: 0x1000 });
  assert.equal(core.instruction(REASON.HYPERCALL, 3), 0);
  assert.equal(core.get("rip"), 0x1003n);
  return core.get("rax");
}

describe("hypercall", () => {
  it("VERSION: 1.0 and the signature 'wisp' in rbx", () => {
    const core = helloVm();
    assert.equal(hypercall(core, 0), 0x10000n);
    assert.equal(core.get("rbx"), 0x70736977n);
  });

  it("CONSOLE_WRITE: prints guest memory through the VM's console", () => {
    const core = helloVm();
    core.guest.set(Buffer.from("from guest memory\npartial"), 0x2000);
    assert.equal(hypercall(core, 1, 0x2000, 25), 25n);
    assert.deepEqual(core.written, ["[hello] from guest memory\n"]);
    core.guest.set(Buffer.from(" line\n"), 0x3000);
    assert.equal(hypercall(core, 1, 0x3000, 6), 6n);
    assert.equal(core.written[1], "[hello] partial line\n");
  });

  it("CONSOLE_WRITE: at most 4096 bytes, inside guest memory", () => {
    const core = helloVm();
    core.guest.fill(0x41, 0, 4096);
    core.guest[4095] = 0x0a;
    assert.equal(hypercall(core, 1, 0, 4096), 4096n);
    assert.equal(hypercall(core, 1, 0, 4097), ALL_ONES);
    assert.equal(hypercall(core, 1, 0xfff0, 0x20), ALL_ONES, "runs past the end of guest memory");
    assert.equal(hypercall(core, 1, 1n << 63n, 1), ALL_ONES);
    assert.equal(hypercall(core, 1, 0, 1n << 32n), ALL_ONES, "length must not be truncated");
    assert.equal(hypercall(core, 1, 0, 0), 0n);
    assert.equal(core.result.kind, RESULT.RUNNING);
  });

  it("EXIT_STATS: counts so far, this exit included", () => {
    const core = helloVm();
    core.set("rip", 0x1000);
    core.set("rflags", 0x202);
    core.instruction(REASON.HLT, 1);
    core.instruction(REASON.HLT, 1);
    assert.equal(hypercall(core, 2, REASON.HLT), 2n);
    assert.equal(hypercall(core, 2, REASON.HYPERCALL), 2n);
    assert.equal(hypercall(core, 2, REASON.CPUID), 0n);
    assert.equal(hypercall(core, 2, REASON.WBINVD), 0n);
    assert.equal(hypercall(core, 2, REASON.NMI_WINDOW), 0n);
    assert.equal(hypercall(core, 2, REASON.INVALID_OPCODE), 0n);
    assert.equal(hypercall(core, 2, 17), 0n, "slot 17: MSR accesses refused with #GP");
    assert.equal(hypercall(core, 2, 18), ALL_ONES);
    assert.equal(hypercall(core, 2, 1n << 40n), ALL_ONES);
  });

  describe("from CPL 3", () => {
    const PROTECTED32_CPL3 = (3n << 32n) | 2n;         // the area's u32 mode and u32 cpl
    const UD_EVENT = 6n | (3n << 8n) | (1n << 31n);     // #UD, hardware exception, valid, no error code

    function userHypercall(core: Core, fn: bigint | number, rbx: bigint | number = 0, rcx: bigint | number = 0): void {
      core.setRegs({ rax: fn, rbx, rcx, rip: 0x1000, mode: PROTECTED32_CPL3, inject: 0 });
      assert.equal(core.instruction(REASON.HYPERCALL, 3), 0);
    }

    it("CONSOLE_WRITE raises #UD: the VMMCALL is not completed and nothing is printed", () => {
      const core = helloVm();
      core.guest.set(Buffer.from("kernel-only\n"), 0x2000);
      userHypercall(core, 1, 0x2000, 12);
      assert.equal(core.get("inject"), UD_EVENT);
      assert.equal(core.get("rip"), 0x1000n, "RIP stays on the VMMCALL");
      assert.equal(core.get("rax"), 1n, "rax unchanged");
      assert.deepEqual(core.written, []);
      assert.equal(core.result.kind, RESULT.RUNNING);
    });

    it("unknown and test functions raise #UD too", () => {
      for (const fn of [0x7e57, 0x7e58, 99, ALL_ONES]) {
        const core = helloVm({ build: "test" });
        userHypercall(core, fn);
        assert.equal(core.get("inject"), UD_EVENT, `function ${fn}`);
        assert.equal(core.result.kind, RESULT.RUNNING);
      }
    });

    it("VERSION and EXIT_STATS, which read no guest memory, still answer", () => {
      const core = helloVm();
      userHypercall(core, 0);
      assert.equal(core.get("rax"), 0x10000n);
      assert.equal(core.get("rip"), 0x1003n);
      assert.equal(core.get("inject"), 0n);
      userHypercall(core, 2, REASON.HYPERCALL);
      assert.equal(core.get("rax"), 2n);
    });
  });

  it("unknown functions return all ones", () => {
    const core = helloVm();
    for (const fn of [3, 0x7e56, 0x7e58, 0xffffffff, 1n << 32n, ALL_ONES]) assert.equal(hypercall(core, fn), ALL_ONES);
  });

  it("TEST_TRAP traps the test build's instance (WebAssembly.RuntimeError)", () => {
    const core = helloVm({ build: "test" });
    core.setRegs({ rax: 0x7e57, nextRip: 0x1003 });
    assert.throws(() => core.exit(REASON.HYPERCALL), WebAssembly.RuntimeError);
  });

  it("TEST_TRAP is an unknown hypercall in the release build", () => {
    const core = helloVm({ build: "release" });
    assert.equal(hypercall(core, 0x7e57), ALL_ONES);
    assert.equal(core.result.kind, RESULT.RUNNING);
  });
});
