// `wisp run` and `wisp start`: build, write an image, boot it with the console on this terminal.
import * as fs from 'node:fs';
import { makeImage } from '../image/image';
import { step, WispError } from './log';
import { abs, rel } from './paths';
import { build, selectVariants } from './pipeline';
import { bootImage } from './qemu';
import { validateConfig } from './config-check';

export interface RunOptions { cpu?: string; config?: string; image?: string; variant?: string; timeout?: string }

export async function runCommand(o: RunOptions): Promise<number> {
  let image: string;
  if (o.image) {
    if (o.config || o.variant) throw new WispError('--image boots an existing image: it takes no --config or --variant');
    image = abs(o.image);
    if (!fs.existsSync(image)) throw new WispError(`${o.image} not found`);
  } else {
    const [variant] = selectVariants([o.variant ?? 'wisp']);
    await build([variant]);
    if (o.config) await validateConfig(o.config);
    image = abs(await makeImage({ output: 'out/wisp.img', efi: variant.output, config: o.config }));
  }
  const timeoutMs = o.timeout === undefined ? undefined : Number(o.timeout) * 1000;
  if (timeoutMs !== undefined && !(timeoutMs > 0)) throw new WispError(`--timeout ${o.timeout}: a number of seconds is expected`);
  step(`boot ${rel(image)} in QEMU + OVMF (-cpu ${o.cpu ?? 'max'}); Ctrl-C ends it`);
  const r = await bootImage({ image, cpu: o.cpu, echo: true, timeoutMs });
  if (r.timedOut) {
    step(`\nwisp: QEMU stopped after ${o.timeout} s`);
    return 124;
  }
  if (r.status === null) return 1;
  if (r.status & 1 && r.status > 1) step(`\nwisp: QEMU exit status ${r.status} (isa-debug-exit value ${r.status >> 1})`);
  return r.status;
}
