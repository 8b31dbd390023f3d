// Hostile input must never trap the core: random and mutated configurations, random exit records.

import { strict as assert } from "node:assert";
import { Core, helloVm, prng, REASON, SIMPLE_CONFIG } from "./harness";

const SEED_CONFIG = `# seed
[wisp]
debug-exit = on
[vm hello]
image = hello.bin
memory = 2
load = 0x1000
entry = 0x1000
mode = protected32
expect = exit 0
[vm second]
image = b.bin
memory = 4096
load = 0x7c00
mode = real16
expect = halt
`;

const TOKENS = ["[", "]", "=", "#", "\n", "\r\n", " ", "\t", "vm", "wisp", "0x", "0", "9", "ffffffffffffffffff",
  "image", "memory", "load", "entry", "mode", "expect", "exit", "halt", "real16", "protected32", "\u0000", "\u00ff",
  "debug-exit", "on", "[vm a]", "[vm a]\nimage=a\nmemory=1\nload=0\nmode=real16\n", "-", "_", ".", "é"];

describe("fuzz", function () {
  this.timeout(60000);

  it("config parsing never traps (random, token soup and mutations; 6000 cases)", () => {
    const rnd = prng(0x5eed);
    const core = new Core();
    const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)];
    const seed = Buffer.from(SEED_CONFIG);
    let ok = 0;
    for (let i = 0; i < 6000; i++) {
      let input: Uint8Array;
      const kind = i % 3;
      if (kind === 0) {                          // random bytes
        input = Uint8Array.from({ length: Math.floor(rnd() * 400) }, () => Math.floor(rnd() * 256));
      } else if (kind === 1) {                   // token soup
        input = Buffer.from(Array.from({ length: Math.floor(rnd() * 60) }, () => pick(TOKENS)).join(""));
      } else {                                   // mutations of a valid file
        const b = Buffer.from(seed);
        const edits = 1 + Math.floor(rnd() * 4);
        const parts: Buffer[] = [b];
        for (let e = 0; e < edits; e++) {
          const cur = Buffer.concat(parts.splice(0));
          const at = Math.floor(rnd() * cur.length);
          const op = Math.floor(rnd() * 4);
          if (op === 0) cur[at] = Math.floor(rnd() * 256);
          if (op === 1) parts.push(cur.subarray(0, at), Buffer.from(pick(TOKENS)), cur.subarray(at));
          else if (op === 2) parts.push(cur.subarray(0, at), cur.subarray(Math.min(cur.length, at + Math.floor(rnd() * 20))));
          else if (op === 3) parts.push(cur.subarray(0, at), cur.subarray(at, at + 30), cur.subarray(at));
          else parts.push(cur);
        }
        input = Buffer.concat(parts).subarray(0, 32768);
      }
      const n = core.parse(input);
      if (n > 0) {
        ok++;
        assert.ok(n <= 16);
        assert.equal(core.x.vmCount(), n);
        for (let v = 0; v < n; v++) {
          const mib = core.x.vmMemoryMiB(v);
          assert.ok(mib >= 1 && mib <= 4096);
          assert.ok(core.x.vmLoadAddress(v) < BigInt(mib) << 20n);
          assert.ok(core.x.vmEntry(v) < BigInt(mib) << 20n);
          assert.match(core.text(core.x.vmNameOffset(v), core.x.vmNameLength(v)), /^[A-Za-z0-9_-]{1,32}$/);
        }
      } else {
        assert.equal(n, -1);
        assert.match(core.message(), /^wisp\.cfg:(\d+:)? \S/);
        assert.ok(core.x.messageLength() <= 256);
      }
    }
    assert.ok(ok > 50, `some mutations must still parse (${ok})`);
  });

  it("a very large configuration (32 KiB) parses or fails cleanly", () => {
    const core = new Core();
    const text = (SIMPLE_CONFIG + "# " + "z".repeat(100) + "\n".repeat(200)).padEnd(32768, "#");
    assert.equal(core.parse(text), 1);
  });

  for (const build of ["test", "release"] as const) {
    it(`random exit records never trap (${build} build; 4000 exits over fresh VMs)`, () => {
      const rnd = prng(build === "test" ? 7 : 8);
      const r64 = () => (BigInt(Math.floor(rnd() * 2 ** 32)) << 32n) | BigInt(Math.floor(rnd() * 2 ** 32));
      const interesting = [0x3f8, 0x3f9, 0x3fb, 0x3fd, 0x3ff, 0xf4, 0xf7, 0x80, 0x61, 0xffff, 0];
      let core = helloVm({ build });
      for (let i = 0; i < 4000; i++) {
        if (core.result.kind !== 0 || i % 200 === 0) core = helloVm({ build });
        for (const reg of ["rax", "rbx", "rcx", "rdx", "rip", "rflags", "nextRip", "cr0", "efer", "pat"] as const) {
          if (rnd() < 0.5) core.set(reg, r64());
        }
        if (rnd() < 0.8) core.set("nextRip", core.get("rip") + 2n);
        let reason = Math.floor(rnd() * 14);
        if (rnd() < 0.05) reason = Math.floor(rnd() * 2 ** 32);
        let q = r64();
        if (reason === REASON.IO && rnd() < 0.7) {
          q = BigInt(rnd() < 0.5 ? interesting[Math.floor(rnd() * interesting.length)] : Math.floor(rnd() * 65536)) |
            (BigInt([1, 2, 4][Math.floor(rnd() * 3)]) << 16n) | (rnd() < 0.5 ? 1n << 24n : 0n);
        }
        if (reason === REASON.HYPERCALL) {
          if (rnd() < 0.5) core.set("rax", Math.floor(rnd() * 3));
          if ((core.get("rax") & 0xffffffffffffffffn) === 0x7e57n) core.set("rax", 0x7e56);
          if (rnd() < 0.5) core.set("rcx", Math.floor(rnd() * 5000));
        }
        if ((reason === REASON.MSR_READ || reason === REASON.MSR_WRITE) && rnd() < 0.5) {
          core.set("rcx", [0x10, 0x1b, 0xfe, 0x277, 0xc0000080, 0xc0000103][Math.floor(rnd() * 6)]);
        }
        const r = core.exit(reason, q, r64());
        assert.ok(r === 0 || r === 1 || r === 2);
        assert.equal(r === 1, core.result.kind !== 0);
      }
    });
  }
});
