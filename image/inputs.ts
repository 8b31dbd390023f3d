// What `wisp image` and `wisp pack` read and write, checked before anything is written: each file
// they name exists, is a file and is of the right kind; outputs go to a temporary name in the
// same folder and are renamed at the end, removed on failure. Every mistake is one line.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { WispError } from '../build/log';
import { abs, rel } from '../build/paths';
import { removeOnInterrupt } from '../build/interrupt';

/** `what` (a flag or a role, e.g. "--efi") names an existing, readable, non-empty file. */
export function inputFile(what: string, file: string): string {
  let st: fs.Stats;
  try { st = fs.statSync(file); } catch { throw new WispError(`${what} ${rel(file)}: no such file`); }
  if (st.isDirectory()) throw new WispError(`${what} ${rel(file)}: a folder, not a file`);
  if (!st.isFile()) throw new WispError(`${what} ${rel(file)}: not a regular file`);
  try { fs.accessSync(file, fs.constants.R_OK); } catch { throw new WispError(`${what} ${rel(file)}: not readable`); }
  if (st.size === 0) throw new WispError(`${what} ${rel(file)}: the file is empty`);
  return file;
}

const PE_MACHINE_X64 = 0x8664;                  // PE/COFF spec, "Machine Types": IMAGE_FILE_MACHINE_AMD64

/** An x86-64 PE/COFF image (what UEFI runs): "MZ", e_lfanew at 0x3C, "PE\0\0", Machine 8664h. */
export function peFile(what: string, file: string): string {
  inputFile(what, file);
  const head = Buffer.alloc(4096);
  const fd = fs.openSync(file, 'r');
  let n: number;
  try { n = fs.readSync(fd, head, 0, head.length, 0); } finally { fs.closeSync(fd); }
  const lfanew = n >= 0x40 ? head.readUInt32LE(0x3c) : 0;
  const ok = n >= 0x40 && head.toString('latin1', 0, 2) === 'MZ' && lfanew + 6 <= n &&
    head.toString('latin1', lfanew, lfanew + 4) === 'PE\0\0' && head.readUInt16LE(lfanew + 4) === PE_MACHINE_X64;
  if (!ok) throw new WispError(`${what} ${rel(file)}: not an x86-64 UEFI application (PE/COFF with machine 8664h), such as out/wisp.efi`);
  return file;
}

const SECTOR = 512;

/** A disk image such as `wisp image` writes: a GPT header ("EFI PART") at LBA 1 (UEFI 2.10, 5.3.2). */
export function diskImageFile(what: string, file: string): string {
  inputFile(what, file);
  const header = Buffer.alloc(8);
  const fd = fs.openSync(file, 'r');
  try { fs.readSync(fd, header, 0, 8, SECTOR); } finally { fs.closeSync(fd); }
  if (header.toString('latin1') !== 'EFI PART') throw new WispError(`${what} ${rel(file)}: not a GPT disk image (no "EFI PART" at LBA 1), such as \`wisp image\` writes`);
  return file;
}

/** An output path: not a folder; its folder is there or can be made. */
export function outputFile(what: string, file: string): string {
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) throw new WispError(`${what} ${rel(file)}: a folder; give a file name`);
  return file;
}

function tempName(output: string): string {
  return path.join(path.dirname(output), `.${path.basename(output)}.tmp-${process.pid}`);
}

function writeError(what: string, output: string, e: unknown): unknown {
  const code = (e as NodeJS.ErrnoException).code;
  if (!code || e instanceof WispError) return e;
  const why = (e as Error).message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '');
  return new WispError(`${what} ${rel(output)}: cannot write it (${code}: ${why})`);
}

/**
 * Writes `output` through `write(tmp)`: a temporary name in the same folder, renamed at the end,
 * removed on failure and on Ctrl-C (build/interrupt.ts). File-system errors are one line.
 */
export async function writeAtomically<T>(what: string, output: string, write: (tmp: string) => Promise<T>): Promise<T> {
  outputFile(what, output);
  const tmp = tempName(output);
  const forget = removeOnInterrupt(tmp);
  try {
    fs.mkdirSync(path.dirname(output), { recursive: true });
    const r = await write(tmp);
    fs.renameSync(tmp, output);
    return r;
  } catch (e) {
    throw writeError(what, output, e);
  } finally {
    fs.rmSync(tmp, { force: true });
    forget();
  }
}

/** The same for bytes in hand. */
export function writeFileAtomically(what: string, output: string, data: Buffer): void {
  outputFile(what, output);
  const tmp = tempName(output);
  try {
    fs.mkdirSync(path.dirname(output), { recursive: true });
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, output);
  } catch (e) {
    throw writeError(what, output, e);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** The files given with --guest: each a file, each named by the configuration. */
export function checkGivenGuests(given: string[], names: string[]): string[] {
  for (const g of given) {
    inputFile('--guest', g);
    if (!names.includes(path.basename(g))) {
      throw new WispError(`--guest ${rel(g)}: the configuration names no ${path.basename(g)} (it names: ${names.join(', ') || 'nothing'})`);
    }
  }
  return given;
}

function sameBytes(a: string, b: string): boolean {
  const sa = fs.statSync(a), sb = fs.statSync(b);
  return sa.size === sb.size && fs.readFileSync(a).equals(fs.readFileSync(b));
}

/**
 * The file of a guest image the configuration names: a --guest of that name, else the file beside
 * the configuration, else wisp's own test guest in out/guests/. Beside the configuration and in
 * out/guests/ both, with different contents: an error naming both.
 */
export function resolveGuest(name: string, given: string[], configDir: string): string {
  if (/[\\/]/.test(name)) throw new WispError(`configuration: image name ${name} must be a plain file name (it lives in \\wisp\\)`);
  const explicit = given.find((g) => path.basename(g) === name);
  if (explicit) return inputFile('--guest', explicit);
  const beside = path.join(configDir, name);
  const own = path.join(abs('out/guests'), name);
  const hasBeside = fs.existsSync(beside), hasOwn = fs.existsSync(own) && path.resolve(configDir) !== abs('out/guests');
  if (hasBeside && hasOwn && !sameBytes(beside, own)) {
    throw new WispError(`guest image ${name}: both ${rel(beside)} (beside the configuration) and wisp's own ${rel(own)} exist; give the one you mean with --guest`);
  }
  if (hasBeside) return inputFile(`guest image`, beside);
  if (hasOwn) return inputFile(`guest image`, own);
  throw new WispError(`guest image ${name} (named in the configuration) not found beside it (${rel(beside)}) nor among wisp's own in out/guests/; give it with --guest FILE`);
}
