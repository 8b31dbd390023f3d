// `wisp test`: build everything, bundle test/**/*.test.ts with esbuild into out/test/, run mocha.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { build } from './pipeline';
import { step, useColour, WispError } from './log';
import { abs, listFiles, outDir, rel, root } from './paths';

/** Default per-test timeout; tests that boot QEMU set their own with this.timeout(). */
const DEFAULT_TIMEOUT_MS = 60_000;

export async function bundleTests(): Promise<string[]> {
  const sources = listFiles(abs('test'), (n) => n.endsWith('.test.ts'));
  const dir = path.join(outDir, 'test');
  fs.rmSync(dir, { recursive: true, force: true });
  if (sources.length === 0) return [];
  let esbuild: typeof import('esbuild');
  try { esbuild = await import('esbuild'); } catch { throw new WispError('esbuild is not installed: run `npm ci`'); }
  step(`bundle ${sources.length} test file${sources.length > 1 ? 's' : ''} -> ${rel(dir)}/`);
  try {
    await esbuild.build({
      absWorkingDir: root, entryPoints: sources.map(rel), outdir: dir, outbase: 'test', bundle: true,
      platform: 'node', target: 'node20', format: 'cjs', packages: 'external', sourcemap: 'inline', logLevel: 'silent',
    });
  } catch (e) {
    const errors = (e as { errors?: { text: string; location?: { file: string; line: number; column: number } }[] }).errors ?? [];
    throw new WispError(`bundling the tests failed:\n${errors.map((x) => `  ${x.location ? `${x.location.file}:${x.location.line}:${x.location.column}: ` : ''}${x.text}`).join('\n') || (e as Error).message}`);
  }
  return sources.map((s) => path.join(dir, path.relative(abs('test'), s)).replace(/\.ts$/, '.js'));
}

/** args: mocha options passed through (--grep ...); --no-build skips the build. */
export async function testCommand(args: string[]): Promise<number> {
  const noBuild = args.includes('--no-build');
  const mochaArgs = args.filter((a) => a !== '--no-build');
  if (!noBuild) await build();
  const files = await bundleTests();
  if (files.length === 0) {
    step('no test files (test/**/*.test.ts)');
    return 0;
  }
  const mocha = abs('node_modules/mocha/bin/mocha.js');
  if (!fs.existsSync(mocha)) throw new WispError('mocha is not installed: run `npm ci`');
  const argv = ['--enable-source-maps', mocha, '--timeout', String(DEFAULT_TIMEOUT_MS), ...files.map(rel), ...mochaArgs];
  // Colours only on a terminal (and not with NO_COLOR); mocha's output is passed through as it comes and ends with one plain
  // line "N passed, M failed" that any CI log reader understands.
  argv.push(useColour(process.stdout) ? '--color' : '--no-color');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { cwd: root, stdio: ['inherit', 'pipe', 'inherit'], env: { ...process.env, WISP_ROOT: root } });
    // mocha's counts come before its failure reports, which can be long: each is kept as it passes.
    let line = '';
    let passed: RegExpExecArray | null = null, failed: RegExpExecArray | null = null, pending: RegExpExecArray | null = null;
    child.stdout.on('data', (b: Buffer) => {
      process.stdout.write(b);
      const lines = (line + b.toString()).split('\n');
      line = lines.pop() ?? '';
      for (const l of lines) {
        const plain = l.replace(/\x1b\[[0-9;]*m/g, '');
        passed = /^\s*(\d+) passing/.exec(plain) ?? passed;
        failed = /^\s*(\d+) failing/.exec(plain) ?? failed;
        pending = /^\s*(\d+) pending/.exec(plain) ?? pending;
      }
    });
    child.on('error', reject);
    child.on('close', (status, signal) => {
      if (passed || failed) {
        console.log(`${passed?.[1] ?? 0} passed, ${failed?.[1] ?? 0} failed${pending ? `, ${pending[1]} skipped` : ''}`);
      }
      resolve(status ?? (signal ? 128 + 1 : 1));
    });
  });
}
