// `wisp image`: a disk image (protective MBR + GPT) with one EFI system partition holding
// \EFI\BOOT\BOOTX64.EFI and, with a configuration, \wisp\wisp.cfg plus the guest images it names.
// Writable to a USB key with dd.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as crypto from 'node:crypto';
import { WispError, progress, step } from '../build/log';
import { abs, rel } from '../build/paths';
import { removeOnInterrupt } from '../build/interrupt';
import { buildGpt, EFI_SYSTEM_PARTITION, SECTOR } from './gpt';
import { FatFile, makeFat, MIN_FAT32_BYTES } from './fat';
import { checkGivenGuests, inputFile, outputFile, peFile, resolveGuest, writeAtomically } from './inputs';

const MiB = 1024 * 1024;
const ESP_FIRST_LBA = 2048;          // 1 MiB alignment, as partitioning tools do

export interface ImageOptions {
  output: string;
  efi: string;
  config?: string;
  /** Guest image files; a name in the configuration is looked up here (by file name) first, then in out/guests/. */
  guests?: string[];
  diskGuid?: string;
  partitionGuid?: string;
  /** The name the step line gives the image (default: output), where output is a temporary name. */
  shownAs?: string;
}

/**
 * File names the configuration refers to (`image = NAME`, `kernel`/`initrd`/`multiboot` if present, and
 * the first word of each `module = NAME [ARGS]`).
 */
export function configFiles(text: string): string[] {
  const names: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/#.*/, '').trim();
    const m = /^(image|kernel|initrd|multiboot)\s*=\s*(\S+)$/.exec(line) ?? /^(module)\s*=\s*(\S+)(\s.*)?$/.exec(line);
    if (m && !names.includes(m[2])) names.push(m[2]);
  }
  return names;
}

function randomGuid(): string {
  return crypto.randomUUID().toUpperCase();
}

export async function makeImage(o: ImageOptions): Promise<string> {
  const output = outputFile('-o', abs(o.output));
  const efi = peFile('--efi', abs(o.efi));
  const files: FatFile[] = [{ path: 'EFI/BOOT/BOOTX64.EFI', source: efi }];
  if (o.config) {
    const config = inputFile('--config', abs(o.config));
    files.push({ path: 'wisp/wisp.cfg', source: config });
    const names = configFiles(fs.readFileSync(config, 'utf8'));
    const given = checkGivenGuests((o.guests ?? []).map(abs), names);
    for (const name of names) {
      files.push({ path: `wisp/${name}`, source: resolveGuest(name, given, path.dirname(config)) });
    }
  } else if (o.guests?.length) {
    throw new WispError('--guest needs --config: guests are only put on the image for a configuration that names them');
  }
  return writeEspImage({ output, files, diskGuid: o.diskGuid, partitionGuid: o.partitionGuid, shownAs: o.shownAs });
}

/**
 * A disk image (protective MBR + GPT) whose one partition, an EFI system partition, holds `files`
 * on FAT32; sized for them. Returns the root-relative path.
 */
export async function writeEspImage(o: { output: string; files: FatFile[]; diskGuid?: string; partitionGuid?: string; shownAs?: string }): Promise<string> {
  const output = abs(o.output);
  const files = o.files;
  const payload = files.reduce((n, f) => n + fs.statSync(f.source).size, 0);
  const espBytes = Math.max(MIN_FAT32_BYTES, Math.ceil((payload * 1.1 + 2 * MiB) / MiB) * MiB);
  const espSectors = espBytes / SECTOR;
  const totalSectors = ESP_FIRST_LBA + espSectors + 2048; // the tail holds the backup GPT (33 sectors)
  const gpt = buildGpt({
    totalSectors,
    diskGuid: o.diskGuid ?? randomGuid(),
    partitions: [{ type: EFI_SYSTEM_PARTITION, guid: o.partitionGuid ?? randomGuid(), firstLba: ESP_FIRST_LBA,
      lastLba: ESP_FIRST_LBA + espSectors - 1, name: 'EFI system partition' }],
  });

  const name = o.shownAs ?? rel(output);
  const shown = progress(`image ${name}`, { total: payload });
  await writeAtomically('-o', output, async (tmp) => {
    const espFile = `${tmp}.esp`;
    const forget = removeOnInterrupt(espFile);
    try {
      await makeFat({ file: espFile, bytes: espBytes, hiddenSectors: ESP_FIRST_LBA, label: 'WISP', files });
      const fd = fs.openSync(tmp, 'w');
      try {
        fs.ftruncateSync(fd, totalSectors * SECTOR);
        fs.writeSync(fd, gpt.mbr, 0, gpt.mbr.length, 0);
        fs.writeSync(fd, gpt.primary, 0, gpt.primary.length, SECTOR);
        copyNonZero(espFile, fd, ESP_FIRST_LBA * SECTOR);
        fs.writeSync(fd, gpt.backup, 0, gpt.backup.length, gpt.backupLba * SECTOR);
      } finally {
        fs.closeSync(fd);
      }
    } finally {
      fs.rmSync(espFile, { force: true });
      forget();
    }
  }).finally(() => shown.end());
  step(`image ${name}`);                      // once it is there: a failure is the one line of its error
  return rel(output);
}

/** Copies src into fd at offset, leaving all-zero blocks as holes (the image stays sparse). */
function copyNonZero(src: string, fd: number, offset: number): void {
  const buf = Buffer.alloc(MiB);
  const zero = Buffer.alloc(MiB);
  const sfd = fs.openSync(src, 'r');
  try {
    for (let pos = 0; ; ) {
      const n = fs.readSync(sfd, buf, 0, buf.length, pos);
      if (n <= 0) break;
      for (let i = 0; i < n; i += 64 * 1024) {
        const len = Math.min(64 * 1024, n - i);
        if (buf.compare(zero, 0, len, i, i + len) !== 0) fs.writeSync(fd, buf, i, len, offset + pos + i);
      }
      pos += n;
    }
  } finally {
    fs.closeSync(sfd);
  }
}
