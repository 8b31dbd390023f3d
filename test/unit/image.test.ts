// image/image.ts: a whole disk image, read back with sgdisk, mtools and fsck.vfat (build/tools.json).
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { configFiles, makeImage } from '../../image/image';
import { guidText, SECTOR, EFI_SYSTEM_PARTITION } from '../../image/gpt';
import { program } from '../../build/tools';


/** The headers image/inputs.ts checks for --efi: "MZ", e_lfanew, "PE\0\0", machine 8664h (x86-64). */
const FAKE_EFI = ((): Buffer => {
  const b = Buffer.alloc(0x100);
  b.write('MZ fake efi application');
  b.writeUInt32LE(0x80, 0x3c);
  b.write('PE\0\0', 0x80, 'latin1');
  b.writeUInt16LE(0x8664, 0x84);
  return b;
})();

describe('image', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wisp-image-'));
    fs.writeFileSync(path.join(dir, 'fake.efi'), FAKE_EFI);   // each test may run alone
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('configFiles lists the image names of a configuration', () => {
    assert.deepEqual(configFiles('# x\n[vm a]\nimage = a.bin   # first\n[vm b]\n  image=b.bin\n[vm c]\nimage = a.bin\n'), ['a.bin', 'b.bin']);
  });

  it('configFiles lists Multiboot kernels and module files (the first word of a module line)', () => {
    assert.deepEqual(configFiles('[vm m]\nmultiboot = k.elf\nmodule = m1.txt some args\nmodule=m2.bin\ncmdline = "x"\n[vm n]\nmultiboot = k.elf\nmodule = m1.txt\n'),
      ['k.elf', 'm1.txt', 'm2.bin']);
  });

  it('writes an ESP with BOOTX64.EFI, wisp.cfg and the guests', async function () {
    this.timeout(20000);
    const efi = path.join(dir, 'fake.efi');
    fs.writeFileSync(efi, FAKE_EFI);
    const guest = path.join(dir, 'hello.bin');
    fs.writeFileSync(guest, Buffer.from([0xf4, 0xeb, 0xfe]));
    const cfg = path.join(dir, 'my.cfg');
    fs.writeFileSync(cfg, '[vm hello]\nimage = hello.bin\nmemory = 2\n');
    const img = path.join(dir, 'disk.img');
    await makeImage({ output: img, efi, config: cfg, guests: [guest] });

    const d = fs.readFileSync(img);
    assert.equal(d.length % SECTOR, 0);
    assert.equal(d.toString('latin1', SECTOR, SECTOR + 8), 'EFI PART');
    const entry = d.subarray(2 * SECTOR, 2 * SECTOR + 128);
    assert.equal(guidText(entry.subarray(0, 16)), EFI_SYSTEM_PARTITION);
    const first = Number(entry.readBigUInt64LE(32)), last = Number(entry.readBigUInt64LE(40));
    assert.equal(first, 2048);
    const lastLba = d.length / SECTOR - 1;
    assert.equal(Number(d.readBigUInt64LE(SECTOR + 32)), lastLba); // alternate header at the last LBA
    assert.equal(d.toString('latin1', lastLba * SECTOR, lastLba * SECTOR + 8), 'EFI PART');
    const esp = d.subarray(first * SECTOR, (last + 1) * SECTOR);
    assert.equal(esp.toString('latin1', 82, 90), 'FAT32   ');
    assert.equal(esp.readUInt32LE(28), first);                     // BPB hidden sectors = partition start

    assert.match(execFileSync(program('sgdisk'), ['-v', img], { encoding: 'utf8' }), /No problems found/);
    const espFile = path.join(dir, 'esp.img');
    fs.writeFileSync(espFile, esp);
    const env = { ...process.env, MTOOLS_SKIP_CHECK: '1' };
    const read = (p: string): Buffer => execFileSync(program('mtype'), ['-i', espFile, p], { env });
    assert.deepEqual(read('::/EFI/BOOT/BOOTX64.EFI'), FAKE_EFI);
    assert.equal(read('::/wisp/wisp.cfg').toString(), fs.readFileSync(cfg, 'utf8'));
    assert.deepEqual([...read('::/wisp/hello.bin')], [0xf4, 0xeb, 0xfe]);
    execFileSync(program('fsck.vfat'), ['-n', espFile], { stdio: 'pipe' });
  });

  it('without a configuration the ESP has no wisp folder', async function () {
    this.timeout(20000);
    const efi = path.join(dir, 'fake.efi');
    const img = path.join(dir, 'plain.img');
    await makeImage({ output: img, efi });
    const d = fs.readFileSync(img);
    const esp = path.join(dir, 'plain-esp.img');
    fs.writeFileSync(esp, d.subarray(2048 * SECTOR, d.length - 2048 * SECTOR));
    const listing = execFileSync(program('mdir'), ['-i', esp, '-b', '::/'], { encoding: 'utf8', env: { ...process.env, MTOOLS_SKIP_CHECK: '1' } });
    assert.deepEqual(listing.trim().split('\n'), ['::/EFI/']);
  });

  it('names a missing guest image and where it looked', async () => {
    const cfg = path.join(dir, 'missing.cfg');
    fs.writeFileSync(cfg, '[vm x]\nimage = nowhere-to-be-found.bin\n');
    await assert.rejects(makeImage({ output: path.join(dir, 'x.img'), efi: path.join(dir, 'fake.efi'), config: cfg }),
      /guest image nowhere-to-be-found\.bin \(named in the configuration\) not found beside it/);
  });
});
