// loaders/linux.ts: the 64-bit Linux boot protocol against a synthetic bzImage.

import { strict as assert } from "node:assert";
import { RESULT } from "./harness";
import { bzImage, BzOptions, pattern, linuxConfig, loaderVm, MIB, u8, u16, u32, u64, cstring, entryGdtr } from "./boot-images";

const BOOT_PARAMS = 0x7000;

function load(o: BzOptions = {}, extra = 'cmdline = "console=ttyS0 panic=-1"\n', memory = 32, initrd?: Uint8Array) {
  const config = linuxConfig(extra + (initrd ? "initrd = initrd.gz\n" : ""), memory);
  const core = loaderVm(config, [bzImage(o), initrd], memory);
  return { core, result: core.x.loadGuest() };
}

function loadError(o: BzOptions = {}, extra?: string, memory?: number, initrd?: Uint8Array): string {
  const { core, result } = load(o, extra, memory, initrd);
  assert.equal(result, -1);
  assert.equal(core.result.kind, RESULT.RUNNING, "the VM does not start, nothing ended");
  return core.message();
}

describe("linux loader", () => {
  it("loads the kernel at pref_address and enters startup_64 in long mode", () => {
    const { core, result } = load();
    assert.equal(result, 0, core.message());
    const image = bzImage();
    const setup = 5 * 512;
    assert.deepEqual(core.guest.subarray(0x1000000, 0x1000000 + image.length - setup), image.subarray(setup));
    assert.equal(core.get("rip"), 0x1000200n);
    assert.equal(core.get("rsi"), BigInt(BOOT_PARAMS));
    assert.equal(core.get("rflags"), 2n, "interrupts off");
    assert.equal(core.get("cr0"), 0x80000031n, "PE ET NE PG");
    assert.equal(core.get("cr3"), 0x9000n);
    assert.equal(core.get("cr4"), 0x20n, "PAE");
    assert.equal(core.get("efer"), 0x500n, "LME LMA");
    assert.equal(core.view().getUint32(core.x.vcpuStateOffset() + 0xc8, true), 3, "mode LONG64");
    for (const r of ["rax", "rbx", "rcx", "rdx", "rdi", "rbp", "rsp"] as const) assert.equal(core.get(r), 0n, r);
    assert.deepEqual(entryGdtr(core), { base: 0x6000n, limit: 31n });
    assert.match(core.output, /^\[linux\] linux: boot protocol 2\.15, kernel at 0x1000000\n$/);
  });

  it("GDT has flat __BOOT_CS (0x10, 64-bit) and __BOOT_DS (0x18); 4 GiB identity map with 2 MiB pages", () => {
    const { core } = load();
    assert.equal(u64(core, 0x6000), 0n);
    assert.equal(u64(core, 0x6010), 0x00af9b000000ffffn);
    assert.equal(u64(core, 0x6018), 0x00cf93000000ffffn);
    assert.equal(u64(core, 0x9000), 0xa003n);
    for (let g = 0; g < 4; g++) assert.equal(u64(core, 0xa000 + 8 * g), BigInt(0xb003 + 0x1000 * g));
    assert.equal(u64(core, 0xa020), 0n);
    assert.equal(u64(core, 0xb000), 0x83n);
    assert.equal(u64(core, 0xb008), 0x200083n);
    assert.equal(u64(core, 0xeff8), 0xffe00083n, "the last 2 MiB below 4 GiB");
  });

  it("fills boot_params: setup header copy, loader type, command line, e820, RSDP", () => {
    const { core } = load();
    const image = bzImage();
    const bp = BOOT_PARAMS;
    assert.deepEqual(core.guest.subarray(bp + 0x1f1, bp + 0x210), image.subarray(0x1f1, 0x210), "header copied");
    assert.equal(u8(core, bp + 0x210), 0xff, "type_of_loader");
    assert.equal(u32(core, bp + 0x228), 0x20000, "cmd_line_ptr");
    assert.equal(cstring(core, 0x20000), "console=ttyS0 panic=-1");
    assert.equal(u32(core, bp + 0xc8), 0, "ext_cmd_line_ptr");
    assert.equal(u64(core, bp + 0x70), 0xe0000n, "acpi_rsdp_addr");
    assert.equal(u32(core, bp + 0x218), 0, "no initrd");
    assert.equal(u8(core, bp + 0x1ef), 0, "sentinel stays 0");
    const n = u8(core, bp + 0x1e8);
    const map = Array.from({ length: n }, (_, i) => {
      const e = bp + 0x2d0 + 20 * i;
      return [u64(core, e), u64(core, e + 8), u32(core, e + 16)];
    });
    assert.deepEqual(map, [
      [0n, 0x9f000n, 1],
      [0x9f000n, 0x61000n, 2],
      [0x100000n, BigInt(31 * MIB), 1],
      [0xfec00000n, 0x1000n, 2],
      [0xfee00000n, 0x1000n, 2],
    ]);
  });

  it("puts the initrd page-aligned at the top of RAM, below initrd_addr_max", () => {
    const initrd = pattern(0x12345, 9);
    const { core, result } = load({}, "", 32, initrd);
    assert.equal(result, 0, core.message());
    const at = u32(core, BOOT_PARAMS + 0x218);
    assert.equal(at, (32 * MIB - 0x12345) & ~0xfff);
    assert.equal(u32(core, BOOT_PARAMS + 0x21c), 0x12345);
    assert.deepEqual(core.guest.subarray(at, at + initrd.length), initrd);
    assert.equal(cstring(core, 0x20000), "", "an empty command line");

    const low = load({ initrdAddrMax: 0x17fffff }, "", 32, initrd);
    assert.equal(low.result, 0, low.core.message());
    assert.equal(u32(low.core, BOOT_PARAMS + 0x218), (0x1800000 - 0x12345) & ~0xfff);
  });

  it("aligns a relocatable kernel's pref_address up to kernel_alignment", () => {
    const { core, result } = load({ prefAddress: 0x1100000n });
    assert.equal(result, 0, core.message());
    assert.equal(core.get("rip"), 0x1200200n);
  });

  it("names what is wrong with a bad image", () => {
    const bad = bzImage();
    bad[0x1fe] = 0;
    bad[0x1ff] = 0;
    const core = loaderVm(linuxConfig(), [bad], 32);
    assert.equal(core.x.loadGuest(), -1);
    // What the file is comes first (loaders/kernel-format.ts; kernel-format.test.ts has the rest).
    assert.match(core.message(), /^kernel: unknown data \(66\.5 KiB, first bytes 0x00000000\); accepted: a Linux bzImage/);

    const noHdrS = bzImage();
    noHdrS[0x202] = 0x41;
    const c2 = loaderVm(linuxConfig(), [noHdrS], 32);
    assert.equal(c2.x.loadGuest(), -1);
    assert.match(c2.message(), /^kernel: a boot sector without a Linux setup header \("HdrS" at 0x202\); accepted: /);

    assert.equal(loadError({ version: 0x0204 }), "kernel: setup header version 2.04 is older than 2.06");
    assert.equal(loadError({ version: 0x020a }), "kernel: boot protocol 2.10 has no 64-bit entry point (it needs 2.12 or newer)");
    assert.equal(loadError({ xloadflags: 2 }), "kernel: not a 64-bit kernel (xloadflags 0x0002 lacks XLF_KERNEL_64)");
    assert.equal(loadError({ loadflags: 0 }), "kernel: loadflags 0x00 lack LOADED_HIGH (a zImage, not a bzImage)");
    assert.equal(loadError({ kernelAlignment: 0x300000 }), "kernel: kernel_alignment 0x300000 is not a power of two of at least 4 KiB");
    assert.equal(loadError({ prefAddress: 0x80000n, relocatable: 0 }), "kernel: pref_address 0x80000 is below 1 MiB");
    assert.equal(loadError({ initSize: 0 }), "kernel: init_size is 0");
    assert.equal(loadError({}, "", 16), "kernel: needs RAM up to 0x1200000 (loaded at 0x1000000, init_size 2 MiB) but the VM has 16 MiB of RAM");
  });

  it("refuses a truncated image", () => {
    const full = bzImage({ payload: 8 * MIB });
    const cut = full.subarray(0, 3 * MIB);
    const core = loaderVm(linuxConfig(), [cut], 32);
    assert.equal(core.x.loadGuest(), -1);
    assert.equal(core.message(), "kernel: truncated: syssize says 8 MiB, file has 2.9 MiB");
    const tiny = loaderVm(linuxConfig(), [full.subarray(0, 600)], 32);
    assert.equal(tiny.x.loadGuest(), -1);
    assert.equal(tiny.message(), "kernel: not a bzImage (the file has only 600 bytes)");
    const setupOnly = loaderVm(linuxConfig(), [full.subarray(0, 2560)], 32);
    assert.equal(setupOnly.x.loadGuest(), -1);
    assert.equal(setupOnly.message(), "kernel: truncated: the setup code takes 2.5 KiB, the file has 2.5 KiB");
  });

  it("refuses an initrd that does not fit and a command line that is too long", () => {
    const big = new Uint8Array(60 * MIB);
    assert.equal(loadError({ initrdAddrMax: 0x37ffffff }, "", 64, big),
      "initrd (60 MiB) does not fit below 0x3ffffff in 64 MiB of RAM (the kernel takes up to 0x1200000)");
    assert.equal(loadError({ initrdAddrMax: 0x1ffffff }, "", 64, new Uint8Array(15 * MIB)),
      "initrd (15 MiB) does not fit below 0x1ffffff in 64 MiB of RAM (the kernel takes up to 0x1200000)");
    assert.equal(loadError({ cmdlineSize: 10 }, "cmdline = console=ttyS0\n"),
      "kernel: the command line (13 bytes) is longer than the kernel's cmdline_size (10)");
  });

  it("puts tsc_early_khz=<the measured TSC rate> first on the command line", () => {
    const cmdlineWith = (cmdline: string, tscKhz: number, o: BzOptions = {}): string => {
      const core = loaderVm(linuxConfig(`cmdline = "${cmdline}"\n`), [bzImage(o)], 32);
      core.x.setTscKhz(tscKhz);
      assert.equal(core.x.loadGuest(), 0, core.message());
      return cstring(core, 0x20000);
    };
    assert.equal(cmdlineWith("console=ttyS0 -- init-arg", 2_684_353), "tsc_early_khz=2684353 console=ttyS0 -- init-arg");
    assert.equal(cmdlineWith("", 3_000_000), "tsc_early_khz=3000000 ");
    assert.equal(cmdlineWith("notsc=1 xtsc_early_khz=5", 1_000), "tsc_early_khz=1000 notsc=1 xtsc_early_khz=5");
    assert.equal(cmdlineWith("console=ttyS0 tsc=reliable", 2_684_353), "console=ttyS0 tsc=reliable", "the user's TSC choices stand");
    assert.equal(cmdlineWith("tsc_early_khz=1000", 2_684_353), "tsc_early_khz=1000");
    assert.equal(cmdlineWith("console=ttyS0", 2_684_353, { cmdlineSize: 20 }), "console=ttyS0", "no room: left out");
    const unknown = loaderVm(linuxConfig('cmdline = "console=ttyS0"\n'), [bzImage()], 32);
    assert.equal(unknown.x.loadGuest(), 0);
    assert.equal(cstring(unknown, 0x20000), "console=ttyS0", "the TSC rate is not known without setTscKhz");
  });

  it("reports a missing file from the host", () => {
    const core = loaderVm(linuxConfig("initrd = i.gz\n"), [bzImage()], 32);
    assert.equal(core.x.loadGuest(), -1);
    assert.equal(core.message(), "initrd: the host has no file for it");
    const none = loaderVm(linuxConfig(), [], 32);
    assert.equal(none.x.loadGuest(), -1);
    assert.equal(none.message(), "kernel: the host has no file for it");
  });

  it("loadGuest before vmSetup is an error, not a trap", async () => {
    const { Core } = await import("./harness");
    const core = new Core();
    assert.equal(core.x.loadGuest(), -1);
    assert.equal(core.message(), "loadGuest: no VM (call vmSetup first)");
  });

  it("a flat VM loads its image at `load` and enters at `entry`", () => {
    const core = loaderVm("[vm f]\nimage = f.bin\nmemory = 1\nload = 0x7c00\nentry = 0x7c10\nmode = real16\n", [pattern(100, 3)], 1);
    assert.equal(core.x.loadGuest(), 0, core.message());
    assert.deepEqual(core.guest.subarray(0x7c00, 0x7c00 + 100), pattern(100, 3));
    assert.equal(core.get("rip"), 0x7c10n);
    assert.equal(core.get("cr0"), 0x10n);
    const big = loaderVm("[vm f]\nimage = f.bin\nmemory = 1\nload = 0xff000\nmode = protected32\n", [new Uint8Array(8192)], 1);
    assert.equal(big.x.loadGuest(), -1);
    assert.equal(big.message(), "image (8 KiB) at load 0xff000 does not fit in 1 MiB of memory");
  });
});

describe("linux loader with Debian's kernel (cache/debian, fetched by set-up)", () => {
  it("validates and loads the real bzImage and initramfs", function () {
    const fs = require("node:fs") as typeof import("node:fs");
    const path = require("node:path") as typeof import("node:path");
    const dir = path.join(process.cwd(), "cache", "debian");
    const kernel = fs.existsSync(dir) ? fs.readdirSync(dir).find((f) => f.startsWith("vmlinuz-")) : undefined;
    assert.ok(kernel && fs.existsSync(path.join(dir, "initramfs.cpio.gz")), "cache/debian has no kernel and initramfs: `npm run setup` (or `npx wisp fetch-guests`) fetches them");
    const image = new Uint8Array(fs.readFileSync(path.join(dir, kernel!)));
    const initrd = new Uint8Array(fs.readFileSync(path.join(dir, "initramfs.cpio.gz")));
    const core = loaderVm(linuxConfig('cmdline = "console=ttyS0 panic=-1"\ninitrd = initramfs.cpio.gz\n', 256), [image, initrd], 256);
    assert.equal(core.x.loadGuest(), 0, core.message());
    const dv = new DataView(image.buffer, image.byteOffset);
    assert.ok(dv.getUint16(0x206, true) >= 0x020c);
    assert.equal(core.get("rip"), 0x1000200n);
    const at = u32(core, BOOT_PARAMS + 0x218);
    assert.equal(at % 4096, 0);
    assert.deepEqual(core.guest.subarray(at, at + initrd.length), initrd);
    assert.ok(at + initrd.length <= 256 * MIB);
    assert.match(core.output, /linux: boot protocol 2\.\d+, kernel at 0x1000000, initrd at 0x/);
  });
});
