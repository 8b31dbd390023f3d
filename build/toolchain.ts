// Finds the external tools and checks their versions, with one clear message per problem.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { WispError } from './log';
import { root } from './paths';

export const OVMF_CODE = '/usr/share/OVMF/OVMF_CODE_4M.fd';
export const OVMF_VARS = '/usr/share/OVMF/OVMF_VARS_4M.fd';

const MIN_LLVM = 14;
const MIN_NODE = 20;

function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, name);
    try { fs.accessSync(p, fs.constants.X_OK); return p; } catch { /* next */ }
  }
  return null;
}

/** `name`, or the newest `name-NN` (Debian's versioned LLVM binaries). */
function findLlvmTool(name: string): string | null {
  if (onPath(name)) return name;
  for (let v = 20; v >= MIN_LLVM; v--) if (onPath(`${name}-${v}`)) return `${name}-${v}`;
  return null;
}

function missing(tool: string, pkg: string): WispError {
  return new WispError(`${tool} not found: install the Debian package ${pkg} (\`npm run setup\` does, as root; or \`sudo apt-get install ${pkg}\`)`);
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
  const clang = findLlvmTool('clang');
  if (!clang) throw missing('clang', 'clang');
  const ldLld = findLlvmTool('ld.lld');
  const lldLink = findLlvmTool('lld-link');
  if (!ldLld || !lldLink) throw missing(ldLld ? 'lld-link' : 'ld.lld', 'lld');
  const cv = versionOf(clang, /clang version (\d+[\d.]*)/);
  if (cv.major < MIN_LLVM) throw new WispError(`clang ${cv.text} is too old: clang ${MIN_LLVM} or newer is needed (Debian 12: package clang)`);
  const lv = versionOf(ldLld, /LLD (\d+[\d.]*)/);
  if (lv.major < MIN_LLVM) throw new WispError(`ld.lld ${lv.text} is too old: lld ${MIN_LLVM} or newer is needed (Debian 12: package lld)`);
  cached = { clang, ldLld, lldLink, version: `clang ${cv.text}, lld ${lv.text}` };
  return cached;
}

/** llvm-objcopy (Debian package llvm), LLVM 14 or newer: the 64-bit Multiboot test kernel is converted with it. */
export function llvmObjcopy(): string {
  const objcopy = findLlvmTool('llvm-objcopy');
  if (!objcopy) throw missing('llvm-objcopy', 'llvm');
  return objcopy;
}

export function checkNode(): void {
  const major = parseInt(process.versions.node.split('.')[0], 10);
  if (major < MIN_NODE) throw new WispError(`Node ${process.versions.node} is too old: Node ${MIN_NODE} or newer is needed`);
}

/** qemu-system-x86_64 and the OVMF files. */
export function qemuToolchain(): { qemu: string; ovmfCode: string; ovmfVars: string } {
  const qemu = onPath('qemu-system-x86_64');
  if (!qemu) throw missing('qemu-system-x86_64', 'qemu-system-x86');
  for (const f of [OVMF_CODE, OVMF_VARS]) if (!fs.existsSync(f)) throw missing(f, 'ovmf');
  return { qemu, ovmfCode: OVMF_CODE, ovmfVars: OVMF_VARS };
}

/** mkfs.vfat (dosfstools) and mtools' mmd/mcopy, for disk images. */
export function fatTools(): { mkfs: string; mmd: string; mcopy: string } {
  const mkfs = onPath('mkfs.vfat') ?? (fs.existsSync('/usr/sbin/mkfs.vfat') ? '/usr/sbin/mkfs.vfat' : null) ?? (fs.existsSync('/sbin/mkfs.vfat') ? '/sbin/mkfs.vfat' : null);
  if (!mkfs) throw missing('mkfs.vfat', 'dosfstools');
  if (!onPath('mmd') || !onPath('mcopy')) throw missing('mmd/mcopy', 'mtools');
  return { mkfs, mmd: 'mmd', mcopy: 'mcopy' };
}

/** A program from node_modules/.bin (wasm2c, asc, mocha...). */
export function nodeBin(name: string, pkg: string): string {
  const p = path.join(root, 'node_modules', '.bin', name);
  if (!fs.existsSync(p)) throw new WispError(`${name} not found in node_modules: run \`npm ci\` (package ${pkg})`);
  return p;
}
