// Incremental rebuilds: a step is up to date when its outputs exist and the content hashes of its
// inputs and the hash of its command/flags equal those recorded when it last succeeded.
// Recorded size+mtime let an unchanged file skip re-hashing; a touched file with equal content
// still counts as unchanged.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as crypto from 'node:crypto';
import { abs, ensureDir, outDir } from '../paths';

interface FileRecord { size: number; mtimeMs: number; hash: string }
interface Stamp { key: string; inputs: Record<string, FileRecord> }

const memo = new Map<string, FileRecord>();

/** Content record of a root-relative file, or null when it does not exist. */
export function fileRecord(file: string, known?: FileRecord): FileRecord | null {
  let st: fs.Stats;
  try { st = fs.statSync(abs(file)); } catch { return null; }
  for (const r of [known, memo.get(file)]) {
    if (r && r.size === st.size && r.mtimeMs === st.mtimeMs) return r;
  }
  const hash = crypto.createHash('sha256').update(fs.readFileSync(abs(file))).digest('hex');
  const rec = { size: st.size, mtimeMs: st.mtimeMs, hash };
  memo.set(file, rec);
  return rec;
}

export function hashKey(key: unknown): string {
  return crypto.createHash('sha256').update(JSON.stringify(key)).digest('hex');
}

export interface StepSpec {
  /** Names the stamp file, e.g. `cc/wisp/c-shim/svm/vmcb.c`. */
  id: string;
  /** Everything besides input contents that determines the outputs: command, flags, tool versions. */
  key: unknown;
  /** Root-relative input files known before the step runs. */
  inputs: string[];
  /** Root-relative files the step writes. */
  outputs: string[];
}

function stampPath(id: string): string {
  return path.join(outDir, 'cache', 'stamps', `${id.replace(/[^\w.-]+/g, '_')}.json`);
}

export function isUpToDate(spec: StepSpec): boolean {
  let stamp: Stamp;
  try { stamp = JSON.parse(fs.readFileSync(stampPath(spec.id), 'utf8')) as Stamp; } catch { return false; }
  if (stamp.key !== hashKey(spec.key)) return false;
  for (const o of spec.outputs) if (!fs.existsSync(abs(o))) return false;
  for (const i of spec.inputs) if (!(i in stamp.inputs)) return false;
  for (const [file, rec] of Object.entries(stamp.inputs)) {
    const now = fileRecord(file, rec);
    if (!now || now.hash !== rec.hash) return false;
  }
  return true;
}

/** Records a successful run; discovered are inputs found while running (e.g. from a depfile). */
export function record(spec: StepSpec, discovered: string[] = []): void {
  const inputs: Record<string, FileRecord> = {};
  for (const file of [...spec.inputs, ...discovered]) {
    const rec = fileRecord(file);
    if (rec) inputs[file] = rec;
  }
  const file = stampPath(spec.id);
  ensureDir(path.dirname(file));
  fs.writeFileSync(file, JSON.stringify({ key: hashKey(spec.key), inputs } satisfies Stamp));
}

/** Forgets memoized records of files a step is about to rewrite. */
export function invalidate(files: string[]): void {
  for (const f of files) memo.delete(f);
}

/** Runs fn unless the step is up to date; fn returns discovered inputs. Returns whether it ran. */
export async function runStep(spec: StepSpec, fn: () => Promise<string[] | void>): Promise<boolean> {
  if (isUpToDate(spec)) return false;
  invalidate(spec.outputs);
  for (const o of spec.outputs) ensureDir(path.dirname(abs(o)));
  const discovered = (await fn()) ?? [];
  invalidate(spec.outputs);
  record(spec, discovered);
  return true;
}
