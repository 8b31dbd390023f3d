// Flat guest images: each test/guests/*.S, test/bench/*.S and boot/default-guest.S is assembled for a bare ELF
// target and linked at 0x1000 into a flat binary, out/guests/NAME.bin (the default guest: default.bin).
// Every guest may #include the guest library in boot/guest-lib/; the depfile makes an edit there rebuild them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runStep } from './cache/stamp';
import { readDepfile } from './depfile';
import { runChecked } from './exec';
import { step } from './log';
import { abs, ensureDir, listFiles, rel } from './paths';
import { cToolchain } from './toolchain';

export const GUEST_LOAD_ADDRESS = 0x1000;

export interface GuestSource { name: string; source: string }

const GUEST_DIRS = ['test/guests', 'test/bench'];
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
  const ccArgs = ['-target', 'x86_64-unknown-none-elf', '-c', '-I', path.posix.dirname(g.source), '-I', GUEST_LIB, '-MD', '-MF', dep, g.source, '-o', obj];
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

export async function buildGuests(): Promise<string[]> {
  const out: string[] = [];
  for (const g of guestSources()) out.push(await buildGuest(g));
  return out;
}
