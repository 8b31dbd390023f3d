// build/tools.json, the one table of external programs and files: everything in it is installed
// (set-up installs its packages), README lists those packages, and no code under build/, image/
// or test/ spawns a program that does not come from the table.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { debianPackages, file, fileNames, isProgramName, program, programNames } from '../../build/tools';

const SPAWNERS = ['spawn', 'spawnSync', 'execFile', 'execFileSync'];
const SHELLS = ['exec', 'execSync'];          // a shell command line hides which program runs
const RUNNERS = { run: 0, runChecked: 1 };     // build/exec.ts: the index of the program argument

/** The text of the call's arguments up to the top-level comma number `index` (quote-aware). */
function argument(text: string, open: number, index: number): string {
  let depth = 0, start = open + 1, n = 0;
  for (let i = open + 1; i < text.length; i++) {
    const c = text[i];
    if (c === "'" || c === '"' || c === '`') {
      for (i++; i < text.length && text[i] !== c; i++) if (text[i] === '\\') i++;
    } else if (c === '(' || c === '[' || c === '{') depth++;
    else if ((c === ')' || c === ']' || c === '}') && depth > 0) depth--;
    else if ((c === ',' && depth === 0) || c === ')') {
      if (n === index) return text.slice(start, i).trim();
      n++;
      start = i + 1;
      if (c === ')') break;
    }
  }
  return '';
}

/** What is wrong with the spawns in one source file (empty: nothing). */
export function spawnProblems(source: string, name: string): string[] {
  const problems: string[] = [];
  const text = source.replace(/^\s*\/\/.*$/gm, '');
  const childProcess = /from ['"]node:child_process['"]/.test(text);
  const exec = /import \{[^}]*\b(run|runChecked)\b[^}]*\} from ['"][./]*(?:build\/)?exec['"]/.test(text);
  const calls: [RegExp, number][] = [];
  if (childProcess) {
    calls.push([new RegExp(`(?<![\\w.])(${SPAWNERS.join('|')})\\(`, 'g'), 0]);
    calls.push([/\.run\(/g, 0]);              // a wrapper method of this file around child_process
    for (const m of text.matchAll(new RegExp(`(?<![\\w.])(${SHELLS.join('|')})\\(`, 'g'))) {
      problems.push(`${name}: ${m[1]}() runs a shell command line: spawn a program from build/tools.ts instead`);
    }
  }
  if (exec) for (const [fn, index] of Object.entries(RUNNERS)) calls.push([new RegExp(`(?<![\\w.])${fn}\\(`, 'g'), index]);
  for (const [re, index] of calls) {
    for (const m of text.matchAll(re)) {
      const arg = argument(text, m.index! + m[0].length - 1, index);
      if (/^['"`]/.test(arg)) problems.push(`${name}: ${m[0]}${arg}, ...): a program named by a literal, not looked up in build/tools.json`);
    }
  }
  for (const m of text.matchAll(/(?<![\w.])program\(\s*['"]([^'"]+)['"]/g)) {
    if (!isProgramName(m[1])) problems.push(`${name}: program('${m[1]}') is not in build/tools.json`);
  }
  if (!name.endsWith(path.join('build', 'tools.ts')) && /process\.env\.PATH\b/.test(text) && !/PATH = /.test(text)) {
    problems.push(`${name}: searches PATH itself: use build/tools.ts`);
  }
  return problems;
}

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(p));
    else if (/\.(ts|cjs)$/.test(e.name)) out.push(p);
  }
  return out;
}

describe('tools (build/tools.json)', () => {
  it('has every program and file it lists installed on this machine', () => {
    for (const p of programNames()) assert.doesNotThrow(() => program(p), `${p}`);
    for (const f of fileNames()) assert.doesNotThrow(() => file(f), `${f}`);
  });

  it('finds nothing under build/, image/ and test/ that spawns a program outside the table', () => {
    const files = ['build', 'image', 'test'].flatMap((d) => sources(d)).filter((f) => f !== path.join('test', 'unit', 'tools.test.ts'));   // its own examples
    const problems = files.flatMap((f) => spawnProblems(fs.readFileSync(f, 'utf8'), f));
    assert.deepEqual(problems, []);
  });

  it('catches a spawn of a literal program, a runChecked of one, a shell, a name not in the table', () => {
    const cp = "import { spawn, execFileSync, execSync } from 'node:child_process';\n";
    assert.equal(spawnProblems(`${cp}spawn('sgdisk', ['-v']);`, 'a.ts').length, 1);
    assert.equal(spawnProblems(`${cp}execFileSync(\`ls\`);`, 'a.ts').length, 1);
    assert.equal(spawnProblems(`${cp}execSync('ls -l');`, 'a.ts').length, 1);
    assert.equal(spawnProblems(`${cp}class R { run(c) {} }\nr.run('clang', []);`, 'a.ts').length, 1);
    assert.equal(spawnProblems("import { runChecked } from './exec';\nrunChecked('what, it is', 'dpkg', ['-x']);", 'a.ts').length, 1);
    assert.equal(spawnProblems(`${cp}spawn(program('no-such-tool'), []);`, 'a.ts').length, 1);
    assert.equal(spawnProblems(`${cp}const p = process.env.PATH;`, 'a.ts').length, 1);
    assert.deepEqual(spawnProblems(`${cp}spawn(program('sgdisk'), ['-v']);\nspawn(process.execPath, []);\n/x/.exec('y');`, 'a.ts'), []);
  });

  it("README's set-up paragraph names exactly the table's Debian packages", () => {
    const readme = fs.readFileSync('README.md', 'utf8').replace(/\s+/g, ' ');
    const m = /\(packages: ([^)]*)\)/.exec(readme);
    assert.ok(m, 'README.md: no "(packages: ...)" in the set-up paragraph');
    assert.deepEqual(m![1].split(',').map((s) => s.trim()).sort(), debianPackages().sort());
  });

  it('build/setup.sh installs from the table, with no package list of its own', () => {
    const setup = fs.readFileSync('build/setup.sh', 'utf8');
    assert.match(setup, /node build\/setup-packages\.cjs/);
    assert.doesNotMatch(setup, /packages=\([^)]/);
  });
});
