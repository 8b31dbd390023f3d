// The blue-pill harness without booting: startup.nsh for each way of loading the driver, the kernel
// command line, and the probe itself on this machine, where wisp is not running (it must fail).
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { bluepillCmdline, probePassed } from '../../build/bluepill';
import { PROBE } from '../../build/guests';
import { abs } from '../../build/paths';
import { startupNsh } from '../../image/bluepill';

describe('blue-pill harness', () => {
  const cmdline = bluepillCmdline(2);

  it('the kernel command line has the serial console and the CPU count for the probe', () => {
    assert.equal(cmdline, 'console=ttyS0 panic=-1 wisp.cpus=2');
    assert.equal(bluepillCmdline(4, 'quiet'), 'console=ttyS0 panic=-1 wisp.cpus=4 quiet');
  });

  it('startup.nsh, shell-load: load the driver, then start the kernel; CRLF lines', () => {
    assert.equal(startupNsh('shell-load', cmdline), [
      'fs0:', 'load fs0:\\wisp\\wisp-driver.efi', 'load fs0:\\wisp\\wisp-driver.efi', 'echo "wisp-bluepill: starting the kernel"',
      `fs0:\\vmlinuz initrd=\\initrd.img ${cmdline}`, '',
    ].join('\r\n'));
  });

  it('startup.nsh, driver-order: bcfg driver add + marker + reset, or (marker present) the kernel', () => {
    const nsh = startupNsh('driver-order', cmdline).split('\r\n');
    assert.deepEqual(nsh.map((l) => l.trim()), [
      'fs0:', 'if exist fs0:\\wisp\\installed then', 'bcfg driver dump', 'echo "wisp-bluepill: starting the kernel"',
      `fs0:\\vmlinuz initrd=\\initrd.img ${cmdline}`, 'else', 'bcfg driver add 0 fs0:\\wisp\\wisp-driver.efi "wisp"',
      'echo x > fs0:\\wisp\\installed', 'echo "wisp-bluepill: driver entry added, resetting"', 'reset', 'endif', '',
    ]);
  });

  it('startup.nsh, none: the kernel only', () => {
    assert.ok(!startupNsh('none', cmdline).includes('wisp-driver'));
  });

  it('refuses command lines the Shell would rewrite (#, %, ^, quotes)', () => {
    for (const bad of ['a#b', '100%', 'x^y', 'say "hi"']) assert.throws(() => startupNsh('shell-load', bad), /startup\.nsh/);
  });

  it('probePassed wants the exact closing line with the CPU count', () => {
    assert.ok(probePassed('x\r\nwisp-probe: PASS on 2 CPUs\r\n', 2));
    assert.ok(!probePassed('wisp-probe: PASS on 1 CPUs\n', 2));
    assert.ok(!probePassed('wisp-probe: FAIL: x\n', 2));
  });

  describe('the probe on this machine (no wisp below it)', function () {
    before(function () {
      if (process.platform !== 'linux' || process.arch !== 'x64') this.skip();
      assert.ok(fs.existsSync(abs(PROBE)), `${PROBE} is missing: run \`npx wisp build\` first`);
    });

    it('fails at the CPUID signature with exit status 1', () => {
      const r = spawnSync(abs(PROBE), ['1'], { encoding: 'utf8', timeout: 10_000 });
      const out = r.stdout.trimEnd().split('\n');
      assert.equal(r.status, 1, r.stdout + r.stderr);
      assert.match(out[0], /^wisp-probe: cpu \d+: cpuid "[^"]*"$/);
      assert.equal(out[out.length - 1], 'wisp-probe: FAIL: CPUID 0x40000000 does not say "wispwispwisp": wisp is not running under this OS');
    });

    it('fails when the affinity mask has fewer CPUs than asked for', () => {
      const r = spawnSync(abs(PROBE), ['4096'], { encoding: 'utf8', timeout: 10_000 });
      assert.equal(r.status, 1);
      assert.match(r.stdout, /^wisp-probe: only \d+ CPUs in the affinity mask, 4096 expected\nwisp-probe: FAIL: fewer CPUs than expected\n$/);
    });
  });
});
