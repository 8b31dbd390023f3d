// The EFI system partition's file system: FAT32 made by mkfs.vfat (dosfstools) on a partition-sized
// file, filled with mtools' mmd/mcopy (no mounting, no root needed).
import * as fs from 'node:fs';
import { runChecked } from '../build/exec';
import { fatTools } from '../build/toolchain';

export interface FatFile { path: string /* e.g. EFI/BOOT/BOOTX64.EFI */; source: string }

/** Smallest FAT32 volume mkfs.vfat makes with 512-byte clusters (65525 clusters + FATs). */
export const MIN_FAT32_BYTES = 33 * 1024 * 1024;

export async function makeFat(opts: { file: string; bytes: number; hiddenSectors: number; label: string; files: FatFile[] }): Promise<void> {
  const t = fatTools();
  fs.rmSync(opts.file, { force: true });
  fs.closeSync(fs.openSync(opts.file, 'w'));
  fs.truncateSync(opts.file, opts.bytes);
  // -h: the partition's first LBA, so the boot sector's hidden-sectors field is right on the disk.
  await runChecked('mkfs.vfat', t.mkfs, ['-F', '32', '-n', opts.label, '-h', String(opts.hiddenSectors), opts.file]);
  const env = { ...process.env, MTOOLS_SKIP_CHECK: '1' };
  const dirs = new Set<string>();
  for (const f of opts.files) {
    const parts = f.path.split('/').slice(0, -1);
    for (let i = 1; i <= parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  const sortedDirs = [...dirs].sort((a, b) => a.split('/').length - b.split('/').length);
  if (sortedDirs.length) await runChecked('mmd', t.mmd, ['-i', opts.file, ...sortedDirs.map((d) => `::/${d}`)], { env });
  for (const f of opts.files) {
    await runChecked(`mcopy ${f.source}`, t.mcopy, ['-i', opts.file, f.source, `::/${f.path}`], { env });
  }
}
