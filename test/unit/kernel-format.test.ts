// loaders/kernel-format.ts: `kernel = FILE` is a Linux bzImage or a Multiboot kernel by content,
// as QEMU's -kernel decides; anything else is one line naming what was found.

import { strict as assert } from "node:assert";
import { bzImage, elf, linuxConfig, loaderVm, multibootAout, multibootElf, multibootHeader, pattern, u32 } from "./boot-images";

function load(kernel: Uint8Array, extra = "", images: Array<Uint8Array | undefined> = []) {
  const core = loaderVm(linuxConfig(extra, 32), [kernel, ...images], 32);
  return { core, result: core.x.loadGuest() };
}

function refusal(kernel: Uint8Array): string {
  const { core, result } = load(kernel);
  assert.equal(result, -1);
  const m = core.message();
  assert.match(m, /; accepted: a Linux bzImage \(setup header "HdrS"\) or a Multiboot v1 kernel/);
  assert.ok(!m.includes("\n"), "one line");
  return m;
}

describe("kernel format (kernel = FILE by content)", () => {
  it("boots a bzImage as Linux", () => {
    const { core, result } = load(bzImage());
    assert.equal(result, 0, core.message());
    assert.equal(core.get("rax"), 0n);                    // Linux 64-bit entry: not the Multiboot magic
  });

  it("boots a Multiboot ELF kernel given as kernel =, with EAX 0x2BADB002", () => {
    const { core, result } = load(multibootElf());
    assert.equal(result, 0, core.message());
    assert.equal(core.get("rax"), 0x2badb002n);
    assert.equal(core.get("rip"), 0x100100n);
  });

  it("boots an a.out-kludge Multiboot kernel given as kernel =", () => {
    const { core, result } = load(multibootAout());
    assert.equal(result, 0, core.message());
    assert.equal(core.get("rax"), 0x2badb002n);
  });

  it("finds a Multiboot header in the second 4 KiB of the first 8 KiB", () => {
    const img = pattern(0x3000, 7).map((b) => b & 0x7f);   // no accidental magic
    const load_ = 0x100000;
    img.set(multibootHeader(0x10003, [load_ + 0x1800, load_, load_ + img.length, load_ + img.length, load_ + 0x1900]), 0x1800);
    const { core, result } = load(img);
    assert.equal(result, 0, core.message());
    assert.equal(core.get("rax"), 0x2badb002n);
  });

  it("refuses an initrd beside a Multiboot kernel (modules go with multiboot and module)", () => {
    const { core, result } = load(multibootElf(), 'initrd = initrd.img\n', [new Uint8Array(16)]);
    assert.equal(result, -1);
    assert.match(core.message(), /a Multiboot kernel takes modules, not an initrd/);
  });

  it("names what it found: an ELF without a Multiboot header", () => {
    const plain = elf([{ paddr: 0x100000, data: pattern(0x200, 3).map((b) => b & 0x7f) }], 0x100000);
    assert.match(refusal(plain), /^kernel: an ELF file with no Multiboot header in its first 8 KiB/);
  });

  it("names what it found: a PE/COFF file, gzip data, text, a boot sector, unknown bytes", () => {
    const pe = new Uint8Array(512); pe.set([0x4d, 0x5a]);
    assert.match(refusal(pe), /^kernel: a PE\/COFF executable/);
    const gz = new Uint8Array(64); gz.set([0x1f, 0x8b, 8]);
    assert.match(refusal(gz), /^kernel: gzip data/);
    assert.match(refusal(new TextEncoder().encode("my-host\n")), /^kernel: text \(8 bytes\)/);
    const boot = new Uint8Array(1024); boot[0x1fe] = 0x55; boot[0x1ff] = 0xaa;
    assert.match(refusal(boot), /^kernel: a boot sector without a Linux setup header/);
    const junk = new Uint8Array(64); junk.set([1, 2, 3, 4]);
    assert.match(refusal(junk), /^kernel: unknown data \(64 bytes, first bytes 0x01020304\)/);
  });

  it("names a Multiboot header with a bad checksum", () => {
    const img = new Uint8Array(256);
    img.set(multibootHeader(3), 0x20);
    new DataView(img.buffer).setUint32(0x28, 0, true);     // checksum broken
    assert.match(refusal(img), /^kernel: a Multiboot header at 0x20 with a bad checksum/);
  });

  it("refuses an empty file", () => {
    const { core, result } = load(new Uint8Array(0));
    assert.equal(result, -1);
    assert.match(core.message(), /^kernel: the file is empty/);
    assert.ok(u32(core, 0) === 0);
  });
});
