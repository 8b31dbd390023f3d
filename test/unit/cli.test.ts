// The `wisp` command as a user meets it, run as a program from a folder of the user's own (paths
// are taken from there): --version, COMMAND --help, --quiet, `--`, and every command refusing a
// wrong file or option with one line, before anything is built, written or booted.
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const TOOL = path.resolve('out/tools/wisp.js');
/** Not a regular file: what `config check`, `--efi`, `--guest`, `--image` and `--kernel` must refuse. */
const DEVICE = '/dev/null';
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
    fs.writeFileSync(path.join(dir, 'ok.cfg'), '[vm a]\nimage = a.bin\nmemory = 2\nload = 0x1000\nentry = 0x1000\nmode = protected32\n');
    fs.writeFileSync(path.join(dir, 'a.bin'), Buffer.from([0xf4]));
    fs.writeFileSync(path.join(dir, 'empty'), '');
    // Three VMs, 161 MiB together, each expecting something else.
    fs.writeFileSync(path.join(dir, 'two.cfg'), '[vm a]\nimage = a.bin\nmemory = 100\nload = 0x1000\nmode = protected32\n' +
      '[vm b]\nimage = a.bin\nmemory = 60\nload = 0x1000\nmode = protected32\nexpect = reset\n[vm c]\nimage = a.bin\nmemory = 1\nload = 0x1000\nmode = protected32\nexpect = poweroff\n');
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
    refuses(['config'], /^wisp: usage: wisp config check FILE \[--memory MiB\]$/, 2);
    refuses(['image', '--guest', 'x.bin', '--efi', 'app.efi'], /^wisp: --guest needs --config/, 2);
    const r = wisp('run', '-k', 'x');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^wisp: Unknown option '-k'/);
  });

  it('image, pack and config check: a wrong file is one line, and nothing is written', () => {
    fs.writeFileSync(path.join(dir, 'empty.cfg'), '');
    fs.writeFileSync(path.join(dir, 'garbage.cfg'), 'this is not a config\n');
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

  it('--quiet (before or after the command) keeps only results and errors: no progress lines', () => {
    const loud = wisp('image', '--efi', 'app.efi', '-o', 'loud.img');
    assert.equal(loud.status, 0, loud.stderr);
    assert.match(loud.stderr, /^image .*loud\.img$/m, 'without --quiet: the step line');
    for (const args of [['--quiet', 'image', '--efi', 'app.efi', '-o', 'q1.img'], ['image', '-q', '--efi', 'app.efi', '-o', 'q2.img']]) {
      const r = wisp(...args);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stderr, '', `${args.join(' ')}: nothing on stderr`);
      assert.match(r.stdout, /q[12]\.img\n$/, 'the result is still printed');
      assert.ok(fs.existsSync(path.join(dir, args.includes('-q') ? 'q2.img' : 'q1.img')));
    }
    refuses(['--quiet', 'image', '--efi', 'hostname', '-o', 'q3.img'], /^wisp: --efi .*hostname: not an x86-64 UEFI application/);
    assert.ok(!fs.existsSync(path.join(dir, 'q3.img')), 'errors are not quiet, and nothing is written');
    for (const f of ['loud.img', 'q1.img', 'q2.img']) fs.rmSync(path.join(dir, f));
  });

  it('a pipe gets no progress line and no colour: no carriage return, no escape sequence', () => {
    const r = wisp('image', '--efi', 'app.efi', '-o', 'plain.img');
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr + r.stdout, /[\r\x1b]/);
    fs.rmSync(path.join(dir, 'plain.img'));
  });

  it('-- passes the rest to the emulator unchanged; a command without an emulator refuses it', () => {
    const before = fs.readdirSync(dir).sort().join(' ');
    refuses(['image', '--efi', 'app.efi', '-o', 'x.img', '--', '-m', '1G'], /^wisp: image: nothing takes arguments after -- here \(only run and bluepill: for the emulator\)$/, 2);
    refuses(['config', 'check', 'x.cfg', '--', 'y'], /^wisp: config: nothing takes arguments after -- /, 2);
    refuses(['start', '--', '-m', '1G'], /^wisp: start: nothing takes arguments after -- /, 2);
    assert.equal(fs.readdirSync(dir).sort().join(' '), before, 'nothing written');
    // QEMU itself refuses an option it does not know: it got it, as typed, and nothing booted.
    const r = wisp('run', '--kernel', 'multiboot.elf', '--', '-no-such-qemu-option');
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /^qemu-system-x86_64: -no-such-qemu-option: invalid option$/m, r.stderr);
    // Bochs takes bochsrc lines after its options: it got this one and refused it.
    const b = wisp('run', '--emulator', 'bochs', '--kernel', 'multiboot.elf', '--', 'bogus_directive: 1');
    assert.equal(b.status, 1, b.stderr);
    assert.match(b.stderr, /cmdline args: directive 'bogus_directive' not understood/, b.stderr);
    // bluepill too (mode none: no driver to build; the guest cache and the probe are set-up's).
    const p = wisp('bluepill', '--mode', 'none', '--', '-no-such-qemu-option');
    assert.equal(p.status, 1, p.stderr);
    assert.match(p.stderr, /^qemu-system-x86_64: -no-such-qemu-option: invalid option$/m, p.stderr);
    assert.match(p.stderr, /^wisp: blue-pill none: FAIL: QEMU exit status 1, before any console output /m, p.stderr);
    // Options after -- are not wisp's: --help there is QEMU's business, not wisp's usage.
    const h = wisp('run', '--kernel', 'multiboot.elf', '--', '-no-such-qemu-option', '--help');
    assert.doesNotMatch(h.stdout, /^usage:/, 'wisp did not take --help after --');
  });

  it('Ctrl-C while image writes: exit 130, one line, no temporary file and no image left', async () => {
    const sub = fs.mkdtempSync(path.join(dir, 'interrupt-'));
    fs.copyFileSync(path.join(dir, 'app.efi'), path.join(sub, 'app.efi'));
    const big = path.join(sub, 'big.bin');
    fs.writeFileSync(big, '');
    fs.truncateSync(big, 100 * 1024 * 1024);      // sparse here; mcopy still copies 100 MiB: time to interrupt it
    fs.writeFileSync(path.join(sub, 'big.cfg'), '[vm a]\nimage = big.bin\nmemory = 128\nload = 0x1000\nmode = protected32\n');
    const child = spawn(process.execPath, [TOOL, 'image', '--config', 'big.cfg', '--efi', 'app.efi', '-o', 'x.img'], { cwd: sub, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
    let seen = '';
    const watcher = fs.watch(sub, (_event, name) => {
      if (!seen && name?.includes('.tmp-')) { seen = name; child.kill('SIGINT'); }
    });
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    watcher.close();
    assert.match(seen, /^\.x\.img\.tmp-\d+/, 'the image was being written under a temporary name');
    assert.equal(status, 130, stderr);
    assert.equal(stderr, '\nwisp: interrupted (SIGINT)\n');
    assert.deepEqual(fs.readdirSync(sub).sort(), ['app.efi', 'big.bin', 'big.cfg']);
    fs.rmSync(sub, { recursive: true, force: true });
  });

  it('config check --memory: the VMs must fit beside wisp and OVMF; without it, the machine wisp run gives them', () => {
    const ok = wisp('config', 'check', 'two.cfg');
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /^  machine: 448 MiB \(what wisp run --config gives it\), the VMs 161 MiB of it$/m, ok.stdout);
    const fits = wisp('config', 'check', 'two.cfg', '--memory', '417M');
    assert.equal(fits.status, 0, fits.stderr);
    assert.match(fits.stdout, /^  machine: 417 MiB, the VMs 161 MiB of it$/m);
    refuses(['config', 'check', 'two.cfg', '--memory', '416'],
      /^wisp: --memory 416: the configuration's VMs take 161 MiB and wisp and OVMF about 256 MiB more: give at least 417 MiB, or leave --memory out \(then 448 MiB\)$/);
    refuses(['config', 'check', '-m', '256M', 'two.cfg'], /^wisp: --memory 256M: the configuration's VMs take 161 MiB/);
    refuses(['config', 'check', 'two.cfg', '--memory', 'lots'], /^wisp: --memory lots: MiB \(or with a K, M, G suffix\), from 64 to 16384 MiB$/, 2);
    // run --config checks the same before it builds anything.
    const before = outputs();
    refuses(['run', '--config', 'two.cfg', '--memory', '300'], /^wisp: --memory 300: the configuration's VMs take 161 MiB/);
    assert.equal(outputs(), before, 'nothing written');
  });

  it('config check prints every expect by the name the configuration uses', () => {
    const r = wisp('config', 'check', 'two.cfg');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^  vm a: .*, expect exit 0$/m);
    assert.match(r.stdout, /^  vm b: .*, expect reset$/m);
    assert.match(r.stdout, /^  vm c: .*, expect poweroff$/m);
    assert.doesNotMatch(r.stdout, /expect \d/);
  });

  it('config check: VM names are unique, and a parser error is one line naming the file and line', () => {
    fs.writeFileSync(path.join(dir, 'dup.cfg'), '[vm a]\nimage = a.bin\nmemory = 2\nload = 0x1000\nmode = protected32\n[vm a]\nimage = a.bin\nmemory = 2\nload = 0x1000\nmode = protected32\n');
    refuses(['config', 'check', 'dup.cfg'], /^wisp: configuration error: .*dup\.cfg:6: duplicate VM name 'a'/);
    refuses(['config', 'check', 'app.efi'], /^wisp: configuration error: .*app\.efi: too large \(\d+ bytes\) for the core's input buffer$/);
    fs.writeFileSync(path.join(dir, 'binary.cfg'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x0a]));
    refuses(['config', 'check', 'binary.cfg'], /^wisp: configuration error: .*binary\.cfg:1: /);
  });

  it('every flag of every command with a wrong value, or a file that is empty, a folder, a device or of the wrong kind: one line, nothing written', () => {
    // A device stands for an unreadable file: the tests run as root, whom chmod 000 does not stop.
    const listing = (): string => fs.readdirSync(dir).sort().join(' ');
    const before = listing();
    const written = outputs();
    const usage: [string[], RegExp][] = [
      [['build', '--variant', 'bogus'], /^wisp: --variant bogus: one of wisp, wisp-test, wisp-driver, wisp-floor$/],
      [['build', '--bogus'], /^wisp: Unknown option '--bogus' \(see wisp build --help\)$/],
      [['image', '-o'], /^wisp: Option '-o, --output <value>' argument missing \(see wisp image --help\)$/],
      [['pack', '--config'], /^wisp: Option '--config <value>' argument missing/],
      [['run', '--variant', 'bogus'], /^wisp: --variant bogus: one of /],
      [['run', '--timeout', '0'], /^wisp: --timeout 0: a number of seconds is expected$/],
      [['run', '--timeout', '-5'], /^wisp: Option '--timeout' argument is ambiguous \(see wisp run --help\)$/],
      [['run', '--timeout=-5'], /^wisp: --timeout -5: a number of seconds is expected$/],
      [['run', '--memory', '12.5'], /^wisp: --memory 12\.5: MiB /],
      [['run', '--memory', '99999'], /^wisp: --memory 99999: MiB .* from 64 to 16384 MiB$/],
      [['run', '--initrd', 'x'], /^wisp: --initrd and --append go with --kernel$/],
      [['run', '--append', 'quiet'], /^wisp: --initrd and --append go with --kernel$/],
      [['run', '--image', 'x.img', '--config', 'ok.cfg'], /^wisp: --image boots an existing image: it takes no --config or --variant$/],
      [['run', '--kernel', 'multiboot.elf', '--config', 'ok.cfg'], /^wisp: --kernel makes its own configuration and image: no --config or --image$/],
      [['run', '--kernel', 'multiboot.elf', '--append', 'caf\u00e9'], /^wisp: --append "caf\u00e9": printable ASCII only$/],
      [['run', '--kernel', 'multiboot.elf', '--append', 'a"b'], /^wisp: --append: the text cannot contain '"'/],
      [['run', 'extra'], /^wisp: Unexpected argument 'extra' \(see wisp run --help\)$/],
      [['bluepill', '--smp', '0'], /^wisp: --smp 0: a number of CPUs from 1 to 64$/],
      [['bluepill', '--smp', '65'], /^wisp: --smp 65: a number of CPUs from 1 to 64$/],
      [['bluepill', '--timeout', 'soon'], /^wisp: --timeout soon: a number of seconds is expected$/],
      [['start', '--bogus'], /^wisp: Unknown option '--bogus' \(see wisp start --help\)$/],
      [['fetch-guests', '--bogus'], /^wisp: fetch-guests takes no arguments: --bogus$/],
      [['config', 'check', 'a.cfg', 'b.cfg'], /^wisp: usage: wisp config check FILE \[--memory MiB\]$/],
      [['config', 'lint', 'a.cfg'], /^wisp: usage: wisp config check FILE/],
    ];
    for (const [args, re] of usage) refuses(args, re, 2);
    const files: [string[], RegExp][] = [
      [['image', '--efi', 'empty', '-o', 'x.img'], /^wisp: --efi .*empty: the file is empty$/],
      [['image', '--efi', DEVICE, '-o', 'x.img'], /^wisp: --efi .*null: not a regular file$/],
      [['image', '--config', 'empty', '--efi', 'app.efi', '-o', 'x.img'], /^wisp: --config .*empty: the file is empty$/],
      [['image', '--config', 'folder', '--efi', 'app.efi', '-o', 'x.img'], /^wisp: --config .*folder: a folder, not a file$/],
      [['image', '--config', 'app.efi', '--efi', 'app.efi', '-o', 'x.img'], /^wisp: configuration error: .*app\.efi: too large/],
      [['image', '--config', 'ok.cfg', '--guest', DEVICE, '--efi', 'app.efi', '-o', 'x.img'], /^wisp: --guest .*null: not a regular file$/],
      [['image', '--efi', 'app.efi', '-o', '/proc/wisp-cannot-write.img'], /^wisp: -o \/proc\/wisp-cannot-write\.img: cannot write it \(ENOENT: /],
      [['pack', '--config', 'missing.cfg', '--efi', 'app.efi', '-o', 'x.efi'], /^wisp: --config .*missing\.cfg: no such file$/],
      [['pack', '--config', 'ok.cfg', '--efi', 'hostname', '-o', 'x.efi'], /^wisp: --efi .*hostname: not an x86-64 UEFI application/],
      [['pack', '--config', 'ok.cfg', '--efi', 'empty', '-o', 'x.efi'], /^wisp: --efi .*empty: the file is empty$/],
      [['run', '--image', 'missing.img'], /^wisp: --image .*missing\.img: no such file$/],
      [['run', '--image', 'folder'], /^wisp: --image .*folder: a folder, not a file$/],
      [['run', '--image', 'empty'], /^wisp: --image .*empty: the file is empty$/],
      [['run', '--image', DEVICE], /^wisp: --image .*null: not a regular file$/],
      [['run', '--image', 'hostname'], /^wisp: --image .*hostname: not a GPT disk image \(no "EFI PART" at LBA 1\), such as `wisp image` writes$/],
      [['run', '--config', 'folder'], /^wisp: configuration .*folder: a folder, not a file$/],
      [['run', '--config', 'empty'], /^wisp: configuration .*empty: the file is empty$/],
      [['run', '--config', 'hostname'], /^wisp: configuration error: .*hostname:1: /],
      [['run', '--kernel', 'empty'], /^wisp: .*empty: kernel: the file is empty$/],
      [['run', '--kernel', DEVICE], /^wisp: --kernel .*null: not a file$/],
      [['run', '--kernel', 'multiboot.elf', '--initrd', 'folder'], /^wisp: --initrd .*folder: not a file$/],
      [['bluepill', '--driver', 'hostname'], /^wisp: --driver .*hostname: not an x86-64 UEFI application/],
      [['bluepill', '--driver', 'folder'], /^wisp: --driver .*folder: a folder, not a file$/],
      [['bluepill', '--driver', 'missing.efi'], /^wisp: --driver .*missing\.efi: no such file$/],
      [['config', 'check', DEVICE], /^wisp: configuration .*null: not a regular file$/],
    ];
    for (const [args, re] of files) refuses(args, re, 1);
    assert.equal(listing(), before, 'nothing written in the folder, no temporary file left');
    assert.equal(outputs(), written, 'nothing written under out/');
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
