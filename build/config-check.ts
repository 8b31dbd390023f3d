// `wisp config check FILE`: the core's own configuration parser (out/core.wasm), run in Node.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildCore } from './asc';
import { withBuildLock } from './pipeline';
import { WispError } from './log';
import { abs } from './paths';
import { inputFile } from '../image/inputs';

const MODES: Record<number, string> = { 0: 'real16', 1: 'protected16', 2: 'protected32', 3: 'long64' };
// The result kinds (as-src/vm/result.ts) by the names `expect` takes (as-src/vm/config.ts).
const EXPECT: Record<number, string> = { 1: 'exit', 2: 'halt', 3: 'fault', 4: 'shutdown', 5: 'trap', 6: 'error', 7: 'reset', 8: 'poweroff' };

type Fn = (...a: (number | bigint)[]) => number | bigint;

/**
 * Instantiates the core with host functions that do nothing (no guest exists in a config check),
 * or those of `imports` where given (build/host-load.ts: a guest memory and boot images).
 * `memory()` is the instance's memory, for imports that need it.
 */
export async function loadCore(wasmFile: string, log: (s: string) => void = (s) => process.stderr.write(s),
  imports: (memory: () => WebAssembly.Memory) => Record<string, unknown> = () => ({})): Promise<Record<string, Fn> & { memory: WebAssembly.Memory }> {
  const module = await WebAssembly.compile(fs.readFileSync(abs(wasmFile)));
  let memory: WebAssembly.Memory | undefined;
  const text = (ptr: number, len: number): string => Buffer.from(memory!.buffer, ptr, len).toString('utf8');
  const env: Record<string, unknown> = {
    consoleWrite: (ptr: number, len: number) => log(text(ptr, len)),
    guestRead: () => 0,
    guestWrite: () => 0,
    hostCpuid: () => undefined,
    hostTsc: () => 0n,
    abort: (msg: number, file: number, line: number, col: number) => {
      throw new Error(`core aborted at line ${line}:${col} (message at ${msg}, file at ${file})`);
    },
    ...imports(() => memory!),
  };
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.module === 'env' && !(imp.name in env) && imp.kind === 'function') env[imp.name] = () => 0;
  }
  const instance = await WebAssembly.instantiate(module, { env: env as WebAssembly.ModuleImports });
  const exports = instance.exports as unknown as Record<string, Fn> & { memory: WebAssembly.Memory };
  memory = exports.memory;
  return exports;
}

export interface Parsed { core: Awaited<ReturnType<typeof loadCore>>; count: number; error?: string }

/** Runs the core's parser on a configuration file; error is `FILE:LINE: message` when it fails. */
export async function parseWithCore(file: string): Promise<Parsed> {
  inputFile('configuration', abs(file));
  const wasm = await withBuildLock(() => buildCore('release'));
  const core = await loadCore(wasm);
  for (const name of ['inputBuffer', 'parseConfig', 'messageOffset', 'messageLength', 'vmCount']) {
    if (typeof core[name] !== 'function') throw new WispError(`${wasm} does not export ${name}: the core's configuration parser is not there yet`);
  }
  const bytes = fs.readFileSync(abs(file));
  const ptr = Number(core.inputBuffer(bytes.length));
  if (ptr === 0) return { core, count: -1, error: `${file}: too large (${bytes.length} bytes) for the core's input buffer` };
  new Uint8Array(core.memory.buffer, ptr, bytes.length).set(bytes);
  const count = Number(core.parseConfig(bytes.length));
  if (count >= 0) return { core, count };
  const message = Buffer.from(core.memory.buffer, Number(core.messageOffset()), Number(core.messageLength())).toString('utf8');
  // The core names the file wisp.cfg (its name on the boot volume): name the checked file instead.
  const m = /^wisp\.cfg:(\d+): ([^]*)$/.exec(message);
  return { core, count, error: m ? `${file}:${m[1]}: ${m[2]}` : `${file}: ${message}` };
}

/**
 * Throws a WispError when the core's parser rejects the file (used before making an image);
 * returns the MiB of guest memory its VMs take together.
 */
export async function validateConfig(file: string): Promise<number> {
  const r = await parseWithCore(file);
  if (r.error) throw new WispError(`configuration error: ${r.error}`);
  return vmMemoryTotal(r);
}

/** The MiB of guest memory the parsed configuration's VMs take together. */
function vmMemoryTotal({ core, count }: Parsed): number {
  let mib = 0;
  for (let i = 0; i < count; i++) mib += Number(core.vmMemoryMiB(i));
  return mib;
}

/** `wisp config check FILE [--memory MiB]`: with --memory, also that the VMs fit a machine of that size. */
export async function configCheck(file: string, memory?: string): Promise<number> {
  const { memoryFlag, checkMachineFits, configMachineMiB } = await import('./run');
  const machineMiB = memory === undefined ? undefined : memoryFlag(memory);
  const parsed = await parseWithCore(file);
  const { core, count, error } = parsed;
  if (error) throw new WispError(`configuration error: ${error}`);
  const vmMiB = vmMemoryTotal(parsed);
  if (machineMiB !== undefined) checkMachineFits(vmMiB, machineMiB, memory!);
  // What run, image and pack would meet: each image there (beside the configuration, or one of
  // wisp's own), fitting its VM, and a kernel VM's files taken by the core's loader.
  const { checkConfigImages } = await import('./host-load');
  const { resolveGuest } = await import('../image/inputs');
  await checkConfigImages(abs(file), (name) => resolveGuest(name, [], path.dirname(abs(file))));
  const str = (off: Fn, len: Fn, i: number): string => Buffer.from(core.memory.buffer, Number(off(i)), Number(len(i))).toString('utf8');
  const call = (name: string, i: number): string => (typeof core[name] === 'function' ? String(core[name](i)) : '?');
  const hex = (name: string, i: number): string => (typeof core[name] === 'function' ? `0x${BigInt(core[name](i)).toString(16)}` : '?');
  console.log(`${file}: ${count} VM${count === 1 ? '' : 's'}${typeof core.debugExitEnabled === 'function' && core.debugExitEnabled() ? ' (debug-exit on)' : ''}`);
  for (let i = 0; i < count; i++) {
    const name = str(core.vmNameOffset, core.vmNameLength, i);
    const image = str(core.vmImageOffset, core.vmImageLength, i);
    const mode = MODES[Number(call('vmMode', i))] ?? call('vmMode', i);
    const kind = Number(call('vmExpectKind', i));
    const expect = `${EXPECT[kind] ?? kind}${kind === 1 ? ` ${call('vmExpectValue', i)}` : ''}`;
    // Kernel VMs (vmKind 1 Linux, 2 Multiboot) have no load/entry/mode of their own: their loader decides.
    const vmKind = Number(call('vmKind', i));
    const modules = Number(call('vmImageCount', i)) - 2;
    const what = vmKind === 1 ? `kernel ${image}, initrd ${Number(call('vmImageCount', i)) > 1 ? 'yes' : 'no'}`
      : vmKind === 2 ? `multiboot ${image}, ${modules} module${modules === 1 ? '' : 's'}`
      : `image ${image}`;
    const placement = vmKind === 0 ? `, load ${hex('vmLoadAddress', i)}, entry ${hex('vmEntry', i)}, mode ${mode}` : '';
    console.log(`  vm ${name}: ${what}, memory ${call('vmMemoryMiB', i)} MiB${placement}, expect ${expect}`);
  }
  console.log(`  machine: ${machineMiB ?? configMachineMiB(vmMiB)} MiB${machineMiB === undefined ? ' (what wisp run --config gives it)' : ''}, the VMs ${vmMiB} MiB of it`);
  return 0;
}
