// AssemblyScript -> Wasm: `asc --config asconfig.json --target T` into out/core.wasm (release) or
// out/core-test.wasm (test), then the float check on the result.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runStep } from './cache/stamp';
import { runChecked } from './exec';
import { checkNoFloats } from './float-check';
import { step, WispError } from './log';
import { abs, listFiles, rel, root } from './paths';

export type CoreTarget = 'release' | 'test';

export function coreWasm(target: CoreTarget): string {
  return target === 'release' ? 'out/core.wasm' : 'out/core-test.wasm';
}

function ascVersion(): string {
  try { return JSON.parse(fs.readFileSync(abs('node_modules/assemblyscript/package.json'), 'utf8')).version as string; }
  catch { throw new WispError('assemblyscript is not installed: run `npm ci` (or `npm run setup`)'); }
}

/** The core's sources: as-src/**, asconfig.json and any entry file it names elsewhere. */
function coreInputs(): string[] {
  if (!fs.existsSync(abs('asconfig.json'))) throw new WispError('asconfig.json is missing: the core (as-src/) is not set up yet');
  const inputs = new Set(listFiles(abs('as-src'), (n) => n.endsWith('.ts') || n.endsWith('.json')).map(rel));
  inputs.add('asconfig.json');
  try {
    const cfg = JSON.parse(fs.readFileSync(abs('asconfig.json'), 'utf8')) as { entries?: string[]; extends?: string };
    for (const e of cfg.entries ?? []) inputs.add(rel(path.resolve(root, e)));
    if (cfg.extends) inputs.add(rel(path.resolve(root, cfg.extends)));
  } catch (e) {
    throw new WispError(`asconfig.json: ${(e as Error).message}`);
  }
  return [...inputs].sort();
}

/** Builds one core target; returns the .wasm path (root-relative). */
export async function buildCore(target: CoreTarget): Promise<string> {
  const out = coreWasm(target);
  const args = ['node_modules/assemblyscript/bin/asc.js', '--config', 'asconfig.json', '--target', target, '--outFile', out];
  await runStep({ id: `asc/${target}`, key: { args, asc: ascVersion() }, inputs: coreInputs(), outputs: [out] }, async () => {
    step(`asc ${target}`);
    try {
      await runChecked(`asc (--target ${target})`, process.execPath, args);
    } catch (e) {
      fs.rmSync(abs(out), { force: true });
      throw e;
    }
    try {
      checkNoFloats(fs.readFileSync(abs(out)), out);
    } catch (e) {
      fs.rmSync(abs(out), { force: true }); // never leave a rejected module behind for the next steps
      throw e;
    }
  });
  return out;
}
