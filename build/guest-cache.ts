// The Linux guest: Debian's own kernel (the versioned package linux-image-amd64 depends on) and
// busybox-static, fetched with `apt-get download` into cache/debian/ (ignored by git), unpacked
// with `dpkg -x`, and a BusyBox initramfs (cpio newc, gzip) written here in TypeScript.
// Idempotent: a stamp records the packages and the initramfs recipe; a second call only checks.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { run, runChecked } from './exec';
import { onInterrupt } from './interrupt';
import { progress, step, warn, WispError } from './log';
import { program } from './tools';
import { abs, ensureDir, rel } from './paths';

export interface LinuxGuest {
  kernel: string;
  initrd: string;
  /** The static busybox the initramfs holds (for other initramfs variants: build/bluepill.ts). */
  busybox: string;
}

const CACHE = 'cache/debian';
const KERNEL_META = 'linux-image-amd64';
const BUSYBOX = 'busybox-static';
/** The unpacked busybox-static's binary, under CACHE (kept: other initramfs variants use it). */
const BUSYBOX_BIN = 'busybox-root/bin/busybox';
const RECIPE_VERSION = 2;                      // bump when the initramfs layout changes

// PID 1 prepares the file systems, then hands over to BusyBox init, which runs the console shell
// and carries out `poweroff` and `reboot` (BusyBox's poweroff signals init; a shell would ignore it).
const INIT = `#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev
/bin/busybox mkdir -p /dev/pts
/bin/busybox mount -t devpts devpts /dev/pts
/bin/busybox hostname wisp
exec /bin/busybox init
`;

const INITTAB = `::sysinit:/bin/echo "wisp: BusyBox $(/bin/busybox | /bin/busybox head -n 1 | /bin/busybox cut -d' ' -f2) on Linux $(/bin/busybox uname -r), shell on the console"
::respawn:/bin/cttyhack /bin/sh -l
::ctrlaltdel:/sbin/reboot
::shutdown:/bin/busybox umount -a -r
`;

const PROFILE = `export PATH=/bin:/sbin:/usr/bin:/usr/sbin
export PS1='wisp# '
`;

interface Stamp { kernelPackage: string; busyboxDeb: string; recipe: string; kernel: string; initrd: string }

function recipeHash(): string {
  return crypto.createHash('sha256').update(JSON.stringify([RECIPE_VERSION, INIT, INITTAB, PROFILE])).digest('hex').slice(0, 16);
}

/** The versioned kernel package behind linux-image-amd64, e.g. linux-image-6.1.0-56-amd64. */
async function kernelPackage(): Promise<string | null> {
  const r = await run(program('apt-cache'), ['depends', KERNEL_META]).catch(() => null);
  const m = r && r.status === 0 ? /Depends:\s*(linux-image-[0-9][^\s]*-amd64)\b/.exec(r.stdout) : null;
  return m ? m[1] : null;
}

/** Where apt keeps a download it has not finished (Dir::Cache::Archives, Debian's default). */
const APT_PARTIAL = '/var/cache/apt/archives/partial';

/** The .deb's size from the package lists (`Size:`), for the progress line; undefined if apt-cache does not say. */
async function packageSize(pkg: string): Promise<number | undefined> {
  const r = await run(program('apt-cache'), ['show', '--no-all-versions', pkg]).catch(() => null);
  const m = r && r.status === 0 ? /^Size: (\d+)$/m.exec(r.stdout) : null;
  return m ? Number(m[1]) : undefined;
}

/** The bytes of PKG's .deb written so far in any of `dirs` (files that were there before excepted). */
function bytesSoFar(pkg: string, dirs: string[], before: Set<string>): number {
  let bytes = 0;
  for (const d of dirs) {
    let names: string[] = [];
    try { names = fs.readdirSync(d); } catch { /* not there, or not ours to read */ }
    for (const n of names) {
      if (!n.startsWith(`${pkg}_`) || (d !== APT_PARTIAL && before.has(n))) continue;
      try { bytes += fs.statSync(path.join(d, n)).size; } catch { /* gone meanwhile */ }
    }
  }
  return bytes;
}

/** PKG's .deb files in dir that were not there before. */
function newDebs(pkg: string, dir: string, before: Set<string>): string[] {
  return fs.readdirSync(dir).filter((f) => !before.has(f) && f.startsWith(`${pkg}_`) && f.endsWith('.deb'));
}

/** `apt-get download PKG` into dir; returns the .deb's file name. */
async function download(pkg: string, dir: string): Promise<string> {
  const before = new Set(fs.readdirSync(dir));
  const existing = [...before].find((f) => f.startsWith(`${pkg}_`) && f.endsWith('.deb'));
  if (existing) return existing;
  step(`apt-get download ${pkg} -> ${rel(dir)}/`);
  const total = await packageSize(pkg);
  const shown = progress(`apt-get download ${pkg}`, { total });
  // apt-get writes the .deb straight into dir (as root, unsandboxed) or into its partial/ folder first.
  const poll = setInterval(() => shown.update(bytesSoFar(pkg, [dir, APT_PARTIAL], before)), 250);
  // A download cut short (Ctrl-C, a failure) would be taken for a whole .deb by the next run.
  const removeUnfinished = (): void => { for (const f of newDebs(pkg, dir, before)) fs.rmSync(path.join(dir, f), { force: true }); };
  const forget = onInterrupt(removeUnfinished);
  try {
    await runChecked(`downloading ${pkg} from Debian`, program('apt-get'), ['download', pkg], { cwd: dir });
  } catch (e) {
    removeUnfinished();
    throw e;
  } finally {
    clearInterval(poll);
    shown.end();
    forget();
  }
  const deb = newDebs(pkg, dir, before)[0];
  if (!deb) throw new WispError(`apt-get download ${pkg} left no ${pkg}_*.deb in ${rel(dir)}`);
  return deb;
}

async function unpack(dir: string, deb: string, into: string): Promise<void> {
  fs.rmSync(into, { recursive: true, force: true });
  ensureDir(into);
  step(`dpkg -x ${deb}`);
  const shown = progress(`dpkg -x ${deb}`);
  await runChecked(`unpacking ${deb}`, program('dpkg'), ['-x', path.join(dir, deb), into]).finally(() => shown.end());
}

// ---- cpio "newc" (the format the kernel unpacks: Documentation/driver-api/early-userspace/buffer-format.rst) ----

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;

export interface CpioEntry { name: string; mode: number; data?: Buffer; rdev?: [number, number] }

function cpioHeader(ino: number, e: CpioEntry, size: number): Buffer {
  const hex = (v: number) => v.toString(16).padStart(8, '0');
  const nameSize = Buffer.byteLength(e.name) + 1;
  const fields = [
    ino, e.mode, 0, 0, 1, 0, size,               // ino mode uid gid nlink mtime filesize
    0, 0, e.rdev?.[0] ?? 0, e.rdev?.[1] ?? 0,      // devmajor devminor rdevmajor rdevminor
    nameSize, 0,                                 // namesize check
  ];
  return Buffer.from(`070701${fields.map(hex).join('')}${e.name}\0`, 'latin1');
}

const pad4 = (n: number) => Buffer.alloc((4 - (n % 4)) % 4);

export function cpioNewc(entries: CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  let ino = 1;
  for (const e of [...entries, { name: 'TRAILER!!!', mode: 0 }]) {
    const data = e.data ?? Buffer.alloc(0);
    const h = cpioHeader(e.name === 'TRAILER!!!' ? 0 : ino++, e, data.length);
    parts.push(h, pad4(h.length), data, pad4(data.length));
  }
  const all = Buffer.concat(parts);
  return Buffer.concat([all, Buffer.alloc((512 - (all.length % 512)) % 512)]);
}

/**
 * The base of every BusyBox initramfs: the usual directories, /dev/console and /dev/null, busybox
 * and a link for each of its applets. Callers add /init and what else they need.
 */
export async function busyboxEntries(busybox: string): Promise<{ entries: CpioEntry[]; applets: number }> {
  const list = await runChecked('listing the busybox applets', busybox, ['--list-full']);
  const applets = list.stdout.split('\n').map((s) => s.trim()).filter((s) => /^[a-z0-9/._[\]-]+$/i.test(s) && s !== 'bin/busybox');
  const dirs = ['bin', 'sbin', 'usr', 'usr/bin', 'usr/sbin', 'dev', 'proc', 'sys', 'tmp', 'etc', 'root', 'run', 'mnt'];
  const entries: CpioEntry[] = dirs.map((d) => ({ name: d, mode: S_IFDIR | 0o755 }));
  entries.push({ name: 'dev/console', mode: S_IFCHR | 0o600, rdev: [5, 1] });
  entries.push({ name: 'dev/null', mode: S_IFCHR | 0o666, rdev: [1, 3] });
  entries.push({ name: 'bin/busybox', mode: S_IFREG | 0o755, data: fs.readFileSync(busybox) });
  for (const a of applets) entries.push({ name: a, mode: S_IFLNK | 0o777, data: Buffer.from('/bin/busybox') });
  return { entries, applets: applets.length };
}

/** A regular file entry (mode: permission bits). */
export function cpioFile(name: string, data: string | Buffer, mode = 0o644): CpioEntry {
  return { name, mode: S_IFREG | mode, data: Buffer.isBuffer(data) ? data : Buffer.from(data) };
}

/** Writes entries as a gzip-compressed cpio "newc" archive (what the kernel unpacks as initramfs). */
export function writeInitramfs(out: string, entries: CpioEntry[]): void {
  const tmp = `${out}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, zlib.gzipSync(cpioNewc(entries), { level: 9 }));
  fs.renameSync(tmp, out);              // a reader (a running QEMU, another build) never sees half a file
}

/** The initramfs: busybox with its applet links, /init, BusyBox init's inittab, /dev/console. */
async function buildInitramfs(busybox: string, out: string): Promise<void> {
  const { entries, applets } = await busyboxEntries(busybox);
  entries.push(cpioFile('init', INIT, 0o755));
  entries.push(cpioFile('etc/inittab', INITTAB));
  entries.push(cpioFile('etc/profile', PROFILE));
  writeInitramfs(out, entries);
  step(`initramfs: busybox + ${applets} applet links -> ${rel(out)} (${(fs.statSync(out).size / 1024).toFixed(0)} KiB)`);
}

/** Fetches (once) Debian's kernel and busybox-static and builds the initramfs; returns their paths. */
export async function ensureLinuxGuest(): Promise<LinuxGuest> {
  const dir = abs(CACHE);
  ensureDir(dir);
  const stampFile = path.join(dir, 'guest.json');
  let stamp: Stamp | null = null;
  try { stamp = JSON.parse(fs.readFileSync(stampFile, 'utf8')) as Stamp; } catch { /* none yet */ }
  const cached = stamp && stamp.recipe === recipeHash() && fs.existsSync(abs(stamp.kernel)) && fs.existsSync(abs(stamp.initrd)) ? stamp : null;

  const pkg = await kernelPackage();
  if (!pkg) {
    if (cached) {
      warn(`apt-cache cannot resolve ${KERNEL_META}; using the cached ${cached.kernelPackage}`);
      return { kernel: abs(cached.kernel), initrd: abs(cached.initrd), busybox: path.join(dir, BUSYBOX_BIN) };
    }
    throw new WispError(`cannot resolve ${KERNEL_META} with apt-cache (is this Debian with its package lists? run \`apt-get update\`)`);
  }
  if (cached && cached.kernelPackage === pkg) return { kernel: abs(cached.kernel), initrd: abs(cached.initrd), busybox: path.join(dir, BUSYBOX_BIN) };

  step(`linux guest: ${pkg} and ${BUSYBOX} from Debian`);
  const kernelDeb = await download(pkg, dir);
  const busyboxDeb = await download(BUSYBOX, dir);
  const kernelRoot = path.join(dir, 'kernel-root');
  const busyboxRoot = path.join(dir, 'busybox-root');
  await unpack(dir, kernelDeb, kernelRoot);
  await unpack(dir, busyboxDeb, busyboxRoot);

  const version = pkg.replace(/^linux-image-/, '');
  const vmlinuz = path.join(kernelRoot, 'boot', `vmlinuz-${version}`);
  if (!fs.existsSync(vmlinuz)) throw new WispError(`${kernelDeb} holds no boot/vmlinuz-${version}`);
  const kernel = path.join(dir, `vmlinuz-${version}`);
  fs.copyFileSync(vmlinuz, kernel);
  const busybox = path.join(dir, BUSYBOX_BIN);
  if (!fs.existsSync(busybox)) throw new WispError(`${busyboxDeb} holds no bin/busybox`);
  const initrd = path.join(dir, 'initramfs.cpio.gz');
  await buildInitramfs(busybox, initrd);
  fs.rmSync(kernelRoot, { recursive: true, force: true });   // the modules tree is large and unused

  const next: Stamp = { kernelPackage: pkg, busyboxDeb, recipe: recipeHash(), kernel: rel(kernel), initrd: rel(initrd) };
  fs.writeFileSync(stampFile, `${JSON.stringify(next, null, 2)}\n`);
  step(`linux guest: ${rel(kernel)} + ${rel(initrd)}`);
  return { kernel, initrd, busybox };
}
