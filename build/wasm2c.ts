// Wasm -> C with wabt's wasm2c (npm package wabt, pinned): out/gen/<target>/core.c and core.h.
import * as fs from 'node:fs';
import { runStep } from './cache/stamp';
import { runChecked } from './exec';
import { CoreTarget } from './asc';
import { step } from './log';
import { abs } from './paths';
import { nodeBin } from './toolchain';

export function genDir(target: CoreTarget): string {
  return `out/gen/${target}`;
}

function wabtVersion(): string {
  try { return JSON.parse(fs.readFileSync(abs('node_modules/wabt/package.json'), 'utf8')).version as string; }
  catch { return 'unknown'; }
}

export async function translateCore(target: CoreTarget, wasm: string): Promise<string> {
  const dir = genDir(target);
  const out = `${dir}/core.c`;
  const args = [wasm, '-n', 'core', '-o', out];
  await runStep({ id: `wasm2c/${target}`, key: { args, wabt: wabtVersion() }, inputs: [wasm], outputs: [out, `${dir}/core.h`] }, async () => {
    step(`wasm2c ${target}`);
    await runChecked(`wasm2c (${target})`, nodeBin('wasm2c', 'wabt'), args);
  });
  return out;
}
