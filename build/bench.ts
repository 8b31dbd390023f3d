// `wisp bench` (npm run bench): the foundation's three figures, each printed with the command behind it.
//  1. the size of out/wisp.efi;
//  2. instructions per CPUID exit round trip under QEMU -icount, measured by the guest's RDTSC
//     (test/bench/cpuid-guest.S), for wisp.efi and, in the same run, wisp-floor.efi, whose CPUID exit
//     path is a minimal hand-written C handler (c-shim/variant/floor_exit.c): the floor;
//  3. callgrind instructions per call of the core's dispatch built for the host, against a hand-written
//     C equivalent (test/bench/host/);
//  4. (bochsBench, `--only bochs`) the CPUID exit round trip under Bochs, Intel VT-x and AMD SVM, in
//     emulated instructions, for wisp.efi and wisp-floor.efi: the shim's and the core's shares.
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { build, selectVariants } from './pipeline';
import { bootImage } from './qemu';
import { abs, rel, root } from './paths';
import { WispError } from './log';
import { makeImage } from '../image/image';
import { measureDispatch } from '../test/bench/host/callgrind';
import { bootBochs, BOCHS_IPS } from './bochs';

// QEMU's TSC under -icount is (instructions executed) << shift (QEMU: icount_to_ns), so the guest's
// tick counts are divided by 2^shift. shift=0 is the plainest reading but makes OVMF take ~30 s.
const ICOUNT_SHIFT = 0;

interface CpuidFigure { instructions: number; loopTicks: number; command: string }

async function cpuidExit(efi: string, label: string): Promise<CpuidFigure> {
  const image = await makeImage({
    output: `out/bench/${label}.img`, efi, config: 'test/bench/wisp.cfg',
  });
  const r = await bootImage({ image: abs(image), cpu: 'max', icount: `shift=${ICOUNT_SHIFT},sleep=off`, timeoutMs: 300_000 });
  const ticks = /cpuid-exit-ticks: (\d+)/.exec(r.output);
  const loop = /loop-ticks: (\d+)/.exec(r.output);
  if (!ticks || !loop || r.status !== 1) {
    throw new WispError(`bench: the CPUID guest under ${efi} did not report (status ${r.status}):\n${r.output.slice(-2000)}`);
  }
  const scale = 2 ** ICOUNT_SHIFT;
  return { instructions: Number(ticks[1]) / scale, loopTicks: Number(loop[1]) / scale, command: r.command };
}

function ratio(a: number, b: number): string {
  return `${(a / b).toFixed(2)}x`;
}

export async function benchCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { only: { type: 'string' } } });
  const want = (name: string): boolean => !values.only || values.only === name;
  await build(selectVariants(['wisp', 'wisp-floor']));

  if (want('size')) {
    const size = fs.statSync(abs('out/wisp.efi')).size;
    console.log(`\nwisp.efi size: ${size} bytes (${(size / 1024).toFixed(1)} KiB of a 256 KiB budget)`);
    console.log(`  command: npx wisp build --variant wisp && stat -c %s out/wisp.efi`);
  }

  if (want('cpuid')) {
    const core = await cpuidExit('out/wisp.efi', 'cpuid-core');
    const floor = await cpuidExit('out/wisp-floor.efi', 'cpuid-floor');
    console.log(`\nCPUID exit round trip under QEMU -icount shift=${ICOUNT_SHIFT} (guest RDTSC, 64-bit guest, leaf 0):`);
    console.log(`  wisp.efi (exit handled by the Wasm core): ${core.instructions} instructions`);
    console.log(`  wisp-floor.efi (hand-written C handler):  ${floor.instructions} instructions`);
    console.log(`  ratio core / floor: ${ratio(core.instructions, floor.instructions)}`);
    console.log(`  command: npx wisp image --efi out/wisp.efi --config test/bench/wisp.cfg -o out/bench/cpuid-core.img && ${core.command}`);
    console.log(`  (and the same with out/wisp-floor.efi)`);
  }

  if (want('bochs')) await bochsBench();

  if (want('callgrind')) {
    const d = await measureDispatch({ root, coreC: 'out/gen/release/core.c', coreH: 'out/gen/release/core.h' });
    console.log(`\nDispatch of one CPUID exit, built for the host, callgrind instructions per call:`);
    console.log(`  core (AssemblyScript -> Wasm -> wasm2c, bounds-checked): ${d.coreInstr}`);
    console.log(`  hand-written C equivalent: ${d.handInstr}`);
    console.log(`  ratio core / C: ${ratio(d.coreInstr, d.handInstr)}`);
    console.log(`  commands (from ${rel(root) || '.'}):`);
    for (const c of d.commands.filter((c) => c.includes('valgrind'))) console.log(`    ${c}`);
  }
  return 0;
}

// ---- 4. Under Bochs (build/bochs.ts) --------------------------------------------------------------
// With `clock: sync=none`, Bochs' emulated time, and so the guest's TSC, advances with the emulated
// instructions (`ips` per emulated second; wisp calibrates the TSC to about BOCHS_IPS / 1000 kHz):
// one tick per instruction. The guest's own empty loop (3 instructions per iteration) checks that.
// VMLAUNCH/VMRESUME/VMRUN and the exits themselves count as one instruction each.

/** Bochs CPU models: VMX with EPT + unrestricted guest, SVM with NRIP save (the fast path). */
const BOCHS_BENCH_MODELS = [
  { backend: 'Intel VT-x', model: 'corei7_skylake_x' },
  { backend: 'AMD SVM', model: 'ryzen' },
];
const EMPTY_LOOP_INSTRUCTIONS = 3;              // xor, dec, jnz (test/bench/cpuid-guest.S)

interface BochsCpuidFigure { instructions: number; ticksPerInstruction: number }

async function bochsCpuidExit(efi: string, label: string, model: string): Promise<BochsCpuidFigure> {
  const image = await makeImage({ output: `out/bench/${label}.img`, efi, config: 'test/bench/wisp.cfg' });
  const r = await bootBochs({ image: abs(image), cpuModel: model, timeoutMs: 300_000 });
  const ticks = /cpuid-exit-ticks: (\d+)/.exec(r.output);
  const loop = /loop-ticks: (\d+)/.exec(r.output);
  const iterations = /iterations: (\d+)/.exec(r.output);
  if (!ticks || !loop || !iterations || r.debugExitValue !== 0) {
    throw new WispError(`bench: the CPUID guest under ${efi} on Bochs ${model} did not report:\n${r.output.slice(-2000)}`);
  }
  const ticksPerInstruction = Number(loop[1]) / (Number(iterations[1]) * EMPTY_LOOP_INSTRUCTIONS);
  return { instructions: Math.round(Number(ticks[1]) / ticksPerInstruction), ticksPerInstruction };
}

export async function bochsBench(): Promise<void> {
  const runs = BOCHS_BENCH_MODELS.flatMap(({ backend, model }) => [
    { backend, model, efi: 'out/wisp.efi', label: `bochs-${model}-core` },
    { backend, model, efi: 'out/wisp-floor.efi', label: `bochs-${model}-floor` },
  ]);
  const results: BochsCpuidFigure[] = [];
  for (let i = 0; i < runs.length; i += 2) {      // two Bochs at a time: one per core
    results.push(...await Promise.all(runs.slice(i, i + 2).map((r) => bochsCpuidExit(r.efi, r.label, r.model))));
  }
  console.log(`\nCPUID exit round trip under Bochs (clock sync=none, ips=${BOCHS_IPS}; guest RDTSC, 64-bit guest, leaf 0):`);
  for (let i = 0; i < runs.length; i += 2) {
    const [core, floor] = [results[i], results[i + 1]];
    console.log(`  ${runs[i].backend} (cpu model ${runs[i].model}; ${core.ticksPerInstruction.toFixed(3)} TSC ticks per instruction):`);
    console.log(`    wisp.efi (exit handled by the Wasm core): ${core.instructions} instructions`);
    console.log(`    wisp-floor.efi (hand-written C handler):  ${floor.instructions} instructions`);
    console.log(`    the core's share: ${core.instructions - floor.instructions} (${((core.instructions - floor.instructions) / core.instructions * 100).toFixed(0)}%), ` +
      `the shim's and the CPU's: ${floor.instructions}; ratio core / floor ${ratio(core.instructions, floor.instructions)}`);
  }
  console.log(`  command: npx wisp image --efi out/wisp.efi --config test/bench/wisp.cfg -o out/bench/${runs[0].label}.img &&`);
  console.log(`    npx wisp run --emulator bochs --cpu ${runs[0].model} --image out/bench/${runs[0].label}.img`);
  console.log(`    (and the same with out/wisp-floor.efi and cpu model ${runs[2].model}; Bochs' configuration: build/bochs.ts)`);
}
