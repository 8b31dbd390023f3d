// `wisp bench` (npm run bench): the foundation's three figures, each printed with the command behind it.
//  1. the sizes of out/wisp.efi and out/wisp-driver.efi;
//  2. instructions per CPUID exit round trip under QEMU -icount, measured by the guest's RDTSC
//     (test/bench/cpuid-guest.S), for wisp.efi and, in the same run, wisp-floor.efi, whose CPUID exit
//     path is a minimal hand-written C handler (c-shim/variant/floor_exit.c): the floor;
//  3. callgrind instructions per call of the core's dispatch built for the host, against a hand-written
//     C equivalent (test/bench/host/);
//  4. (bochsBench, `--only bochs`) the CPUID exit round trip under Bochs, Intel VT-x and AMD SVM, in
//     emulated instructions, for wisp.efi and wisp-floor.efi: the shim's and the core's shares;
//  5. (linuxBench, `--only linux`) Debian's kernel + the BusyBox initramfs booting to the shell prompt
//     under wisp.efi versus plain QEMU TCG (same QEMU, same run), with wisp's exit counts.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { parseArgs } from 'node:util';
import { build, selectVariants } from './pipeline';
import { bootImage, qemuArgs } from './qemu';
import { qemuToolchain } from './toolchain';
import { commandLine } from './exec';
import { ensureLinuxGuest } from './guest-cache';
import { hostMemoryMiB, kernelRunImage, RUN_VM } from './run';
import { abs, rel, root } from './paths';
import { UsageError, WispError } from './log';
import { makeImage } from '../image/image';
import { measureDispatch } from '../test/bench/host/callgrind';
import { bootBochs, BOCHS_IPS } from './bochs';
import { bluepillBoot, PROBE_DONE_MARKER } from './bluepill';

// QEMU's TSC under -icount is (instructions executed) << shift (QEMU: icount_to_ns), so the guest's
// tick counts are divided by 2^shift. shift=0 is the plainest reading but makes OVMF take ~30 s.
const ICOUNT_SHIFT = 0;

export interface CpuidFigure { instructions: number; loopTicks: number; command: string }

/** Instructions per CPUID exit round trip of `efi` under QEMU -icount (test/bench/cpuid-guest.S). */
export async function cpuidExit(efi: string, label: string): Promise<CpuidFigure> {
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
  const parts = ['size', 'cpuid', 'bochs', 'linux', 'bluepill', 'callgrind'];
  if (values.only !== undefined && !parts.includes(values.only)) throw new UsageError(`--only ${values.only}: one of ${parts.join(', ')}`);
  const want = (name: string): boolean => !values.only || values.only === name;
  await build(selectVariants(['wisp', 'wisp-floor', 'wisp-driver']));

  if (want('size')) {
    for (const efi of ['wisp.efi', 'wisp-driver.efi']) {
      const size = fs.statSync(abs(`out/${efi}`)).size;
      console.log(`\n${efi} size: ${size} bytes (${(size / 1024).toFixed(1)} KiB of a 256 KiB budget)`);
      console.log(`  command: npx wisp build --variant ${efi.replace('.efi', '')} && stat -c %s out/${efi}`);
    }
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

  if (want('linux')) await linuxBench();

  if (want('bluepill')) await bluepillBench();

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

// ---- 5. Linux boot under wisp versus plain QEMU (`--only linux`) ----------------------------------
// The same QEMU binary, kernel (Debian's, build/guest-cache.ts), initramfs, command line, guest RAM
// and -cpu, both in this run, one QEMU at a time, alternating (wisp, plain, plain, wisp, ...).
//  - wisp: `wisp run --kernel` as it is (build/run.ts): QEMU + OVMF boots wisp.efi, whose loader (the
//    core) boots the bzImage as its one VM; QEMU's -m is the guest's RAM + wisp's share.
//  - plain: QEMU's own -kernel/-initrd/-append (SeaBIOS and QEMU's linuxboot ROM), -m = the guest's RAM.
// What is timed (docs/benchmarks.md, section 5): host wall time, read on this process's clock as
// QEMU's serial output arrives, from the kernel's first console line ("Linux version", early: see
// LINUX_APPEND) to the shell's
// first prompt ("wisp# ", after "Run /init as init process"). Firmware and loaders are outside it
// (reported apart). The guest's own view is the printk time stamp of "Run /init". At the prompt,
// "poweroff" goes to the console so that QEMU ends; wisp then prints its exit counts, which so
// include the poweroff (a few hundred exits). One extra wisp boot, untimed, runs first (a warm-up
// of the page cache) with QEMU logging its SVM #VMEXITs (`-d in_asm` prints "vmexit(code, info1,
// info2, rip)" in QEMU's svm_helper.c; `-dfilter 0+1` keeps the disassembly out): the per-port and
// per-page breakdown that wisp's own counts do not have.

const LINUX_RUNS = 3;
const LINUX_MEMORY_MIB = 256;
// earlycon: the kernel's first console line ("Linux version", replayed from the log buffer) reaches the
// UART as the boot console starts in setup_arch, not only when ttyS0 registers (console_init, after
// setup_arch and mm_init: under wisp with -cpu max, after some 33,000 exits of AGP probing).
const LINUX_APPEND = 'console=ttyS0 earlycon=uart8250,io,0x3f8,115200';
const LINUX_CPUS = ['max', 'EPYC'];
const LINUX_TIMEOUT_MS = 300_000;
const LINUX_PROMPT = 'wisp# ';                   // PS1 in the initramfs's /etc/profile
const RUN_INIT = 'Run /init as init process';

interface LinuxBoot {
  /** Host wall ms from "Linux version" to the prompt. */
  bootMs: number;
  /** Host wall ms from QEMU's start to "Linux version" (firmware and loader). */
  firmwareMs: number;
  /** The guest's printk time stamp of "Run /init", in seconds. */
  runInit: number;
  /** wisp's exit counts by reason (wisp runs only). */
  exits?: [string, number][];
  output: string;
}

/** One QEMU run: "poweroff" typed at the first prompt, times taken as the console output arrives. */
function timedLinuxBoot(args: string[], what: string): Promise<LinuxBoot> {
  const { qemu } = qemuToolchain();
  return new Promise<LinuxBoot>((resolve, reject) => {
    const start = Date.now();
    const child = spawn(qemu, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin!.on('error', () => undefined);
    const decoder = new StringDecoder('utf8');
    let output = '';
    let stderr = '';
    let linuxAt = 0;
    let promptAt = 0;
    const timer = setTimeout(() => child.kill('SIGKILL'), LINUX_TIMEOUT_MS);
    child.stdout!.on('data', (b: Buffer) => {
      output += decoder.write(b);
      const now = Date.now();
      if (!linuxAt && output.includes('Linux version')) linuxAt = now;
      if (linuxAt && !promptAt) {
        const init = output.indexOf(RUN_INIT);
        if (init >= 0 && output.indexOf(LINUX_PROMPT, init) >= 0) {
          promptAt = now;
          child.stdin!.write('poweroff\n');
        }
      }
    });
    child.stderr!.on('data', (b: Buffer) => { stderr += b.toString(); });
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      output += decoder.end();
      const init = /\[\s*(\d+\.\d+)\] Run \/init as init process/.exec(output);
      if (status !== 0 || !linuxAt || !promptAt || !init) {
        reject(new WispError(`bench: ${what} did not boot to the prompt and power off (status ${status}):\n` +
          `  ${commandLine(qemu, args)}\n${output.slice(-3000)}${stderr}`));
        return;
      }
      const counts = new RegExp(`^wisp: VM ${RUN_VM} exits: (.*?)\\r?$`, 'm').exec(output);
      const exits = counts ? counts[1].split(', ').map((e) => e.split(' ')).map(([k, v]) => [k, Number(v)] as [string, number]) : undefined;
      resolve({ bootMs: promptAt - linuxAt, firmwareMs: linuxAt - start, runInit: Number(init[1]), exits, output });
    });
  });
}

function plainLinuxArgs(kernel: string, initrd: string, cpu: string): string[] {
  return ['-machine', 'q35', '-accel', 'tcg', '-cpu', cpu, '-m', String(LINUX_MEMORY_MIB), '-smp', '1',
    '-nodefaults', '-nic', 'none', '-display', 'none', '-serial', 'stdio', '-no-reboot',
    '-kernel', kernel, '-initrd', initrd, '-append', LINUX_APPEND];
}

/** The arguments bootImage gives QEMU for `wisp run --kernel` (a private copy of the OVMF variables in dir). */
function wispLinuxArgs(image: string, cpu: string, dir: string, extra: string[] = []): string[] {
  const { ovmfCode, ovmfVars } = qemuToolchain();
  const vars = path.join(dir, `vars-${cpu}.fd`);
  fs.copyFileSync(ovmfVars, vars);
  return qemuArgs({ image, cpu, memoryMiB: hostMemoryMiB(LINUX_MEMORY_MIB), extraArgs: extra }, vars, ovmfCode);
}

const SVM_EXIT_NAMES: Record<number, string> = {
  0x60: 'INTR', 0x61: 'NMI', 0x64: 'VINTR', 0x72: 'CPUID', 0x78: 'HLT', 0x7b: 'IOIO', 0x7c: 'MSR', 0x7f: 'SHUTDOWN', 0x400: 'NPF',
};
const PORT_NAMES: [number, number, string][] = [
  [0x3f8, 0x3f8, 'COM1 THR/RBR (data)'], [0x3f9, 0x3f9, 'COM1 IER'], [0x3fa, 0x3fa, 'COM1 IIR/FCR'], [0x3fb, 0x3fb, 'COM1 LCR'],
  [0x3fc, 0x3fc, 'COM1 MCR'], [0x3fd, 0x3fd, 'COM1 LSR (status)'], [0x3fe, 0x3fe, 'COM1 MSR'], [0x3ff, 0x3ff, 'COM1 SCR'],
  [0xcf8, 0xcfb, 'PCI config address'], [0xcfc, 0xcff, 'PCI config data'], [0x40, 0x43, 'PIT'], [0x61, 0x61, 'port B (PIT ch 2)'],
  [0x70, 0x71, 'CMOS/RTC'], [0x20, 0x21, 'PIC 1'], [0xa0, 0xa1, 'PIC 2'], [0x60, 0x60, 'i8042 data'], [0x64, 0x64, 'i8042 status'],
];
const portName = (port: number): string => PORT_NAMES.find(([a, b]) => port >= a && port <= b)?.[2] ?? '';

interface ExitTrace { byCode: Map<string, number>; byPort: Map<string, number>; byPage: Map<string, number> }

/** QEMU's "vmexit(code, info1, info2, rip)!" lines: counts by exit code, by I/O port and direction, by NPF page. */
function parseExitTrace(log: string): ExitTrace {
  const t: ExitTrace = { byCode: new Map(), byPort: new Map(), byPage: new Map() };
  const add = (m: Map<string, number>, k: string): void => { m.set(k, (m.get(k) ?? 0) + 1); };
  // Not anchored: QEMU's "Injecting(...)" messages end without a newline, so a vmexit may follow one.
  for (const m of log.matchAll(/vmexit\(([0-9a-f]+), ([0-9a-f]+), ([0-9a-f]+), [0-9a-f]+\)/g)) {
    const code = parseInt(m[1], 16);
    add(t.byCode, SVM_EXIT_NAMES[code] ?? `0x${code.toString(16)}`);
    if (code === 0x7b) {
      const info1 = parseInt(m[2], 16);            // IOIO: port 31:16, IN = bit 0, size bits 6:4
      const port = info1 >>> 16;
      const name = portName(port);
      add(t.byPort, `${info1 & 1 ? 'in ' : 'out'} 0x${port.toString(16)}${name ? ` ${name}` : ''}`);
    } else if (code === 0x400) {
      const gpa = BigInt(`0x${m[3]}`) & ~0xfffn;
      add(t.byPage, `0x${gpa.toString(16)}`);
    }
  }
  return t;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const top = (m: Map<string, number>, n: number): string =>
  [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${k}: ${v}`).join('\n    ');

export async function linuxBench(): Promise<void> {
  const guest = await ensureLinuxGuest();
  const image = await kernelRunImage({ kernel: guest.kernel, initrd: guest.initrd, append: LINUX_APPEND, memoryMiB: LINUX_MEMORY_MIB },
    abs('out/wisp.efi'), abs('out/bench/linux'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wisp-linux-bench-'));
  const { qemu } = qemuToolchain();
  try {
    // The untimed traced boot (also the warm-up).
    const log = path.join(dir, 'exits.log');
    const traceArgs = wispLinuxArgs(image, 'max', dir, ['-d', 'in_asm', '-dfilter', '0x0+0x1', '-D', log]);
    const traced = await timedLinuxBoot(traceArgs, 'wisp (traced)');
    const trace = parseExitTrace(fs.readFileSync(log, 'utf8'));

    for (const cpu of LINUX_CPUS) {
      const wisp: LinuxBoot[] = [];
      const plain: LinuxBoot[] = [];
      for (let i = 0; i < LINUX_RUNS; i++) {
        const order = i % 2 === 0 ? ['wisp', 'plain'] : ['plain', 'wisp'];
        for (const which of order) {
          if (which === 'wisp') wisp.push(await timedLinuxBoot(wispLinuxArgs(image, cpu, dir), `wisp (-cpu ${cpu})`));
          else plain.push(await timedLinuxBoot(plainLinuxArgs(guest.kernel, guest.initrd, cpu), `plain QEMU (-cpu ${cpu})`));
        }
      }
      const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
      const runs = (bs: LinuxBoot[], f: (b: LinuxBoot) => number): string => bs.map((b) => (f(b) / 1000).toFixed(2)).join(', ');
      const [wm, pm] = [median(wisp.map((b) => b.bootMs)), median(plain.map((b) => b.bootMs))];
      const [wi, pi] = [median(wisp.map((b) => b.runInit)), median(plain.map((b) => b.runInit))];
      console.log(`\nLinux boot to the shell prompt under wisp.efi vs plain QEMU TCG (-cpu ${cpu}; ${rel(guest.kernel)}, ` +
        `${rel(guest.initrd)}, "${LINUX_APPEND}", ${LINUX_MEMORY_MIB} MiB; median of ${LINUX_RUNS}, alternating):`);
      console.log(`  host wall, "Linux version" -> "${LINUX_PROMPT.trim()}" prompt: wisp ${s(wm)}, plain ${s(pm)}; ratio wisp / plain ${ratio(wm, pm)}`);
      console.log(`    runs (s): wisp ${runs(wisp, (b) => b.bootMs)}; plain ${runs(plain, (b) => b.bootMs)}`);
      console.log(`  guest's printk time of "Run /init": wisp ${wi.toFixed(2)} s, plain ${pi.toFixed(2)} s; ratio ${ratio(wi, pi)}`);
      console.log(`  before it, QEMU start -> "Linux version" (median): wisp (OVMF + wisp.efi + its loader) ` +
        `${s(median(wisp.map((b) => b.firmwareMs)))}, plain (SeaBIOS + linuxboot) ${s(median(plain.map((b) => b.firmwareMs)))}`);
      console.log(`  wisp's exit counts per run (to the end of the VM: the poweroff included):`);
      for (const b of wisp) console.log(`    ${b.exits ? b.exits.map(([k, v]) => `${k} ${v}`).join(', ') : '(none printed)'}`);
    }
    const exitsOf = traced.exits ? traced.exits.map(([k, v]) => `${k} ${v}`).join(', ') : '(none printed)';
    console.log(`\n  SVM #VMEXITs of one more wisp boot (-cpu max, untimed), from QEMU's own log:`);
    console.log(`    by exit code: ${[...trace.byCode].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    console.log(`    (wisp's counts of that boot: ${exitsOf}; its INTERRUPT also counts the host ticks handed to the core while the guest idles in HLT)`);
    console.log(`    IOIO by port:\n    ${top(trace.byPort, 12)}`);
    console.log(`    NPF by page:\n    ${top(trace.byPage, 4)}`);
    console.log(`  commands (from ${rel(root) || '.'}; "poweroff" typed at the first prompt):`);
    console.log(`    wisp:  npx wisp run --kernel ${rel(guest.kernel)} --initrd ${rel(guest.initrd)} --append "${LINUX_APPEND}" --memory ${LINUX_MEMORY_MIB} --cpu CPU`);
    console.log(`           = ${commandLine(qemu, wispLinuxArgs(image, 'CPU', dir)).replace(dir, '$TMP')}`);
    console.log(`    plain: ${commandLine(qemu, plainLinuxArgs(guest.kernel, guest.initrd, 'CPU'))}`);
    console.log(`    trace: the wisp command + -d in_asm -dfilter 0x0+0x1 -D exits.log`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// ---- 6. Blue-pill: Linux on 2 CPUs under the firmware driver versus without it (`--only bluepill`) ----
// The same ESP, kernel, initramfs and QEMU (-cpu EPYC -smp 2, TCG) with and without `load
// wisp-driver.efi` in startup.nsh, alternated, 3 rounds. The figure is the guest's own uptime when the
// probe has finished (kernel start to user space plus the probe): it leaves out the firmware and the
// Shell's countdown, which wisp does not change. Exit counts come from the probe (hypercall 2).
export async function bluepillBench(): Promise<void> {
  const ROUNDS = 3;
  const uptime = { none: [] as number[], 'shell-load': [] as number[] };
  let exits: string[] = [];
  let command = '';
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of ['none', 'shell-load'] as const) {
      const r = await bluepillBoot({ mode, smp: 2, build: round === 0, dir: 'out/bench/bluepill', timeoutMs: 600_000 });
      const m = new RegExp(`${PROBE_DONE_MARKER} (\\d+), powering off \\(uptime ([0-9.]+) s\\)`).exec(r.output);
      if (!m || (mode === 'shell-load' && !r.passed)) {
        throw new WispError(`bench: the blue-pill boot (${mode}) did not finish as expected (status ${r.status}):\n${r.output.slice(-3000)}`);
      }
      uptime[mode].push(Number(m[2]));
      if (mode === 'shell-load') {
        exits = r.output.split('\n').filter((l) => /^wisp-probe: cpu \d+: exits so far/.test(l));
        command = r.command;
      }
    }
  }
  const med = median;
  console.log(`\nLinux (EFI stub, 2 CPUs) from kernel start to the probe's end, guest uptime, median of ${ROUNDS}:`);
  console.log(`  under wisp-driver.efi (blue-pill): ${med(uptime['shell-load']).toFixed(2)} s   (runs: ${uptime['shell-load'].join(', ')})`);
  console.log(`  without wisp:                      ${med(uptime.none).toFixed(2)} s   (runs: ${uptime.none.join(', ')})`);
  console.log(`  ratio: ${ratio(med(uptime['shell-load']), med(uptime.none))}`);
  for (const l of exits) console.log(`  ${l.replace(/^wisp-probe: /, '')} (firmware from the driver's load on, and Linux)`);
  console.log(`  command: npx wisp bench --only bluepill (each boot: ${command})`);
}
