// The external tools by role (found through build/tools.ts's table) and their versions, with one
// clear message per problem.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { WispError } from './log';
import { root } from './paths';
import { file, program } from './tools';

const MIN_LLVM = 14;
// mocha 12's range (its package.json "engines": ^20.19.0 || >=22.12.0): what `wisp test` runs.
const NODE_RANGE = 'Node 20.19 or a later 20, or Node 22.12 or later';

/** Node `version` (e.g. "20.20.2") is one mocha 12 runs on. */
export function nodeSupported(version: string): boolean {
  const [major, minor] = version.split('.').map((n) => parseInt(n, 10));
  return (major === 20 && minor >= 19) || (major === 22 && minor >= 12) || major > 22;
}

function versionOf(cmd: string, re: RegExp): { text: string; major: number } {
  const out = execFileSync(cmd, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const m = re.exec(out);
  return { text: m ? m[1] : out.split('\n')[0], major: m ? parseInt(m[1], 10) : 0 };
}

export interface Toolchain { clang: string; ldLld: string; lldLink: string; version: string }

let cached: Toolchain | undefined;

/** clang, ld.lld and lld-link, LLVM 14 or newer. */
export function cToolchain(): Toolchain {
  if (cached) return cached;
  const clang = program('clang');
  const ldLld = program('ld.lld');
  const lldLink = program('lld-link');
  const cv = versionOf(clang, /clang version (\d+[\d.]*)/);
  if (cv.major < MIN_LLVM) throw new WispError(`clang ${cv.text} is too old: clang ${MIN_LLVM} or newer is needed (Debian 12: package clang)`);
  const lv = versionOf(ldLld, /LLD (\d+[\d.]*)/);
  if (lv.major < MIN_LLVM) throw new WispError(`ld.lld ${lv.text} is too old: lld ${MIN_LLVM} or newer is needed (Debian 12: package lld)`);
  cached = { clang, ldLld, lldLink, version: `clang ${cv.text}, lld ${lv.text}` };
  return cached;
}

/** llvm-objcopy (Debian package llvm), LLVM 14 or newer: the 64-bit Multiboot test kernel is converted with it. */
export function llvmObjcopy(): string {
  return program('llvm-objcopy');
}

export function checkNode(): void {
  if (!nodeSupported(process.versions.node)) {
    throw new WispError(`Node ${process.versions.node}: wisp's tests (mocha 12) need ${NODE_RANGE}`);
  }
}

/** qemu-system-x86_64 and the OVMF files. */
export function qemuToolchain(): { qemu: string; ovmfCode: string; ovmfVars: string } {
  return { qemu: program('qemu-system-x86_64'), ovmfCode: file('ovmf-code'), ovmfVars: file('ovmf-vars') };
}

/** mkfs.vfat (dosfstools) and mtools' mmd/mcopy, for disk images. */
export function fatTools(): { mkfs: string; mmd: string; mcopy: string } {
  return { mkfs: program('mkfs.vfat'), mmd: program('mmd'), mcopy: program('mcopy') };
}

/** A program from node_modules/.bin (wasm2c, asc, mocha...). */
export function nodeBin(name: string, pkg: string): string {
  const p = path.join(root, 'node_modules', '.bin', name);
  if (!fs.existsSync(p)) throw new WispError(`${name} not found in node_modules: run \`npm ci\` (package ${pkg})`);
  return p;
}
