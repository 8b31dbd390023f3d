// build/float-check.ts: modules made with wat2wasm (wabt's npm package) at test time.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import wabtInit from 'wabt';
import { checkNoFloats, findFloatUses } from '../../build/float-check';

async function wasm(wat: string): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const mod = wabt.parseWat('test.wat', wat, { sat_float_to_int: true, bulk_memory: true, sign_extension: true, simd: true });
  try { return mod.toBinary({}).buffer; } finally { mod.destroy(); }
}

describe('float-check', () => {
  it('accepts an integer-only module with memory, globals, blocks, br_table and bulk memory', async () => {
    const bytes = await wasm(`(module
      (import "env" "consoleWrite" (func $w (param i32 i32)))
      (memory (export "memory") 1)
      (global $g (mut i64) (i64.const -5))
      (data (i32.const 16) "f64.add f32")
      (func (export "run") (param $a i32) (param $b i64) (result i64) (local $t i32)
        (block $out (result i64)
          (loop $l
            (local.set $t (i32.add (local.get $t) (i32.load offset=8 (local.get $a))))
            (br_table $l $l (local.get $t)))
          (memory.fill (i32.const 0) (i32.const 0) (i32.const 4))
          (call $w (i32.const 16) (i32.extend8_s (i32.const 11)))
          (i64.add (local.get $b) (global.get $g)))))`);
    assert.deepEqual(findFloatUses(bytes), []);
    checkNoFloats(bytes, 'int.wasm');
  });

  it('rejects a module with f64.add, naming the instruction and the function', async () => {
    const bytes = await wasm(`(module
      (func (export "add") (param i64 i64) (result i64)
        (i64.trunc_f64_s (f64.add (f64.convert_i64_s (local.get 0)) (f64.convert_i64_s (local.get 1))))))`);
    const uses = findFloatUses(bytes);
    assert.ok(uses.some((u) => u.what === 'f64.add' && u.where.includes('(add)')), JSON.stringify(uses));
    assert.throws(() => checkNoFloats(bytes, 'float.wasm'), /float\.wasm uses floating point[^]*f64\.add/);
  });

  it('rejects float value types in signatures, locals and globals', async () => {
    const sig = await wasm('(module (func (export "f") (param f32)))');
    assert.ok(findFloatUses(sig).some((u) => u.what === 'f32 value type'));
    const local = await wasm('(module (func (local f64)))');
    assert.ok(findFloatUses(local).some((u) => u.what === 'f64 local'));
    const global = await wasm('(module (global f64 (f64.const 1.5)))');
    assert.deepEqual(findFloatUses(global).map((u) => u.what), ['f64 value type', 'f64.const']);
  });

  it('rejects saturating truncation and SIMD', async () => {
    const sat = await wasm('(module (func (param i32) (result i32) (i32.trunc_sat_f32_s (f32.reinterpret_i32 (local.get 0)))))');
    assert.ok(findFloatUses(sat).some((u) => u.what === 'i32.trunc_sat_f32_s'));
    const simd = await wasm('(module (func (result i32) (i32x4.extract_lane 0 (v128.const i32x4 1 2 3 4))))');
    assert.ok(findFloatUses(simd).some((u) => u.what.startsWith('SIMD')));
  });

  it('passes the core as built (out/core.wasm)', function () {
    assert.ok(fs.existsSync('out/core.wasm'), 'out/core.wasm is missing: `npx wisp test` builds it (or `npx wisp build`)');
    checkNoFloats(fs.readFileSync('out/core.wasm'), 'out/core.wasm');
  });

  it('refuses what is not a Wasm module', () => {
    assert.throws(() => checkNoFloats(Buffer.from('not wasm'), 'x.wasm'), /cannot decode.*bad magic/);
  });
});
