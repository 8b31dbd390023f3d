// The blue-pill demo's disk: a GPT image whose ESP holds the firmware driver \wisp\wisp-driver.efi,
// Debian's kernel \vmlinuz (an EFI-stub PE: the UEFI Shell starts it as it is), \initrd.img and
// \startup.nsh. No \EFI\BOOT\BOOTX64.EFI: OVMF then falls back to its "EFI Internal Shell", which
// runs startup.nsh from the first file system (fs0:, this ESP). How the driver gets loaded:
//   shell-load    startup.nsh loads it with the Shell's `load` (twice: the second load must refuse
//                 and change nothing), then starts the kernel;
//   driver-order  first boot: startup.nsh adds a Driver#### entry (and DriverOrder) with `bcfg driver
//                 add`, leaves a marker file \wisp\installed and resets; second boot: the firmware's
//                 boot manager loads the driver itself before any boot option, startup.nsh starts
//                 the kernel. The machine must keep its variable store and disk across the reset;
//   none          no driver on the disk: the same kernel and probe without wisp (the probe fails).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { WispError } from '../build/log';
import { abs, ensureDir } from '../build/paths';
import { FatFile } from './fat';
import { writeEspImage } from './image';

export type DriverLoad = 'shell-load' | 'driver-order' | 'none';
export const DRIVER_LOADS: DriverLoad[] = ['shell-load', 'driver-order', 'none'];

export const DRIVER_PATH = '\\wisp\\wisp-driver.efi';
export const INSTALLED_MARKER = '\\wisp\\installed';
/** Printed by startup.nsh (echo) just before it starts the kernel. */
export const KERNEL_MARKER = 'wisp-bluepill: starting the kernel';
/** Printed by startup.nsh in driver-order mode before it resets the machine. */
export const INSTALL_MARKER = 'wisp-bluepill: driver entry added, resetting';

export interface BluepillImageOptions {
  output: string;
  mode: DriverLoad;
  /** wisp-driver.efi (not with mode none). */
  driver?: string;
  kernel: string;
  initrd: string;
  /** The kernel command line (after initrd=...). */
  cmdline: string;
}

/** The UEFI Shell script (UEFI Shell 2.2, chapter 4: scripts; lines end with CRLF). */
export function startupNsh(mode: DriverLoad, cmdline: string): string {
  // In a script '#' starts a comment, '%' a variable and '^' escapes; keep the command line plain.
  if (/[#%^"\r\n]/.test(cmdline)) throw new WispError(`kernel command line ${JSON.stringify(cmdline)}: no #, %, ^, " or line breaks (startup.nsh)`);
  const kernel = `fs0:\\vmlinuz initrd=\\initrd.img ${cmdline}`;
  const lines = ['fs0:'];
  if (mode === 'shell-load') {
    lines.push(`load fs0:${DRIVER_PATH}`, `load fs0:${DRIVER_PATH}`, `echo "${KERNEL_MARKER}"`, kernel);
  } else if (mode === 'driver-order') {
    lines.push(
      `if exist fs0:${INSTALLED_MARKER} then`,
      '  bcfg driver dump',
      `  echo "${KERNEL_MARKER}"`,
      `  ${kernel}`,
      'else',
      `  bcfg driver add 0 fs0:${DRIVER_PATH} "wisp"`,
      `  echo x > fs0:${INSTALLED_MARKER}`,
      `  echo "${INSTALL_MARKER}"`,
      '  reset',
      'endif',
    );
  } else {
    lines.push(`echo "${KERNEL_MARKER}"`, kernel);
  }
  return lines.map((l) => `${l}\r\n`).join('');
}

/** Writes the image; returns its root-relative path. startup.nsh is written beside it. */
export async function makeBluepillImage(o: BluepillImageOptions): Promise<string> {
  const output = abs(o.output);
  ensureDir(path.dirname(output));
  const nsh = output.replace(/\.img$/, '') + '.startup.nsh';
  fs.writeFileSync(nsh, startupNsh(o.mode, o.cmdline));
  const files: FatFile[] = [];
  if (o.mode !== 'none') {
    if (!o.driver || !fs.existsSync(o.driver)) throw new WispError(`${o.driver ?? 'the driver'} not found (mode ${o.mode} needs wisp-driver.efi)`);
    files.push({ path: DRIVER_PATH.slice(1).replace(/\\/g, '/'), source: o.driver });
  }
  files.push({ path: 'vmlinuz', source: o.kernel }, { path: 'initrd.img', source: o.initrd }, { path: 'startup.nsh', source: nsh });
  return writeEspImage({ output, files });
}
