// Hostile boot images must never trap the core: mutated and random bzImages, Multiboot ELF and
// a.out kernels, and configurations with the kernel keys. Each load ends in 0 or a clean message.

import { strict as assert } from "node:assert";
import { Core, prng } from "./harness";
import { bzImage, elf, linuxConfig, multibootAout, multibootConfig, multibootElf, multibootHeader, MIB } from "./boot-images";

type Rnd = () => number;

/** Overwrites a few bytes, u32 fields or cuts the file: mostly in the first `hot` bytes. */
function mutate(rnd: Rnd, src: Uint8Array, hot: number): Uint8Array {
  let img: Uint8Array = Uint8Array.from(src);
  const edits = 1 + Math.floor(rnd() * 6);
  for (let e = 0; e < edits; e++) {
    const op = Math.floor(rnd() * 5);
    const at = Math.floor(rnd() * (rnd() < 0.8 ? Math.min(hot, img.length) : img.length));
    const dv = new DataView(img.buffer, img.byteOffset, img.byteLength);
    if (op === 0) img[at] = Math.floor(rnd() * 256);
    else if (op === 1 && at + 4 <= img.length) {
      const special = [0, 1, 0xffffffff, 0x7fffffff, 0x80000000, 0x1000, 0x100000, 0xfffff000, Math.floor(rnd() * 2 ** 32)];
      dv.setUint32(at & ~3, special[Math.floor(rnd() * special.length)], true);
    } else if (op === 2) img = img.subarray(0, Math.floor(rnd() * img.length));
    else if (op === 3 && at + 2 <= img.length) dv.setUint16(at, Math.floor(rnd() * 65536), true);
    else img[at] ^= 1 << Math.floor(rnd() * 8);
  }
  return img;
}

function randomBytes(rnd: Rnd, n: number): Uint8Array {
  return Uint8Array.from({ length: n }, () => Math.floor(rnd() * 256));
}

function checkOutcome(core: Core, result: number, prefix: RegExp): boolean {
  assert.ok(result === 0 || result === -1, `loadGuest returned ${result}`);
  if (result === -1) {
    const msg = core.message();
    assert.match(msg, prefix);
    assert.ok(msg.length > 10 && msg.length <= 256);
    assert.match(msg, /^[\x20-\x7e]*$/, "printable");
    return false;
  }
  return true;
}

describe("loader fuzz", function () {
  this.timeout(120000);

  it("bzImage: 3000 mutated, truncated and random kernels (with initrds) load or fail cleanly", () => {
    const rnd = prng(0xb2);
    const core = new Core({ guestBytes: 48 * MIB });
    const base = bzImage();
    const initrds = new Uint8Array(40 * MIB);
    let ok = 0;
    for (let i = 0; i < 3000; i++) {
      const memory = [17, 20, 32, 48][Math.floor(rnd() * 4)];
      const withInitrd = rnd() < 0.5;
      const cmdline = rnd() < 0.5 ? `cmdline = "${"c".repeat(Math.floor(rnd() * 3000))}"\n` : "";
      const config = linuxConfig(cmdline + (withInitrd ? "initrd = i\n" : ""), memory);
      const kernel = i % 10 === 0 ? randomBytes(rnd, Math.floor(rnd() * 5000)) : mutate(rnd, base, 0x280);
      const initrd = withInitrd && rnd() < 0.9 ? initrds.subarray(0, Math.floor(rnd() * 40 * MIB)) : undefined;
      core.images = [kernel, initrd];
      assert.equal(core.setup(config, 0, BigInt(memory) * BigInt(MIB)), 0, core.message());
      if (checkOutcome(core, core.x.loadGuest(), /^(kernel|initrd)[: (]/)) {
        ok++;
        const rip = core.get("rip");
        assert.ok(rip >= 0x100200n && rip < BigInt(memory * MIB));
      }
    }
    assert.ok(ok > 100, `some mutations still load (${ok})`);
  });

  it("Multiboot: 4000 mutated ELF32/ELF64/a.out kernels and random files load or fail cleanly", () => {
    const rnd = prng(0x3b);
    const core = new Core({ guestBytes: 8 * MIB });
    const seeds = [multibootElf(), multibootElf(0x3, true), multibootAout(), multibootAout(0)];
    let ok = 0;
    for (let i = 0; i < 4000; i++) {
      const memory = [1, 2, 8][Math.floor(rnd() * 3)];
      const modules = Math.floor(rnd() * 3);
      const config = multibootConfig(Array.from({ length: modules }, (_, m) => `module = m${m} a${m}\n`).join(""), memory);
      let kernel: Uint8Array;
      if (i % 8 === 0) {
        kernel = randomBytes(rnd, Math.floor(rnd() * 9000));
        const at = Math.floor(rnd() * Math.max(1, kernel.length - 32)) & ~3;
        if (kernel.length >= 32 && rnd() < 0.7) kernel.set(multibootHeader(Math.floor(rnd() * 2 ** 32) & 0x10007), at);
      } else {
        kernel = mutate(rnd, seeds[i % seeds.length], 0x140);
      }
      core.images = [kernel, undefined, ...Array.from({ length: modules }, () => rnd() < 0.9 ? new Uint8Array(Math.floor(rnd() * 1.5 * MIB)) : undefined)];
      assert.equal(core.setup(config, 0, BigInt(memory) * BigInt(MIB)), 0, core.message());
      if (checkOutcome(core, core.x.loadGuest(), /^(multiboot|module \d+ \()/)) {
        ok++;
        assert.equal(core.get("rax"), 0x2badb002n);
        assert.ok(core.get("rip") < BigInt(memory * MIB));
      }
    }
    assert.ok(ok > 100, `some mutations still load (${ok})`);
  });

  it("ELF program headers with hostile counts, sizes and offsets fail cleanly", () => {
    const rnd = prng(0xe1f);
    const core = new Core({ guestBytes: 4 * MIB });
    for (let i = 0; i < 1500; i++) {
      const text = new Uint8Array(0x100);
      text.set(multibootHeader(3));
      const is64 = rnd() < 0.5;
      const img = elf([{ paddr: 0x100000, data: text, memsz: 0x100 + Math.floor(rnd() * 0x400000) }], 0x100000 + Math.floor(rnd() * 0x200), is64);
      const dv = new DataView(img.buffer);
      const field = is64 ? [32, 54, 56][Math.floor(rnd() * 3)] : [28, 42, 44][Math.floor(rnd() * 3)];
      if (rnd() < 0.7) {
        if (field === 32) dv.setBigUint64(32, BigInt(Math.floor(rnd() * 2 ** 32)), true);
        else if (field === 28) dv.setUint32(28, Math.floor(rnd() * 2 ** 32), true);
        else dv.setUint16(field, Math.floor(rnd() * 65536), true);
      }
      core.images = [img];
      assert.equal(core.setup(multibootConfig(), 0, 4n * BigInt(MIB)), 0);
      checkOutcome(core, core.x.loadGuest(), /^multiboot: /);
    }
  });

  it("configurations with kernel keys: 4000 token soups parse or fail with a line-numbered message", () => {
    const rnd = prng(0xc0f);
    const core = new Core();
    const tokens = ["[vm a]\n", "[vm b]\n", "kernel = k\n", "initrd = i\n", "multiboot = m\n", "image = f\n", "module = m x y\n",
      "cmdline = \"a # b\"\n", "cmdline = \"\n", "cmdline = x\"\n", "cmdline =\n", "memory = 64\n", "load = 0\n", "mode = real16\n",
      "module = \n", "\"", "#", "=", " ", "\n", "x".repeat(5000), `cmdline = ${"z".repeat(4000)}\n`];
    let ok = 0;
    for (let i = 0; i < 4000; i++) {
      const soup = (n: number) => Array.from({ length: n }, () => tokens[Math.floor(rnd() * tokens.length)]).join("");
      const text = (i % 2 === 0 ? soup(Math.floor(rnd() * 30))
        : `[vm a]\nmemory = 64\n${rnd() < 0.5 ? "kernel = k\n" : "multiboot = m\n"}${soup(Math.floor(rnd() * 3))}`).slice(0, 32768);
      const n = core.parse(text);
      if (n > 0) {
        ok++;
        for (let v = 0; v < n; v++) {
          const count = core.x.vmImageCount(v);
          assert.ok(count >= 1 && count <= 18);
          for (let id = 0; id < count + 1; id++) {
            const len = core.x.vmFileLength(v, id);
            if (len) assert.match(core.text(core.x.vmFileOffset(v, id), len), /^[A-Za-z0-9_.-]+$/);
          }
        }
      } else {
        assert.equal(n, -1);
        assert.match(core.message(), /^wisp\.cfg:(\d+:)? \S/);
      }
    }
    assert.ok(ok > 20, `some soups parse (${ok})`);
  });
});
