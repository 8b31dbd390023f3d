// loaders/multiboot.ts and loaders/elf.ts: Multiboot v1 kernels built in the test (ELF32, ELF64,
// a.out kludge), the information structure, modules, and what is refused.

import { strict as assert } from "node:assert";
import { RESULT } from "./harness";
import { elf, multibootAout, multibootConfig, multibootElf, multibootHeader, loaderVm, pattern, u32, u64, cstring, MIB } from "./boot-images";

const MBI = 0x8000;

function boot(kernel: Uint8Array, extra = "", memory = 4, modules: Uint8Array[] = []) {
  const core = loaderVm(multibootConfig(extra, memory), [kernel, undefined, ...modules], memory);
  return { core, result: core.x.loadGuest() };
}

function bootError(kernel: Uint8Array, extra = "", memory = 4, modules: Uint8Array[] = []): string {
  const { core, result } = boot(kernel, extra, memory, modules);
  assert.equal(result, -1);
  assert.equal(core.result.kind, RESULT.RUNNING);
  return core.message();
}

describe("multiboot loader", () => {
  it("loads an ELF32 kernel and enters protected mode with EAX 0x2BADB002, EBX the information", () => {
    const { core, result } = boot(multibootElf());
    assert.equal(result, 0, core.message());
    assert.deepEqual(core.guest.subarray(0x100100, 0x100200), pattern(0x100, 1));
    assert.deepEqual(core.guest.subarray(0x101000, 0x101300), pattern(0x300, 2));
    assert.ok(core.guest.subarray(0x101300, 0x103000).every((b) => b === 0), ".bss zeroed");
    assert.equal(core.get("rip"), 0x100100n);
    assert.equal(core.get("rax"), 0x2badb002n);
    assert.equal(core.get("rbx"), BigInt(MBI));
    assert.equal(core.get("cr0"), 0x11n);
    assert.equal(core.get("efer"), 0n);
    assert.equal(core.view().getUint32(core.x.vcpuStateOffset() + 0xc8, true), 2, "protected32");
  });

  it("fills the information: memory, memory map, command line, loader name", () => {
    const { core } = boot(multibootElf(), 'cmdline = "verbose=1 #not-a-comment"\n');
    const flags = u32(core, MBI);
    assert.equal(flags, 0x1 | 0x4 | 0x8 | 0x40 | 0x200);
    assert.equal(u32(core, MBI + 4), 636, "mem_lower KiB");
    assert.equal(u32(core, MBI + 8), 3 * 1024, "mem_upper KiB");
    assert.equal(cstring(core, u32(core, MBI + 16)), "kernel.elf verbose=1 #not-a-comment");
    assert.equal(cstring(core, u32(core, MBI + 64)), "wisp");
    const len = u32(core, MBI + 44);
    const addr = u32(core, MBI + 48);
    const map: Array<[bigint, bigint, number]> = [];
    for (let p = addr; p < addr + len; p += u32(core, p) + 4) map.push([u64(core, p + 4), u64(core, p + 12), u32(core, p + 20)]);
    assert.deepEqual(map, [
      [0n, 0x9f000n, 1], [0x9f000n, 0x61000n, 2], [0x100000n, 0x300000n, 1], [0xfec00000n, 0x1000n, 2], [0xfee00000n, 0x1000n, 2],
    ]);
  });

  it("loads modules page-aligned above the kernel, with their strings", () => {
    const m1 = pattern(5000, 7);
    const m2 = pattern(3, 8);
    const { core, result } = boot(multibootElf(), "module = m1.bin first arg\nmodule = m2.bin\n", 4, [m1, m2]);
    assert.equal(result, 0, core.message());
    assert.equal(u32(core, MBI + 20), 2);
    const mods = u32(core, MBI + 24);
    const m = (i: number) => ({ start: u32(core, mods + 16 * i), end: u32(core, mods + 16 * i + 4), text: cstring(core, u32(core, mods + 16 * i + 8)) });
    assert.deepEqual(m(0), { start: 0x103000, end: 0x103000 + 5000, text: "m1.bin first arg" });
    assert.deepEqual(m(1), { start: 0x105000, end: 0x105003, text: "m2.bin" });
    assert.deepEqual(core.guest.subarray(0x103000, 0x103000 + 5000), m1);
    assert.deepEqual(core.guest.subarray(0x105000, 0x105003), m2);
    assert.equal(cstring(core, u32(core, MBI + 16)), "kernel.elf");
    assert.match(core.output, /multiboot: entry 0x100100, 2 modules/);
  });

  it("loads an a.out-kludge kernel with its .bss", () => {
    const img = multibootAout();
    const { core, result } = boot(img);
    assert.equal(result, 0, core.message());
    assert.deepEqual(core.guest.subarray(0x100000, 0x100000 + img.length), img);
    assert.ok(core.guest.subarray(0x100800, 0x103800).every((b) => b === 0));
    assert.equal(core.get("rip"), 0x100080n);
  });

  it("loads ELF64 segments below 4 GiB and translates a higher-half entry point", () => {
    const { core, result } = boot(multibootElf(0x3, true));
    assert.equal(result, 0, core.message());
    assert.equal(core.get("rip"), 0x100100n);
    const text = new Uint8Array(0x100);
    text.set(multibootHeader(0x3));
    const higher = elf([{ paddr: 0x200000, vaddr: 0xc0200000, data: text }], 0xc0200010);
    const h = boot(higher);
    assert.equal(h.result, 0, h.core.message());
    assert.equal(h.core.get("rip"), 0x200010n);
  });

  it("names what is wrong", () => {
    assert.equal(bootError(pattern(9000, 1)), "multiboot: no Multiboot header (magic 0x1badb002) in the first 8192 bytes");
    const bad = multibootElf();
    bad[116 + 8] ^= 1;
    assert.equal(bootError(bad), "multiboot: the header at 0x74 has a bad checksum (magic + flags + checksum must be 0)");
    assert.equal(bootError(multibootElf(0x8003)), "multiboot: the header requires features wisp does not provide (flags 0x00008003)");
    const notElf = new Uint8Array(64);
    notElf.set(multibootHeader(3), 16);
    assert.equal(bootError(notElf), "multiboot: not an ELF file and the header has no a.out kludge (flag 16)");
    const text = new Uint8Array(0x100);
    text.set(multibootHeader(3));
    assert.equal(bootError(elf([{ paddr: 0x100000, data: text }], 0x100000, false, 40)), "multiboot: ELF machine 40 is not i386 (3)");
    assert.equal(bootError(elf([{ paddr: 0x100000, data: text }], 0x200000)), "multiboot: entry point 0x00200000 is in no loadable segment");
    assert.equal(bootError(elf([{ paddr: 0xf0000, data: text }], 0xf0000)), "multiboot: its range 0xf0000-0xf00ff overlaps the BIOS area at 0x9f000-0xfffff");
    assert.equal(bootError(elf([{ paddr: 0x3fff00, data: text, memsz: 0x1000 }], 0x3fff00)), "multiboot: it needs RAM up to 0x400f00 but the VM has 4 MiB");
    const truncated = multibootElf().subarray(0, 300);
    assert.equal(bootError(truncated), "multiboot: truncated: segment 0 needs 512 bytes at file offset 0x74 (to 0x274), the file ends at 0x12c");
    assert.equal(bootError(multibootElf(), "module = big.bin\n", 4, [new Uint8Array(3 * MIB)]),
      "module 1 (big.bin, 3 MiB) does not fit in 4 MiB of RAM above 0x103000");
    assert.equal(bootError(multibootElf(), "module = m.bin\n", 4, []), "module 1 (m.bin): the host has no file for it");
  });

  it("checks the a.out kludge addresses", () => {
    const img = pattern(0x800, 5);
    img.set(multibootHeader(0x10003, [0x100040, 0x100080, 0, 0, 0x100080]), 0x40);
    assert.equal(bootError(img), "multiboot: load_addr 0x100080 is above header_addr 0x100040");
    img.set(multibootHeader(0x10003, [0x100040, 0x100000, 0x100900, 0, 0x100080]), 0x40);
    assert.equal(bootError(img), "multiboot: truncated: load_end_addr asks for 2.2 KiB from file offset 0x0, the file has 2 KiB");
    img.set(multibootHeader(0x10003, [0x100040, 0x100000, 0, 0, 0x200000]), 0x40);
    assert.equal(bootError(img), "multiboot: entry_addr 0x200000 is outside the loaded image 0x100000-0x1007ff");
    img.set(multibootHeader(0x10003, [0x100040, 0x100000, 0x100400, 0x100300, 0x100000]), 0x40);
    assert.equal(bootError(img), "multiboot: bss_end_addr 0x100300 is below load_end_addr 0x100400");
  });
});

describe("multiboot loader with the test kernel (out/guests/multiboot.elf)", () => {
  it("loads test/guests/multiboot/kernel.S as built, with its module", function () {
    const fs = require("node:fs") as typeof import("node:fs");
    const path = require("node:path") as typeof import("node:path");
    const file = path.join(process.cwd(), "out", "guests", "multiboot.elf");
    assert.ok(fs.existsSync(file), `${file} is missing: \`npx wisp test\` builds it (or \`npx wisp build\`)`);
    const module = new Uint8Array(fs.readFileSync(path.join(process.cwd(), "test", "guests", "multiboot", "multiboot-module.txt")));
    const config = fs.readFileSync(path.join(process.cwd(), "test", "guests", "multiboot", "wisp.cfg"), "utf8");
    const core = loaderVm(config, [new Uint8Array(fs.readFileSync(file)), undefined, module], 8);
    assert.equal(core.x.loadGuest(), 0, core.message());
    assert.equal(cstring(core, u32(core, MBI + 16)), "multiboot.elf wisp-test answer=42");
    const mod = u32(core, MBI + 24);
    assert.equal(cstring(core, u32(core, mod + 8)), "multiboot-module.txt greeting");
    assert.equal(Buffer.from(core.guest.subarray(u32(core, mod), u32(core, mod) + 8)).toString(), "WISPMOD1");
    assert.equal(u32(core, MBI + 8), 7168, "mem_upper: all of the 8 MiB above 1 MiB (under QEMU, SeaBIOS keeps 128 KiB: 7040)");
  });
});

describe("multiboot: where the boot information goes (after the kernel is placed)", () => {
  const text = (): Uint8Array => { const t = new Uint8Array(0x100); t.set(multibootHeader(3)); return t; };

  it("at 0x8000 when the kernel leaves it free", () => {
    const { core, result } = boot(multibootElf());
    assert.equal(result, 0, core.message());
    assert.equal(core.get("rbx"), BigInt(MBI));
  });

  it("just above a kernel linked at 0x8000, with the module list and command line there", () => {
    const { core, result } = boot(elf([{ paddr: 0x8000, data: text() }], 0x8000), 'cmdline = "hi"\nmodule = m.bin x\n', 4, [pattern(64, 9)]);
    assert.equal(result, 0, core.message());
    assert.equal(core.get("rbx"), 0x9000n);
    assert.deepEqual(core.guest.subarray(0x8000, 0x8100), text(), "the kernel is intact");
    assert.equal(cstring(core, u32(core, 0x9000 + 16)), "kernel.elf hi");
    assert.equal(u32(core, 0x9000 + 20), 1);                              // mods_count
    assert.equal(cstring(core, u32(core, u32(core, 0x9000 + 24) + 8)), "m.bin x");
  });

  it("at 0x1000 when the kernel sits above 0x9000 in conventional memory", () => {
    const { core, result } = boot(elf([{ paddr: 0x9000, data: text(), memsz: 0x90000 }], 0x9000));
    assert.equal(result, 0, core.message());
    assert.equal(core.get("rbx"), 0x1000n);
  });

  it("above 1 MiB, before the modules, when the kernel fills conventional memory", () => {
    const { core, result } = boot(elf([{ paddr: 0x1000, data: text(), memsz: 0x9e000 }], 0x1000), "module = m.bin\n", 4, [pattern(64, 9)]);
    assert.equal(result, 0, core.message());
    assert.equal(core.get("rbx"), 0x100000n);
    assert.equal(u32(core, 0x100000 + 20), 1);
    assert.equal(u32(core, u32(core, 0x100000 + 24)), 0x108000);           // mod_start: after the 32 KiB
    assert.deepEqual(core.guest.subarray(0x108000, 0x108040), pattern(64, 9));
  });

  it("names both ranges when RAM has no room left", () => {
    const m = bootError(elf([{ paddr: 0x1000, data: text(), memsz: 0x9e000 }, { paddr: 0x100000, data: text(), memsz: 0x300000 }], 0x1000));
    assert.equal(m, "multiboot: no room for the boot information (32 KiB): the kernel takes 0x1000-0x3fffff and RAM ends at 0x400000");
  });
});
