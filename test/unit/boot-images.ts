// Synthetic boot images for the loader tests: a bzImage with a real setup header, ELF32/ELF64
// Multiboot kernels, an a.out-kludge kernel. Field offsets from Documentation/arch/x86/boot.rst,
// the Multiboot 0.6.96 specification and the ELF gABI.

import { Core } from "./harness";

export const MIB = 1 << 20;

export interface BzOptions {
  setupSects?: number;
  payload?: number;            // bytes of protected-mode kernel
  version?: number;
  loadflags?: number;
  xloadflags?: number;
  prefAddress?: bigint;
  initSize?: number;
  kernelAlignment?: number;
  relocatable?: number;
  initrdAddrMax?: number;
  cmdlineSize?: number;
}

/** A bzImage: setup sectors with the header, then `payload` bytes of pattern. */
export function bzImage(o: BzOptions = {}): Uint8Array {
  const sects = o.setupSects ?? 4;
  const setup = ((sects === 0 ? 4 : sects) + 1) * 512;
  const payload = o.payload ?? 0x10000;
  const img = new Uint8Array(setup + payload);
  const dv = new DataView(img.buffer);
  img[0x1f1] = sects;
  dv.setUint32(0x1f4, Math.ceil(payload / 16), true);       // syssize
  dv.setUint16(0x1fe, 0xaa55, true);                         // boot_flag
  img[0x200] = 0xeb;                                         // jmp short
  img[0x201] = 0x6a;                                         // header ends at 0x26c
  dv.setUint32(0x202, 0x53726448, true);                     // "HdrS"
  dv.setUint16(0x206, o.version ?? 0x020f, true);
  img[0x211] = o.loadflags ?? 0x01;                          // LOADED_HIGH
  dv.setUint32(0x22c, o.initrdAddrMax ?? 0x7fffffff, true);
  dv.setUint32(0x230, o.kernelAlignment ?? 0x200000, true);
  img[0x234] = o.relocatable ?? 1;
  dv.setUint16(0x236, o.xloadflags ?? 0x3, true);            // XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G
  dv.setUint32(0x238, o.cmdlineSize ?? 2047, true);
  dv.setBigUint64(0x258, o.prefAddress ?? 0x1000000n, true);
  dv.setUint32(0x260, o.initSize ?? 0x200000, true);
  for (let i = 0; i < payload; i++) img[setup + i] = (i * 7 + 3) & 0xff;
  return img;
}

export function pattern(n: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 13 + seed) & 0xff);
}

/** The 12-byte Multiboot header (+ a.out fields when given). */
export function multibootHeader(flags: number, aout?: number[]): Uint8Array {
  const h = new Uint8Array(aout ? 32 : 12);
  const dv = new DataView(h.buffer);
  dv.setUint32(0, 0x1badb002, true);
  dv.setUint32(4, flags >>> 0, true);
  dv.setUint32(8, (-(0x1badb002 + flags)) >>> 0, true);
  aout?.forEach((v, i) => dv.setUint32(12 + 4 * i, v >>> 0, true));
  return h;
}

export interface Segment { paddr: number; vaddr?: number; data: Uint8Array; memsz?: number }

/** An ELF32 i386 (or ELF64 x86-64) executable with the given PT_LOAD segments. */
export function elf(segments: Segment[], entry: number, is64 = false, machine?: number): Uint8Array {
  const ehsize = is64 ? 64 : 52;
  const phentsize = is64 ? 56 : 32;
  let offset = ehsize + phentsize * segments.length;
  const offsets = segments.map((s) => { const o = offset; offset += s.data.length; return o; });
  const img = new Uint8Array(offset);
  const dv = new DataView(img.buffer);
  img.set([0x7f, 0x45, 0x4c, 0x46, is64 ? 2 : 1, 1, 1]);
  dv.setUint16(16, 2, true);                                    // ET_EXEC
  dv.setUint16(18, machine ?? (is64 ? 62 : 3), true);
  dv.setUint32(20, 1, true);
  if (is64) {
    dv.setBigUint64(24, BigInt(entry), true);
    dv.setBigUint64(32, 64n, true);                             // e_phoff
    dv.setUint16(52, 64, true);
    dv.setUint16(54, phentsize, true);
    dv.setUint16(56, segments.length, true);
  } else {
    dv.setUint32(24, entry, true);
    dv.setUint32(28, 52, true);
    dv.setUint16(40, 52, true);
    dv.setUint16(42, phentsize, true);
    dv.setUint16(44, segments.length, true);
  }
  segments.forEach((s, i) => {
    const p = ehsize + i * phentsize;
    const vaddr = s.vaddr ?? s.paddr;
    const memsz = s.memsz ?? s.data.length;
    dv.setUint32(p, 1, true);                                   // PT_LOAD
    if (is64) {
      dv.setUint32(p + 4, 7, true);
      dv.setBigUint64(p + 8, BigInt(offsets[i]), true);
      dv.setBigUint64(p + 16, BigInt(vaddr), true);
      dv.setBigUint64(p + 24, BigInt(s.paddr), true);
      dv.setBigUint64(p + 32, BigInt(s.data.length), true);
      dv.setBigUint64(p + 40, BigInt(memsz), true);
    } else {
      dv.setUint32(p + 4, offsets[i], true);
      dv.setUint32(p + 8, vaddr, true);
      dv.setUint32(p + 12, s.paddr, true);
      dv.setUint32(p + 16, s.data.length, true);
      dv.setUint32(p + 20, memsz, true);
      dv.setUint32(p + 24, 7, true);
    }
    img.set(s.data, offsets[i]);
  });
  return img;
}

/** A Multiboot ELF32 kernel at 1 MiB: header first in .text, a .data segment with .bss. */
export function multibootElf(flags = 0x3, is64 = false): Uint8Array {
  const text = new Uint8Array(0x200);
  text.set(multibootHeader(flags), 0);
  text.set(pattern(0x100, 1), 0x100);
  const data = pattern(0x300, 2);
  return elf([
    { paddr: 0x100000, data: text },
    { paddr: 0x101000, data, memsz: 0x2000 },
  ], 0x100100, is64);
}

/** An a.out-kludge kernel: header at file offset 0x40, loaded at 1 MiB. */
export function multibootAout(bss = 0x3000): Uint8Array {
  const img = pattern(0x800, 5);
  const load = 0x100000;
  img.set(multibootHeader(0x10003, [load + 0x40, load, load + img.length, load + img.length + bss, load + 0x80]), 0x40);
  return img;
}

export function linuxConfig(extra = "", memory = 32): string {
  return `[vm linux]\nkernel = bzImage\nmemory = ${memory}\n${extra}`;
}

export function multibootConfig(extra = "", memory = 4): string {
  return `[vm mb]\nmultiboot = kernel.elf\nmemory = ${memory}\n${extra}`;
}

/** A core set up with `config` (guest memory as large as its memory key) and the given images. */
export function loaderVm(config: string, images: Array<Uint8Array | undefined>, memoryMiB: number): Core {
  const core = new Core({ guestBytes: memoryMiB * MIB });
  core.images = images;
  if (core.setup(config) !== 0) throw new Error(core.message());
  return core;
}

export function u8(core: Core, gpa: number): number { return core.guest[gpa]; }
export function u16(core: Core, gpa: number): number { return new DataView(core.guest.buffer).getUint16(gpa, true); }
export function u32(core: Core, gpa: number): number { return new DataView(core.guest.buffer).getUint32(gpa, true); }
export function u64(core: Core, gpa: number): bigint { return new DataView(core.guest.buffer).getBigUint64(gpa, true); }
export function cstring(core: Core, gpa: number): string {
  let end = gpa;
  while (core.guest[end] !== 0) end++;
  return Buffer.from(core.guest.subarray(gpa, end)).toString("latin1");
}

/** The vCPU area's entry-only GDTR fields. */
export function entryGdtr(core: Core): { base: bigint; limit: bigint } {
  const dv = core.view();
  const area = core.x.vcpuStateOffset();
  return { base: dv.getBigUint64(area + 0x1f0, true), limit: dv.getBigUint64(area + 0x1f8, true) };
}
