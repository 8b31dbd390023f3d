// Links one variant's objects into a UEFI image (PE32+): an application entered at efi_main, or
// what the variant names (the firmware driver: boot-service driver subsystem, efi_driver_main).
import * as fs from 'node:fs';
import { runStep } from './cache/stamp';
import { runChecked } from './exec';
import { step, WispError } from './log';
import { abs } from './paths';
import { cToolchain } from './toolchain';
import { Variant } from './variants';

export function linkFlags(v: Variant): string[] {
  return [`/subsystem:${v.subsystem ?? 'efi_application'}`, `/entry:${v.entry ?? 'efi_main'}`, '/nodefaultlib'];
}

export async function link(v: Variant, objects: string[]): Promise<void> {
  const tc = cToolchain();
  const args = [...linkFlags(v), `/out:${v.output}`, ...objects];
  await runStep({ id: `link/${v.name}`, key: { args, tc: tc.version }, inputs: objects, outputs: [v.output] }, async () => {
    step(`link ${v.output}`);
    try {
      await runChecked(`linking ${v.output}`, tc.lldLink, args);
    } catch (e) {
      fs.rmSync(abs(v.output), { force: true });
      throw e;
    }
  });
  const size = fs.statSync(abs(v.output)).size;
  if (v.maxBytes !== undefined && size > v.maxBytes) {
    throw new WispError(`${v.output} is ${size} bytes (${(size / 1024).toFixed(1)} KiB): more than the limit of ${v.maxBytes / 1024} KiB`);
  }
}
