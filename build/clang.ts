// C and assembly of the hypervisor: every c-shim/**/*.c and *.S except c-shim/variant/, the
// variant's one file from c-shim/variant/, the generated core and payload; compiled for the UEFI
// (PE/COFF, Microsoft x64 ABI) target, with general registers only.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ABI_INCLUDE } from './abi';
import { hashKey, isUpToDate, record, runStep, StepSpec } from './cache/stamp';
import { readDepfile } from './depfile';
import { runChecked } from './exec';
import { step, WispError } from './log';
import { abs, ensureDir, listFiles, rel } from './paths';
import { cToolchain } from './toolchain';
import { Variant } from './variants';
import { genDir } from './wasm2c';
import { PAYLOAD_C } from './payload';

// The C compiler flags, all of them (there is no other place: the host bench,
// test/bench/host/callgrind.ts, takes FREESTANDING_CFLAGS and GENERATED_CFLAGS from here).

/** The UEFI target: PE/COFF with the Microsoft x64 ABI, and UEFI's 16-bit CHAR16 as wchar_t. */
export const UEFI_TARGET_CFLAGS = ['-target', 'x86_64-unknown-windows', '-fshort-wchar'];

/** Freestanding code with general registers only, optimisation and warnings: for any target. */
export const FREESTANDING_CFLAGS = [
  '-ffreestanding', '-fno-stack-protector', '-mno-red-zone', '-mgeneral-regs-only', '-nostdlibinc', '-O2', '-Wall',
];

/** Every file of a UEFI variant. */
export const BASE_CFLAGS = [...UEFI_TARGET_CFLAGS, ...FREESTANDING_CFLAGS];

/** wasm2c output: it defines every load/store/helper as a static function and leaves unused locals. */
export const GENERATED_CFLAGS = ['-Wno-unused-function', '-Wno-unused-variable'];

/** Extra flags for some files, by root-relative path pattern (`*` matches within one path segment). */
const EXTRA_FLAGS: Record<string, string[]> = {
  'out/gen/*/core.c': GENERATED_CFLAGS,
};

function matches(pattern: string, file: string): boolean {
  const re = new RegExp('^' + pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*') + '$');
  return re.test(file);
}

export function extraFlags(file: string): string[] {
  const out: string[] = [];
  for (const [pattern, flags] of Object.entries(EXTRA_FLAGS)) if (matches(pattern, file)) out.push(...flags);
  return out;
}

/** The sources of one variant, root-relative. */
export function variantSources(v: Variant): string[] {
  const shim = listFiles(abs('c-shim'), (n) => n.endsWith('.c') || n.endsWith('.S'), [abs('c-shim/variant')]).map(rel);
  if (!fs.existsSync(abs(v.variantSource))) throw new WispError(`${v.variantSource} is missing (variant ${v.name} needs it)`);
  return [...shim, v.variantSource, `${genDir(v.core)}/core.c`, PAYLOAD_C];
}

export function objectPath(v: Variant, source: string): string {
  const base = source.startsWith('out/') ? source.slice(4) : source;
  return `out/obj/${v.name}/${base}.o`;
}

export interface CompileJob { variant: Variant; source: string; object: string }

/**
 * Compiles of this run by command with the core's folder left out: a later job with the same
 * command reuses the earlier object when that compile read nothing from the core's generated folder
 * (the release and test folders hold the same file names, so the include path made no difference).
 */
const sameCompile = new Map<string, Promise<{ object: string; deps: string[]; genDir: string }>>();

export async function compile(job: CompileJob): Promise<void> {
  const tc = cToolchain();
  const { variant: v, source, object } = job;
  const dep = object.replace(/\.o$/, '.d');
  const gen = genDir(v.core);
  const flags = [...BASE_CFLAGS, '-I', 'c-shim/include', '-I', 'c-shim', '-I', gen, '-I', ABI_INCLUDE, ...extraFlags(source)];
  const args = [...flags, '-MD', '-MF', dep, '-c', source, '-o', object];
  const spec: StepSpec = { id: `cc/${v.name}/${source}`, key: { flags, source, tc: tc.version }, inputs: [source], outputs: [object] };
  if (isUpToDate(spec)) return;
  const shareKey = hashKey({ flags: flags.map((f) => (f === gen ? '<gen>' : f)), source, tc: tc.version });
  const earlier = sameCompile.get(shareKey);
  if (earlier) {
    const done = await earlier.catch(() => undefined);
    if (done && (done.genDir === gen || !done.deps.some((d) => d.startsWith(`${done.genDir}/`)))) {
      ensureDir(path.dirname(abs(object)));
      fs.copyFileSync(abs(done.object), abs(object));
      record(spec, done.deps);
      return;
    }
  }
  let resolveShared!: (r: { object: string; deps: string[]; genDir: string }) => void;
  let rejectShared!: (e: unknown) => void;
  const shared = new Promise<{ object: string; deps: string[]; genDir: string }>((res, rej) => { resolveShared = res; rejectShared = rej; });
  shared.catch(() => undefined);
  if (!earlier) sameCompile.set(shareKey, shared);
  try {
    let deps: string[] = [];
    await runStep(spec, async () => {
      step(`cc ${source} (${v.name})`);
      const r = await runChecked(`compiling ${source} (${v.name})`, tc.clang, args);
      const warnings = (r.stdout + r.stderr).trimEnd();
      if (warnings) process.stderr.write(`${warnings}\n`);
      deps = readDepfile(dep);
      return deps;
    });
    resolveShared({ object, deps, genDir: gen });
  } catch (e) {
    rejectShared(e);
    throw e;
  }
}

/** Runs tasks with at most `limit` at a time; the first failure stops new tasks and is thrown. */
export async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const item = items[next++];
      try { await fn(item); } catch (e) { if (failure === undefined) failure = e; }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== undefined) throw failure;
}
