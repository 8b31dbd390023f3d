// image/pack.ts: the appliance's PE layout, re-parsed here with a parser of its own (PE Format
// sections 3.3, 3.4, 4) and by LLVM's readers (llvm-readobj, llvm-objdump).
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { program } from '../../build/tools';
import { abs } from '../../build/paths';
import { crc32 } from '../../image/crc32';
import { addSections, applianceSections, configVms, packAppliance } from '../../image/pack';

interface Section { name: string; vsize: number; va: number; rawSize: number; raw: number; flags: number }
interface Pe { sectionAlignment: number; fileAlignment: number; sizeOfImage: number; sizeOfHeaders: number;
  checksum: number; tableEnd: number; sections: Section[] }

function parse(b: Buffer): Pe {
  assert.equal(b.toString('latin1', 0, 2), 'MZ');
  const pe = b.readUInt32LE(0x3c);
  assert.equal(b.toString('latin1', pe, pe + 4), 'PE\0\0');
  const opt = pe + 24;
  assert.equal(b.readUInt16LE(opt), 0x20b, 'PE32+');
  const n = b.readUInt16LE(pe + 6);
  const table = opt + b.readUInt16LE(pe + 20);
  const sections: Section[] = [];
  for (let i = 0; i < n; i++) {
    const o = table + 40 * i;
    sections.push({ name: b.toString('latin1', o, o + 8).replace(/\0+$/, ''), vsize: b.readUInt32LE(o + 8),
      va: b.readUInt32LE(o + 12), rawSize: b.readUInt32LE(o + 16), raw: b.readUInt32LE(o + 20), flags: b.readUInt32LE(o + 36) });
  }
  return { sectionAlignment: b.readUInt32LE(opt + 32), fileAlignment: b.readUInt32LE(opt + 36),
    sizeOfImage: b.readUInt32LE(opt + 56), sizeOfHeaders: b.readUInt32LE(opt + 60), checksum: b.readUInt32LE(opt + 64),
    tableEnd: table + 40 * n, sections };
}

/** The rules of PE Format 3.4.1/4 that a loader relies on. */
function checkLayout(b: Buffer, p: Pe): void {
  assert.ok(p.tableEnd <= p.sizeOfHeaders, 'section table inside SizeOfHeaders');
  assert.equal(p.sizeOfHeaders % p.fileAlignment, 0);
  let va = p.sizeOfHeaders, raw = p.sizeOfHeaders;
  for (const s of p.sections) {
    assert.equal(s.va % p.sectionAlignment, 0, `${s.name} VirtualAddress aligned`);
    assert.ok(s.va >= va, `${s.name} after the previous section in memory`);
    assert.equal(s.raw % p.fileAlignment, 0, `${s.name} PointerToRawData aligned`);
    assert.equal(s.rawSize % p.fileAlignment, 0, `${s.name} SizeOfRawData aligned`);
    assert.ok(s.raw >= raw && s.raw + s.rawSize <= b.length, `${s.name} raw data in order and inside the file`);
    va = s.va + s.vsize;
    raw = s.raw + s.rawSize;
  }
  const last = p.sections[p.sections.length - 1];
  assert.equal(p.sizeOfImage, Math.ceil((last.va + last.vsize) / p.sectionAlignment) * p.sectionAlignment, 'SizeOfImage');
}

function data(b: Buffer, s: Section): Buffer {
  return b.subarray(s.raw, s.raw + Math.min(s.vsize, s.rawSize));
}

function llvm(tool: 'llvm-readobj' | 'llvm-objdump', args: string[]): string {
  return execFileSync(program(tool), args, { encoding: 'utf8' });
}

const CONFIG = '[wisp]\ndebug-exit = on\n\n[vm a]\nimage = a.bin\nmemory = 2\nload = 0x1000\nmode = real16\n\n' +
  '[vm b]\nimage = b.bin\nmemory = 2\nload = 0x1000\nmode = protected32\n\n[vm c]\nimage = a.bin\nmemory = 2\nload = 0x1000\nmode = real16\n';

describe('pack: the one-file appliance', () => {
  let dir: string;
  let efi: Buffer;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wisp-pack-'));
    const f = abs('out/wisp.efi');
    assert.ok(fs.existsSync(f), 'out/wisp.efi is missing: run `npx wisp build` first');
    efi = fs.readFileSync(f);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('adds .wispcfg and one .wimgN per distinct file, after the original sections', () => {
    fs.writeFileSync(path.join(dir, 'wisp.cfg'), CONFIG);
    fs.writeFileSync(path.join(dir, 'a.bin'), Buffer.from([0xf4, 1, 2, 3]));
    fs.writeFileSync(path.join(dir, 'b.bin'), Buffer.alloc(5000, 0x90));
    const out = path.join(dir, 'appliance.efi');
    packAppliance({ efi: abs('out/wisp.efi'), config: path.join(dir, 'wisp.cfg'), output: out });
    const b = fs.readFileSync(out);
    const before = parse(efi), after = parse(b);
    checkLayout(b, after);
    assert.deepEqual(after.sections.map((s) => s.name), [...before.sections.map((s) => s.name), '.wispcfg', '.wimg0', '.wimg1']);
    assert.equal(after.sizeOfHeaders, before.sizeOfHeaders, "lld-link's headers had room: nothing moved");
    for (const [i, s] of before.sections.entries()) {
      assert.deepEqual(after.sections[i], s);
      assert.ok(data(b, after.sections[i]).equals(data(efi, s)), `${s.name} unchanged`);
    }
    const added = after.sections.slice(before.sections.length);
    for (const s of added) assert.equal(s.flags, 0x40000040, `${s.name}: initialized data, read-only`);
    assert.equal(data(b, added[0]).toString(), CONFIG);
    for (const [s, name, bytes] of [[added[1], 'a.bin', 4], [added[2], 'b.bin', 5000]] as const) {
      const d = data(b, s);
      assert.equal(d.toString('latin1', 0, 4), 'WIMG');
      const len = d.readUInt32LE(4);
      assert.equal(d.toString('latin1', 24, 24 + len), name);
      const start = Math.ceil((24 + len) / 8) * 8;
      assert.equal(Number(d.readBigUInt64LE(8)), bytes);
      assert.equal(s.vsize, start + bytes, 'VirtualSize is exact');
      assert.equal(d.readUInt32LE(16), crc32(d.subarray(start, start + bytes)));
      assert.ok(d.subarray(start).equals(fs.readFileSync(path.join(dir, name))));
    }
  });

  it('LLVM reads the same section table', () => {
    const out = path.join(dir, 'appliance.efi');
    const p = parse(fs.readFileSync(out));
    const readobj = llvm('llvm-readobj', ['--sections', out]);
    const names = [...readobj.matchAll(/^\s*Name: (\S+)/gm)].map((m) => m[1]);
    assert.deepEqual(names, p.sections.map((s) => s.name));
    const objdump = llvm('llvm-objdump', ['-h', out]);
    for (const s of p.sections.slice(-3)) {
      assert.match(objdump, new RegExp(`\\d+ \\${s.name}\\s+0*${s.vsize.toString(16)} 0*${(0x140000000 + s.va).toString(16)}\\b`));
    }
  });

  it('grows SizeOfHeaders and moves the raw data when the section headers do not fit', () => {
    const many = Array.from({ length: 30 }, (_, i) => ({ name: `.wimg${i}`, data: Buffer.alloc(100 + i, i) }));
    const b = addSections(efi, many);
    const before = parse(efi), after = parse(b);
    checkLayout(b, after);
    assert.ok(after.sizeOfHeaders > before.sizeOfHeaders);
    assert.equal(after.sections.length, before.sections.length + 30);
    for (const [i, s] of before.sections.entries()) {
      assert.equal(after.sections[i].va, s.va, 'RVAs never move');
      assert.ok(data(b, after.sections[i]).equals(data(efi, s)), `${s.name} moved intact`);
    }
    const f = path.join(dir, 'many.efi');
    fs.writeFileSync(f, b);
    assert.equal([...llvm('llvm-readobj', ['--sections', f]).matchAll(/^\s*Name: \.wimg/gm)].length, 30);
  });

  it('a single Linux VM uses the Unified Kernel Image sections .linux, .initrd, .cmdline', () => {
    const text = '[vm linux]\nkernel = bzImage\ninitrd = initrd.gz\ncmdline = "console=ttyS0 quiet"\nmemory = 256\n';
    const files: Record<string, Buffer> = { bzImage: Buffer.from('kernel'), 'initrd.gz': Buffer.from('initrd') };
    const s = applianceSections(text, (n) => files[n]);
    assert.deepEqual(s.map((x) => [x.name, x.data.toString()]), [
      ['.wispcfg', text], ['.linux', 'kernel'], ['.initrd', 'initrd'], ['.cmdline', 'console=ttyS0 quiet']]);
  });

  it('several VMs, or Multiboot modules, use .wimgN named by file', () => {
    const text = '[vm m]\nmultiboot = mb.elf\nmodule = mod1 arg=1\nmemory = 16\n[vm l]\nkernel = bzImage\nmemory = 64\n';
    assert.deepEqual(configVms(text).map((v) => v.files), [['mb.elf', 'mod1'], ['bzImage']]);
    const s = applianceSections(text, (n) => Buffer.from(n));
    assert.deepEqual(s.map((x) => x.name), ['.wispcfg', '.wimg0', '.wimg1', '.wimg2']);
  });

  it('refuses to pack an appliance again, and a missing guest', () => {
    const once = addSections(efi, [{ name: '.wispcfg', data: Buffer.from('x') }]);
    assert.throws(() => addSections(once, [{ name: '.wispcfg', data: Buffer.from('y') }]), /already has a \.wispcfg/);
    fs.writeFileSync(path.join(dir, 'missing.cfg'), '[vm a]\nimage = nothere.bin\nmemory = 2\nload = 0x1000\nmode = real16\n');
    assert.throws(() => packAppliance({ efi: abs('out/wisp.efi'), config: path.join(dir, 'missing.cfg'), output: path.join(dir, 'x.efi') }),
      /guest image nothere\.bin .* not found/);
  });
});
