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

/** The command fails with `status` (2 a usage mistake, 1 the rest) and one line on stderr matching `re`. */
function refuses(args: string[], re: RegExp, status = 1): void {
  const r = wisp(...args);
  assert.equal(r.status, status, `${args.join(' ')}: status\n${r.stderr}`);
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
    refuses(['run', '--emulator', 'bogus'], /^wisp: --emulator bogus: qemu or bochs$/, 2);
    refuses(['run', '--timeout', 'abc'], /^wisp: --timeout abc: a number of seconds is expected$/, 2);
    refuses(['run', '--memory', '1e3'], /^wisp: --memory 1e3: MiB \(or with a K, M, G suffix\), from 64 to 16384 MiB$/, 2);
    refuses(['run', '-m', '0x100'], /^wisp: --memory 0x100: MiB /, 2);
    refuses(['run', '--kernel', 'multiboot.elf', '--memory', '4'], /^wisp: --memory 4: MiB \(or with a K, M, G suffix\), from 16 to 4096 MiB$/, 2);
    refuses(['run', '-kernel', 'hostname', '-m', '1G'], /^wisp: .*hostname: kernel: text/);   // QEMU's spellings
    refuses(['run', '--config', 'missing.cfg'], /^wisp: --config .*missing\.cfg: no such file$/);
    assert.equal(outputs(), before, 'nothing written');
  });

  it('usage mistakes exit 2 with one line, before anything runs', () => {
    refuses(['bogus'], /^wisp: unknown command bogus \(see wisp --help\)$/, 2);
    refuses(['bluepill', '--smp', 'two'], /^wisp: --smp two: a number of CPUs from 1 to 64$/, 2);
    refuses(['bluepill', '--mode', 'fast'], /^wisp: --mode fast: shell-load, driver-order, none$/, 2);
    refuses(['bench', '--only', 'bogus'], /^wisp: --only bogus: one of /, 2);
    refuses(['pack'], /^wisp: pack: --config FILE is required/, 2);
    refuses(['config'], /^wisp: usage: wisp config check FILE$/, 2);
    refuses(['image', '--guest', 'x.bin', '--efi', 'app.efi'], /^wisp: --guest needs --config/, 2);
    const r = wisp('run', '-k', 'x');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^wisp: Unknown option '-k'/);
  });

  it('image, pack and config check: a wrong file is one line, and nothing is written', () => {
    fs.writeFileSync(path.join(dir, 'empty.cfg'), '');
    fs.writeFileSync(path.join(dir, 'garbage.cfg'), 'this is not a config\n');
    fs.writeFileSync(path.join(dir, 'ok.cfg'), '[vm a]\nimage = a.bin\nmemory = 2\nload = 0x1000\nentry = 0x1000\nmode = protected32\n');
    fs.writeFileSync(path.join(dir, 'a.bin'), Buffer.from([0xf4]));
    fs.writeFileSync(path.join(dir, 'other.bin'), Buffer.from([0xf4]));
    const listing = (): string => fs.readdirSync(dir).sort().join(' ');
    const before = listing();
    refuses(['config', 'check', 'folder'], /^wisp: configuration .*folder: a folder, not a file$/);
    refuses(['config', 'check', 'missing.cfg'], /^wisp: configuration .*missing\.cfg: no such file$/);
    refuses(['config', 'check', 'empty.cfg'], /^wisp: configuration .*empty\.cfg: the file is empty$/);
    refuses(['image', '-o', 'folder', '--efi', 'app.efi'], /^wisp: -o .*folder: a folder; give a file name$/);
    refuses(['image', '--efi', 'hostname', '-o', 'x.img'], /^wisp: --efi .*hostname: not an x86-64 UEFI application/);
    refuses(['image', '--efi', 'folder', '-o', 'x.img'], /^wisp: --efi .*folder: a folder, not a file$/);
    refuses(['image', '--config', 'garbage.cfg', '--efi', 'app.efi', '-o', 'x.img'], /^wisp: configuration error: .*garbage\.cfg:1: /);
    refuses(['image', '--config', 'ok.cfg', '--guest', 'missing.bin', '--efi', 'app.efi', '-o', 'x.img'], /^wisp: --guest .*missing\.bin: no such file$/);
    refuses(['image', '--config', 'ok.cfg', '--guest', 'other.bin', '--efi', 'app.efi', '-o', 'x.img'],
      /^wisp: --guest .*other\.bin: the configuration names no other\.bin \(it names: a\.bin\)$/);
    refuses(['pack', '--config', 'ok.cfg', '-o', 'folder', '--efi', 'app.efi'], /^wisp: -o .*folder: a folder; give a file name$/);
    refuses(['pack', '--config', 'ok.cfg', '--guest', 'folder', '--efi', 'app.efi', '-o', 'x.efi'], /^wisp: --guest .*folder: a folder, not a file$/);
    refuses(['pack', '--config', 'ok.cfg', '--efi', 'folder', '-o', 'x.efi'], /^wisp: --efi .*folder: a folder, not a file$/);
    assert.equal(listing(), before, 'nothing written, no temporary file left');
  });

  it('config check meets what run, image and pack would: each image there, fitting, a kernel the core takes', () => {
    fs.writeFileSync(path.join(dir, 'nf.cfg'), '[vm a]\nimage = nothere.bin\nmemory = 2\nload = 0x1000\nmode = protected32\n');
    refuses(['config', 'check', 'nf.cfg'], /^wisp: guest image nothere\.bin \(named in the configuration\) not found beside it/);
    fs.writeFileSync(path.join(dir, 'k.cfg'), '[vm k]\nkernel = hostname\nmemory = 32\n');
    refuses(['config', 'check', 'k.cfg'], /^wisp: .*k\.cfg: vm k: kernel: text \(8 bytes\); accepted: /);
    fs.writeFileSync(path.join(dir, 'big.bin'), Buffer.alloc(3 * 1024 * 1024, 0x90));
    fs.writeFileSync(path.join(dir, 'big.cfg'), '[vm a]\nimage = big.bin\nmemory = 2\nload = 0x1000\nmode = protected32\n');
    refuses(['config', 'check', 'big.cfg'], /^wisp: .*big\.cfg: vm a: image .*big\.bin \(3145728 bytes at 0x1000\) does not fit in its 2 MiB$/);
    fs.writeFileSync(path.join(dir, 'mb.cfg'), '[vm m]\nkernel = multiboot.elf\nmemory = 8\n');
    const r = wisp('config', 'check', 'mb.cfg');
    assert.equal(r.status, 0, r.stderr);
  });

  it('a guest image beside the configuration is used; one that differs from wisp\'s own of that name is an error naming both', () => {
    const own = fs.readFileSync('out/guests/halt.bin');
    fs.writeFileSync(path.join(dir, 'mine.cfg'), '[vm a]\nimage = halt.bin\nmemory = 2\nload = 0x1000\nentry = 0x1000\nmode = protected32\n');
    fs.writeFileSync(path.join(dir, 'halt.bin'), own);              // the same bytes: no doubt which
    const r = wisp('pack', '--config', 'mine.cfg', '--efi', 'app.efi', '-o', 'same.efi');
    assert.equal(r.status, 0, r.stderr);
    assert.ok(fs.existsSync(path.join(dir, 'same.efi')));
    fs.writeFileSync(path.join(dir, 'halt.bin'), Buffer.from([0x90, 0xf4]));   // the user's own halt.bin
    refuses(['pack', '--config', 'mine.cfg', '--efi', 'app.efi', '-o', 'mine.efi'],
      /^wisp: guest image halt\.bin: both .*halt\.bin \(beside the configuration\) and wisp's own out\/guests\/halt\.bin exist; give the one you mean with --guest$/);
    assert.ok(!fs.existsSync(path.join(dir, 'mine.efi')));
    const g = wisp('pack', '--config', 'mine.cfg', '--guest', 'halt.bin', '--efi', 'app.efi', '-o', 'mine.efi');
    assert.equal(g.status, 0, g.stderr);
  });
});
