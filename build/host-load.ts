// The core's own loader, run on the host before anything boots: the same out/core.wasm that wisp.efi
// carries parses the configuration and puts a kernel VM's images into a guest memory here, so a
// wrong file gets its one line at once (exit status 1) instead of after OVMF has started. Nothing
// of a file is parsed in TypeScript: the core decides (as-src/loaders/).
import * as fs from 'node:fs';
import { buildCore } from './asc';
import { withBuildLock } from './pipeline';
import { WispError } from './log';
import { loadCore } from './config-check';

const MIB = 1024 * 1024;
const NO_IMAGE = 0xffffffffffffffffn;
const FORMAT_LINUX = 1;                        // as-src/loaders/kernel-format.ts
const FORMAT_MULTIBOOT = 2;

type Exports = Awaited<ReturnType<typeof loadCore>>;

/** A VM of `config` (its index) with boot images by id (0 kernel, 1 initrd, 2.. modules), as files. */
export interface HostLoad { config: string; vmIndex: number; memoryMiB: number; images: (string | undefined)[] }

async function instantiate(images: (Buffer | undefined)[], guest: Uint8Array): Promise<Exports> {
  const wasm = await withBuildLock(() => buildCore('release'));
  const inGuest = (gpa: bigint, len: bigint): boolean => gpa >= 0n && gpa + len <= BigInt(guest.length);
  return loadCore(wasm, () => undefined, (memory) => {
    const bytes = (ptr: number, len: number): Uint8Array => new Uint8Array(memory().buffer, ptr, len);
    return {
      guestRead: (gpa: bigint, ptr: number, len: number) => {
        if (!inGuest(gpa, BigInt(len))) return 0;
        bytes(ptr, len).set(guest.subarray(Number(gpa), Number(gpa) + len));
        return 1;
      },
      guestWrite: (gpa: bigint, ptr: number, len: number) => {
        if (!inGuest(gpa, BigInt(len))) return 0;
        guest.set(bytes(ptr, len), Number(gpa));
        return 1;
      },
      imageSize: (id: number) => (images[id] ? BigInt(images[id]!.length) : NO_IMAGE),
      imageRead: (id: number, offset: bigint, ptr: number, len: number) => {
        const img = images[id];
        if (!img || offset < 0n || offset + BigInt(len) > BigInt(img.length)) return 0;
        bytes(ptr, len).set(img.subarray(Number(offset), Number(offset) + len));
        return 1;
      },
      imageLoad: (id: number, offset: bigint, len: bigint, gpa: bigint) => {
        const img = images[id];
        if (!img || offset < 0n || offset + len > BigInt(img.length) || !inGuest(gpa, len)) return 0;
        guest.set(img.subarray(Number(offset), Number(offset + len)), Number(gpa));
        return 1;
      },
      hostUnixTime: () => BigInt(Math.floor(Date.now() / 1000)),
      abort: () => { throw new WispError('the core aborted while checking the kernel: a bug in wisp'); },
    };
  });
}

function message(x: Exports): string {
  return Buffer.from(x.memory.buffer, Number(x.messageOffset()), Number(x.messageLength())).toString('utf8');
}

/**
 * Runs vmSetup and loadGuest for one VM on the host; throws a WispError with the core's line
 * (prefixed with `what`) when the VM would not start.
 */
export async function checkLoad(h: HostLoad, what: string): Promise<void> {
  const images = h.images.map((f) => (f === undefined ? undefined : fs.readFileSync(f)));
  const guest = new Uint8Array(h.memoryMiB * MIB);
  const x = await instantiate(images, guest);
  const text = Buffer.from(h.config);
  const ptr = Number(x.inputBuffer(text.length));
  if (ptr === 0) throw new WispError(`${what}: the configuration is too large for the core`);
  new Uint8Array(x.memory.buffer, ptr, text.length).set(text);
  if (Number(x.vmSetup(text.length, h.vmIndex, BigInt(guest.length))) !== 0) throw new WispError(`${what}: ${message(x)}`);
  if (Number(x.loadGuest()) !== 0) throw new WispError(`${what}: ${message(x)}`);
}

/**
 * What the core makes of a kernel file (its kernelFormat export, the test a config's `kernel =`
 * meets at boot): 'linux' or 'multiboot', or a WispError with its one line.
 */
export async function kernelFormat(file: string): Promise<'linux' | 'multiboot'> {
  const x = await instantiate([fs.readFileSync(file)], new Uint8Array(0));
  const format = Number(x.kernelFormat());
  if (format === FORMAT_LINUX) return 'linux';
  if (format === FORMAT_MULTIBOOT) return 'multiboot';
  throw new WispError(`${file}: ${message(x)}`);
}

const FLAT = 0;                                 // vmKind (as-src/vm/config.ts)
const MAX_DRY_RUN_MIB = 2048;                   // a guest memory this large is allocated here in full

/**
 * Every image a configuration names, found (`resolve` gives each name's file or throws) and put
 * through the core before anything boots: a flat image must fit its VM's memory above `load`; a
 * kernel VM's images go through the core's own loader (checkLoad). Parse errors are left to
 * validateConfig.
 */
export async function checkConfigImages(configFile: string, resolve: (name: string) => string): Promise<void> {
  const text = fs.readFileSync(configFile);
  const x = await instantiate([], new Uint8Array(0));
  const ptr = Number(x.inputBuffer(text.length));
  if (ptr === 0) return;
  new Uint8Array(x.memory.buffer, ptr, text.length).set(text);
  const count = Number(x.parseConfig(text.length));
  const str = (off: number | bigint, len: number | bigint): string => Buffer.from(x.memory.buffer, Number(off), Number(len)).toString('utf8');
  for (let i = 0; i < count; i++) {
    const vm = `${configFile}: vm ${str(x.vmNameOffset(i), x.vmNameLength(i))}`;
    const memoryMiB = Number(x.vmMemoryMiB(i));
    const files: (string | undefined)[] = [];
    for (let id = 0; id < Number(x.vmImageCount(i)); id++) {
      const len = Number(x.vmFileLength(i, id));
      files.push(len ? resolve(str(x.vmFileOffset(i, id), len)) : undefined);
    }
    if (Number(x.vmKind(i)) === FLAT) {
      const size = fs.statSync(files[0]!).size;
      const load = Number(x.vmLoadAddress(i));
      if (load + size > memoryMiB * MIB) {
        throw new WispError(`${vm}: image ${files[0]} (${size} bytes at 0x${load.toString(16)}) does not fit in its ${memoryMiB} MiB`);
      }
    } else if (memoryMiB <= MAX_DRY_RUN_MIB) {
      await checkLoad({ config: text.toString('latin1'), vmIndex: i, memoryMiB, images: files }, vm);
    }
  }
}
