// The docs against the code they describe: README's commands are `wisp --help`'s, the ABI tables
// of docs/architecture.md are the core's real exports and imports, docs/benchmarks.md's current
// figures are the budgets CI holds, and nothing points at a file outside the project.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { nodeSupported } from '../../build/toolchain';

const README = fs.readFileSync('README.md', 'utf8');
const ARCHITECTURE = fs.readFileSync('docs/architecture.md', 'utf8');

/** The docs a user of the project reads. */
function docFiles(): string[] {
  return ['README.md', ...fs.readdirSync('docs').filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`),
    ...['as-src/README.md', 'c-shim/README.md'].filter((f) => fs.existsSync(f))];
}

/** The project's own files, by path from its root (out/, cache/ and node_modules/ are not its). */
function projectFiles(): Set<string> {
  const files = new Set<string>();
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (['.git', 'node_modules', 'out', 'cache'].includes(e.name) && dir === '.') continue;
      const p = dir === '.' ? e.name : `${dir}/${e.name}`;
      if (e.isDirectory()) { files.add(`${p}/`); walk(p); } else files.add(p);
    }
  };
  walk('.');
  return files;
}

/** The rows of the markdown table under `heading` (up to the next heading): its first column's names. */
function tableNames(text: string, heading: string): string[] {
  const at = text.indexOf(`\n${heading}\n`);
  assert.ok(at >= 0, `no section ${heading}`);
  const section = text.slice(at + 1, text.indexOf('\n#', at + 2));
  const names: string[] = [];
  for (const line of section.split('\n')) {
    const first = /^\| ([^|]+) \|/.exec(line)?.[1];
    if (!first || /^-+$/.test(first.trim())) continue;
    for (const m of first.matchAll(/`(\w+)[(`]/g)) names.push(m[1]);
  }
  return names;
}

describe('the docs match the code', () => {
  it('README\'s commands are the synopses of `wisp --help`, one for one', () => {
    const r = spawnSync(process.execPath, ['out/tools/wisp.js', '--help'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const help = r.stdout.split('\n').filter((l) => /^  [a-z]/.test(l)).map((l) => l.trim().split(/\s{2,}/)[0]);
    const block = /## The `wisp` command\n```\n([^]*?)```/.exec(README);
    assert.ok(block, 'README.md has a "The `wisp` command" block');
    const readme = block[1].split('\n').filter((l) => l.startsWith('npx wisp ')).map((l) => l.replace(/\s+#.*$/, '').slice('npx wisp '.length).trim());
    const commands = readme.filter((l) => !l.startsWith('-'));
    assert.ok(help.length >= 10, 'found the synopses in --help');
    assert.deepEqual(help.filter((s) => !commands.includes(s)), [], 'in wisp --help, not in README');
    assert.deepEqual(commands.filter((s) => !help.includes(s)), [], 'in README, not in wisp --help');
    for (const option of ['--version', '--help', '--quiet']) {
      assert.match(r.stdout, new RegExp(`^  ${option}\\b`, 'm'), option);
      assert.ok(readme.some((l) => l.includes(option)), `README: ${option}`);
    }
  });

  it('no link or file name in the docs points outside the project or at a file it does not have', () => {
    const files = projectFiles();
    const basenames = new Set([...files].map((f) => path.basename(f)));
    const problems: string[] = [];
    for (const doc of docFiles()) {
      const text = fs.readFileSync(doc, 'utf8');
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1].replace(/#.*$/, '');
        if (/^[a-z]+:/.test(target) || target === '') continue;
        const p = path.posix.normalize(path.posix.join(path.posix.dirname(doc), target));
        if (p.startsWith('../')) problems.push(`${doc}: link ${m[1]} leaves the project`);
        else if (!files.has(p) && !files.has(`${p}/`)) problems.push(`${doc}: link ${m[1]}: no such file`);
      }
      for (const m of text.matchAll(/\.\.\/[\w./-]+/g)) problems.push(`${doc}: ${m[0]} leaves the project`);
      for (const m of text.matchAll(/\b([\w-]+\.md)\b/g)) {
        if (!basenames.has(m[1])) problems.push(`${doc}: names ${m[1]}, which the project does not have`);
      }
    }
    assert.deepEqual(problems, []);
  });

  it('the export table of docs/architecture.md is the core\'s exports, and the import table its imports', async () => {
    const module = await WebAssembly.compile(fs.readFileSync('out/core.wasm'));
    const exports = WebAssembly.Module.exports(module).map((e) => e.name);
    const documented = tableNames(ARCHITECTURE, '### Exports');
    assert.deepEqual(exports.filter((e) => !documented.includes(e)).sort(), [], 'exported by out/core.wasm, not in the table');
    assert.deepEqual(documented.filter((e) => !exports.includes(e)).sort(), [], 'in the table, not exported');
    // Imports: every one the core declares (as-src/host.ts); some are imported only once used.
    const declared = [...fs.readFileSync('as-src/host.ts', 'utf8').matchAll(/@external\("env", "(\w+)"\)/g)].map((m) => m[1]);
    const imported = WebAssembly.Module.imports(module).filter((i) => i.module === 'env').map((i) => i.name);
    const table = tableNames(ARCHITECTURE, '### Imports (module `env`)');
    assert.deepEqual(declared.filter((d) => !table.includes(d)).sort(), [], 'declared in as-src/host.ts, not in the table');
    assert.deepEqual(table.filter((d) => !declared.includes(d)).sort(), [], 'in the table, not declared');
    assert.deepEqual(imported.filter((i) => !declared.includes(i)), [], 'imported by out/core.wasm, not declared in as-src/host.ts');
  });

  it('docs/benchmarks.md gives the budgets CI holds (test/bench/budget.json) as the current figures', () => {
    const budget = JSON.parse(fs.readFileSync('test/bench/budget.json', 'utf8')) as { cpuidRoundTripInstructions: number; wispEfiBytes: number };
    const text = fs.readFileSync('docs/benchmarks.md', 'utf8');
    const bytes = budget.wispEfiBytes.toLocaleString('en-US');
    assert.match(text, new RegExp(`^\\| \`out/wisp\\.efi\` now [^\\n]*\\| ${bytes} \\(`, 'm'), `the size row "now" says ${bytes}`);
    assert.match(text, new RegExp(`now \\(([0-9-]+)\\) \\|\\n[^\\n]*\\n\\| \`wisp\\.efi\` \\|[^\\n]*\\| ${budget.cpuidRoundTripInstructions} \\|\\n`),
      `the CPUID table's last column ("now") says ${budget.cpuidRoundTripInstructions} for wisp.efi`);
    assert.match(text, new RegExp(`\\(now ${budget.cpuidRoundTripInstructions} instructions and\\s+${bytes} bytes\\)`), 'the budgets paragraph');
  });

  it('the Node versions README names are the ones the build accepts, and mocha\'s own range', () => {
    const engines = (JSON.parse(fs.readFileSync('node_modules/mocha/package.json', 'utf8')) as { engines: { node: string } }).engines.node;
    assert.equal(engines, '^20.19.0 || >=22.12.0', 'mocha\'s range changed: update nodeSupported (build/toolchain.ts) and README');
    const cases: [string, boolean][] = [['18.20.0', false], ['20.18.1', false], ['20.19.0', true], ['20.20.2', true], ['21.7.3', false],
      ['22.11.0', false], ['22.12.0', true], ['23.1.0', true], ['24.0.0', true]];
    for (const [v, ok] of cases) assert.equal(nodeSupported(v), ok, v);
    assert.match(README.replace(/\s+/g, ' '), /Node 20\.19 or a later 20, or Node 22\.12 or later/);
  });

  it('docs/benchmarks.md names no file of cache/ by a version (the cache holds what Debian has now)', () => {
    const text = fs.readFileSync('docs/benchmarks.md', 'utf8');
    assert.deepEqual([...text.matchAll(/cache\/debian\/vmlinuz-[0-9][^\s`]*/g)].map((m) => m[0]), []);
  });
});
