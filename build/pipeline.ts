// The whole build, in order: asc (+ float check) -> wasm2c, guests -> payload, C compiles (2 at a
// time) -> link. Each step runs only when its inputs changed.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildAbiHeader } from './abi';
import { buildCore, CoreTarget } from './asc';
import { compile, CompileJob, objectPath, pool, variantSources } from './clang';
import { buildGuests } from './guests';
import { link } from './link';
import { removeOnInterrupt } from './interrupt';
import { progress, step, UsageError, WispError } from './log';
import { buildPayload } from './payload';
import { checkNode, cToolchain } from './toolchain';
import { ensureDir, outDir } from './paths';
import { Variant, VARIANTS, variantNamed } from './variants';
import { translateCore } from './wasm2c';

export const JOBS = Math.max(1, Math.min(2, os.cpus().length));

export function selectVariants(names?: string[]): Variant[] {
  if (!names || names.length === 0) return VARIANTS;
  return names.map((n) => {
    const v = variantNamed(n);
    if (!v) throw new UsageError(`--variant ${n}: one of ${VARIANTS.map((x) => x.name).join(', ')}`);
    return v;
  });
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

/** One build at a time in a work tree (several people or test runs may start one at once). */
export async function withBuildLock<T>(fn: () => Promise<T>): Promise<T> {
  const lock = path.join(outDir, 'cache', 'build.lock');
  ensureDir(path.dirname(lock));
  let announced = false;
  for (;;) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = parseInt(fs.readFileSync(lock, 'utf8'), 10);
      if (!(pid > 0) || !alive(pid)) { fs.rmSync(lock, { force: true }); continue; }
      if (!announced) step(`waiting for another wisp build to finish (pid ${pid})`);
      announced = true;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const forget = removeOnInterrupt(lock);
  try { return await fn(); } finally { fs.rmSync(lock, { force: true }); forget(); }
}

/** Builds the given variants (default: all) and every guest. */
export async function build(variants: Variant[] = VARIANTS): Promise<void> {
  return withBuildLock(() => buildUnlocked(variants));
}

async function buildUnlocked(variants: Variant[]): Promise<void> {
  const shown = progress('build');
  try {
    await buildSteps(variants);
  } finally {
    shown.end();
  }
}

async function buildSteps(variants: Variant[]): Promise<void> {
  const started = Date.now();
  checkNode();
  cToolchain();
  const cores = [...new Set(variants.map((v) => v.core))] as CoreTarget[];
  await buildAbiHeader();                     // the shim and the guests include it
  await Promise.all([
    ...cores.map(async (c) => translateCore(c, await buildCore(c))),
    buildGuests().then(buildPayload),
  ]);
  const jobs: CompileJob[] = [];
  const objects = new Map<Variant, string[]>();
  for (const v of variants) {
    const objs: string[] = [];
    for (const source of variantSources(v)) {
      const object = objectPath(v, source);
      jobs.push({ variant: v, source, object });
      objs.push(object);
    }
    objects.set(v, objs);
  }
  await pool(jobs, JOBS, compile);
  for (const v of variants) await link(v, objects.get(v)!);
  const ms = Date.now() - started;
  if (ms > 2000) step(`built ${variants.map((v) => v.output).join(', ')} in ${(ms / 1000).toFixed(1)} s`);
}
