// Reads the Makefile-style dependency files clang writes with -MD -MF: the inputs a compile read.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { abs, rel } from './paths';

/** Root-relative dependencies listed in depfile (files outside the repository are left out). */
export function readDepfile(depfile: string): string[] {
  let text: string;
  try { text = fs.readFileSync(abs(depfile), 'utf8'); } catch { return []; }
  const body = text.replace(/\\\r?\n/g, ' ');
  const colon = body.indexOf(': ');
  const deps = (colon >= 0 ? body.slice(colon + 2) : body).match(/(?:\\ |[^\s])+/g) ?? [];
  const out: string[] = [];
  for (const d of deps) {
    const p = rel(path.resolve(abs('.'), d.replace(/\\ /g, ' ')));
    if (!path.isAbsolute(p)) out.push(p);
  }
  return out;
}
