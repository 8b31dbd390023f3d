// Flat guest images: each test/guests/*.S, test/guests/hostile/*.S, test/bench/*.S and boot/default-guest.S is assembled for a bare ELF
// target and linked at 0x1000 into a flat binary, out/guests/NAME.bin (the default guest: default.bin).
// Every guest may #include the guest library in boot/guest-lib/; the depfile makes an edit there rebuild them.
// The Multiboot test kernel (test/guests/multiboot/kernel.S, linked at 1 MiB by kernel.ld) is built three
// ways into out/guests/: multiboot.elf (ELF32 i386), multiboot64.elf (64-bit checks, linked as ELF64 and
// converted with `llvm-objcopy -O elf32-i386`), multiboot-aout.bin (a.out kludge, a flat binary), multiboot-low.elf
// (ELF32 linked at 0xc000, where the boot information would go by default); its
// module, multiboot-module.txt, is copied beside them. The CPU model's kernels (msr.S, tsc.S, nmi.S
// beside it) become multiboot-msr.elf, multiboot-tsc.elf and multiboot-nmi.elf. The blue-pill probe (test/guests/bluepill/probe.c),
// a static Linux program without libc, becomes out/guests/wisp-probe (build/bluepill.ts puts it in an
// initramfs).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ABI_INCLUDE } from './abi';
import { runStep } from './cache/stamp';
import { readDepfile } from './depfile';
import { runChecked } from './exec';
import { step } from './log';
import { abs, ensureDir, listFiles, rel } from './paths';
import { cToolchain, llvmObjcopy } from './toolchain';

export const GUEST_LOAD_ADDRESS = 0x1000;

export interface GuestSource { name: string; source: string }

const GUEST_DIRS = ['test/guests', 'test/guests/hostile', 'test/bench'];
const GUEST_LIB = 'boot/guest-lib';

export function guestSources(): GuestSource[] {
  const list = GUEST_DIRS.flatMap((dir) => listFiles(abs(dir), (n) => n.endsWith('.S'))
    .filter((f) => path.dirname(f) === abs(dir))
    .map((f) => ({ name: path.basename(f, '.S'), source: rel(f) })));
  if (fs.existsSync(abs('boot/default-guest.S'))) list.push({ name: 'default', source: 'boot/default-guest.S' });
  return list;
}

export function guestImage(name: string): string {
  return `out/guests/${name}.bin`;
}

export async function buildGuest(g: GuestSource): Promise<string> {
  const tc = cToolchain();
  const obj = `out/guests/obj/${g.name}.o`;
  const dep = `out/guests/obj/${g.name}.d`;
  const bin = guestImage(g.name);
  const ccArgs = ['-target', 'x86_64-unknown-none-elf', '-c', '-I', path.posix.dirname(g.source), '-I', GUEST_LIB, '-I', ABI_INCLUDE, '-MD', '-MF', dep, g.source, '-o', obj];
  const ldArgs = [`-Ttext=0x${GUEST_LOAD_ADDRESS.toString(16)}`, '-e', 'start', '--oformat', 'binary', obj, '-o', bin];
  await runStep({ id: `guest/${g.name}`, key: { ccArgs, ldArgs, tc: tc.version }, inputs: [g.source], outputs: [bin] }, async () => {
    step(`guest ${g.source} -> ${bin}`);
    ensureDir(abs('out/guests/obj'));
    await runChecked(`assembling guest ${g.source}`, tc.clang, ccArgs);
    await runChecked(`linking guest ${g.name}`, tc.ldLld, ldArgs);
    return readDepfile(dep);
  });
  return bin;
}

const MULTIBOOT_DIR = 'test/guests/multiboot';

interface MultibootBuild {
  file: string; bits: 32 | 64; defines: string[]; format: 'elf' | 'binary'; loadAddress?: string;
  source?: string;                              // in MULTIBOOT_DIR; default kernel.S
}

const MULTIBOOT_BUILDS: MultibootBuild[] = [
  { file: 'multiboot.elf', bits: 32, defines: [], format: 'elf' },
  { file: 'multiboot64.elf', bits: 64, defines: ['-DGUEST_BITS=64'], format: 'elf' },
  { file: 'multiboot-aout.bin', bits: 32, defines: ['-DAOUT_KLUDGE'], format: 'binary' },
  // Linked low, over where wisp puts the boot information by default (0x8000-0xffff,
  // as-src/loaders/kernel-range.ts). 0xc000, not lower: plain QEMU 7.2, which the run-kernel test
  // compares with, garbles the information of a kernel at 0x8000 or 0x9000 (its own loader's area).
  { file: 'multiboot-low.elf', bits: 32, defines: [], format: 'elf', loadAddress: '0xc000' },
  // The CPU model as test kernels meet it (README.md beside the sources): MSRs, the TSC, NMIs.
  { file: 'multiboot-msr.elf', bits: 32, defines: [], format: 'elf', source: 'msr.S' },
  { file: 'multiboot-tsc.elf', bits: 32, defines: [], format: 'elf', source: 'tsc.S' },
  { file: 'multiboot-nmi.elf', bits: 32, defines: [], format: 'elf', source: 'nmi.S' },
];
export const MULTIBOOT_MODULE = 'multiboot-module.txt';

async function buildMultibootKernel(b: MultibootBuild): Promise<string> {
  const tc = cToolchain();
  const source = `${MULTIBOOT_DIR}/${b.source ?? 'kernel.S'}`;
  const script = `${MULTIBOOT_DIR}/kernel.ld`;
  const stem = path.basename(b.file, path.extname(b.file));
  const obj = `out/guests/obj/${stem}.o`;
  const dep = `out/guests/obj/${stem}.d`;
  const out = `out/guests/${b.file}`;
  const linked = b.bits === 64 ? `out/guests/obj/${stem}.elf64` : out;
  const ccArgs = ['-target', b.bits === 64 ? 'x86_64-unknown-none-elf' : 'i386-unknown-none-elf', ...b.defines,
    '-c', '-I', GUEST_LIB, '-I', ABI_INCLUDE, '-MD', '-MF', dep, source, '-o', obj];
  const ldArgs = ['-m', b.bits === 64 ? 'elf_x86_64' : 'elf_i386', '-T', script,
    ...(b.loadAddress ? [`--defsym=load_address=${b.loadAddress}`] : []),
    ...(b.format === 'binary' ? ['--oformat', 'binary'] : []), obj, '-o', linked];
  const objcopy = b.bits === 64 ? llvmObjcopy() : '';
  const objcopyArgs = b.bits === 64 ? ['-O', 'elf32-i386', linked, out] : [];
  await runStep({ id: `guest/${stem}`, key: { ccArgs, ldArgs, objcopyArgs, tc: tc.version }, inputs: [source, script], outputs: [out] }, async () => {
    step(`guest ${source} -> ${out}`);
    ensureDir(abs('out/guests/obj'));
    await runChecked(`assembling Multiboot kernel ${b.file}`, tc.clang, ccArgs);
    await runChecked(`linking Multiboot kernel ${b.file}`, tc.ldLld, ldArgs);
    if (objcopy) await runChecked(`converting ${linked} to elf32-i386`, objcopy, objcopyArgs);
    return readDepfile(dep);
  });
  return out;
}

/** The Multiboot test kernels and their module, in out/guests/. */
export async function buildMultibootGuests(): Promise<string[]> {
  const out: string[] = [];
  for (const b of MULTIBOOT_BUILDS) out.push(await buildMultibootKernel(b));
  const source = `${MULTIBOOT_DIR}/${MULTIBOOT_MODULE}`;
  const copy = `out/guests/${MULTIBOOT_MODULE}`;
  await runStep({ id: 'guest/multiboot-module', key: { copy }, inputs: [source], outputs: [copy] }, async () => {
    step(`guest ${source} -> ${copy}`);
    fs.copyFileSync(abs(source), abs(copy));
  });
  out.push(copy);
  return out;
}

const PROBE_SOURCE = 'test/guests/bluepill/probe.c';
export const PROBE = 'out/guests/wisp-probe';

/** The blue-pill probe: a static x86-64 Linux executable, no libc (its own _start and system calls). */
export async function buildProbe(): Promise<string> {
  const tc = cToolchain();
  const obj = 'out/guests/obj/wisp-probe.o';
  const dep = 'out/guests/obj/wisp-probe.d';
  const ccArgs = ['-target', 'x86_64-linux-gnu', '-O2', '-ffreestanding', '-fno-stack-protector', '-fno-builtin', '-fno-pic',
    '-nostdlib', '-static', '-Wall', '-Wextra', '-I', ABI_INCLUDE, '-c', '-MD', '-MF', dep, PROBE_SOURCE, '-o', obj];
  const ldArgs = ['-static', '-e', '_start', '--gc-sections', obj, '-o', PROBE];
  await runStep({ id: 'guest/wisp-probe', key: { ccArgs, ldArgs, tc: tc.version }, inputs: [PROBE_SOURCE], outputs: [PROBE] }, async () => {
    step(`guest ${PROBE_SOURCE} -> ${PROBE}`);
    ensureDir(abs('out/guests/obj'));
    await runChecked(`compiling ${PROBE_SOURCE}`, tc.clang, ccArgs);
    await runChecked('linking wisp-probe', tc.ldLld, ldArgs);
    return readDepfile(dep);
  });
  return PROBE;
}

export async function buildGuests(): Promise<string[]> {
  const out: string[] = [];
  for (const g of guestSources()) out.push(await buildGuest(g));
  out.push(...await buildMultibootGuests());
  out.push(await buildProbe());
  return out;
}
