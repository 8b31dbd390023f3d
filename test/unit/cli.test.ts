// The `wisp` command as a user meets it, run as a program from a folder of the user's own (paths
// are taken from there): --version, COMMAND --help, and `run --kernel` refusing a wrong file or
// option with one line, before anything is built, written or booted.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const TOOL = path.resolve('out/tools/wisp.js');
const COMMANDS = ['build', 'image', 'pack', 'run', 'bluepill', 'start', 'test', 'bench', 'fetch-guests', 'config'];

let dir: string;

function wisp(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [TOOL, ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The command fails with status 1 and exactly one line on stderr, matching `re`. */
function refuses(args: string[], re: RegExp): void {
  const r = wisp(...args);
  assert.equal(r.status, 1, `${args.join(' ')}: status\n${r.stderr}`);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `${args.join(' ')}: one line\n${r.stderr}`);
  assert.match(lines[0], re);
}

/** Modification times of what a run would write (out/run/, out/wisp.img). */
function outputs(): string {
  return ['out/run', 'out/run/wisp.cfg', 'out/wisp.img'].map((p) => (fs.existsSync(p) ? String(fs.statSync(p).mtimeMs) : '-')).join(' ');
}

describe('wisp command line', function () {
  this.timeout(120_000);
  before(() => {
    assert.ok(fs.existsSync(TOOL), 'out/tools/wisp.js is missing: set-up bundles it');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wisp-cli-'));
    fs.writeFileSync(path.join(dir, 'hostname'), 'my-host\n');
    fs.copyFileSync('out/wisp.efi', path.join(dir, 'app.efi'));
    fs.copyFileSync('out/guests/multiboot.elf', path.join(dir, 'multiboot.elf'));
    fs.mkdirSync(path.join(dir, 'folder'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('--version prints the version', () => {
    const r = wisp('--version');
    assert.equal(r.status, 0);
    assert.equal(r.stdout.trim(), `wisp ${JSON.parse(fs.readFileSync('package.json', 'utf8')).version}`);
  });

  it('COMMAND --help prints that command\'s usage and does nothing else, for every command', () => {
    for (const cmd of COMMANDS) {
      const r = wisp(cmd, '--help');
      assert.equal(r.status, 0, `${cmd} --help: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`^usage:\\n  ${cmd}\\b`), cmd);
      assert.equal(r.stderr, '', cmd);
    }
  });

  it('run --kernel refuses what is not a kernel with one line naming what it is, before any boot', () => {
    const before = outputs();
    refuses(['run', '--kernel', 'hostname'], /^wisp: .*hostname: kernel: text \(8 bytes\); accepted: a Linux bzImage .* or a Multiboot v1 kernel/);
    refuses(['run', '--kernel', 'app.efi'], /^wisp: .*app\.efi: kernel: a PE\/COFF executable/);
    refuses(['run', '--kernel', 'missing'], /^wisp: --kernel .*missing: no such file$/);
    refuses(['run', '--kernel', 'folder'], /^wisp: --kernel .*folder: not a file$/);
    refuses(['run', '--kernel', 'multiboot.elf', '--initrd', 'nothere.txt some args'], /^wisp: --initrd nothere\.txt: no such file$/);
    assert.equal(outputs(), before, 'nothing written');
  });

  it('run refuses a wrong option value before building or writing anything', () => {
    const before = outputs();
    refuses(['run', '--emulator', 'bogus'], /^wisp: --emulator bogus: qemu or bochs$/);
    refuses(['run', '--timeout', 'abc'], /^wisp: --timeout abc: a number of seconds is expected$/);
    refuses(['run', '--memory', '1e3'], /^wisp: --memory 1e3: MiB, from 64 to 16384$/);
    refuses(['run', '--kernel', 'multiboot.elf', '--memory', '4'], /^wisp: --memory 4: MiB, from 16 to 4096$/);
    refuses(['run', '--config', 'missing.cfg'], /^wisp: --config .*missing\.cfg: no such file$/);
    assert.equal(outputs(), before, 'nothing written');
  });
});
