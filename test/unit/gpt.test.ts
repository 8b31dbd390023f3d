// image/gpt.ts and image/crc32.ts, checked against an independent reading of the UEFI layout
// (UEFI 2.10 chapter 5) and, when gdisk is installed, against `sgdisk -v`.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { program } from '../../build/tools';
import { crc32 } from '../../image/crc32';
import { buildGpt, EFI_SYSTEM_PARTITION, guidBytes, guidText, SECTOR } from '../../image/gpt';

/** Bitwise CRC-32 (no table), written from the polynomial, to check the table-driven one. */
function slowCrc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of b) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return (c ^ 0xffffffff) >>> 0;
}

const TOTAL = 8192;
const DISK_GUID = '01234567-89AB-CDEF-0123-456789ABCDEF';
const PART_GUID = 'FEDCBA98-7654-3210-FEDC-BA9876543210';

function disk(): Buffer {
  const g = buildGpt({
    totalSectors: TOTAL, diskGuid: DISK_GUID,
    partitions: [{ type: EFI_SYSTEM_PARTITION, guid: PART_GUID, firstLba: 2048, lastLba: 6143, name: 'EFI system partition' }],
  });
  const d = Buffer.alloc(TOTAL * SECTOR);
  g.mbr.copy(d, 0);
  g.primary.copy(d, SECTOR);
  g.backup.copy(d, g.backupLba * SECTOR);
  return d;
}

function header(d: Buffer, lba: number) {
  const h = d.subarray(lba * SECTOR, lba * SECTOR + 92);
  const copy = Buffer.from(h);
  copy.writeUInt32LE(0, 16);
  return {
    signature: h.toString('latin1', 0, 8), revision: h.readUInt32LE(8), size: h.readUInt32LE(12),
    crc: h.readUInt32LE(16), crcComputed: slowCrc32(copy),
    myLba: Number(h.readBigUInt64LE(24)), alternateLba: Number(h.readBigUInt64LE(32)),
    firstUsable: Number(h.readBigUInt64LE(40)), lastUsable: Number(h.readBigUInt64LE(48)),
    diskGuid: guidText(h.subarray(56, 72)), entriesLba: Number(h.readBigUInt64LE(72)),
    entries: h.readUInt32LE(80), entrySize: h.readUInt32LE(84), arrayCrc: h.readUInt32LE(88),
  };
}

describe('gpt', () => {
  it('crc32 gives the standard check value and equals a bitwise CRC', () => {
    assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926); // the standard check value
    const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 7919) & 0xff));
    assert.equal(crc32(data), slowCrc32(data));
  });

  it('GUIDs are stored with the first three fields little-endian', () => {
    assert.equal(guidBytes(EFI_SYSTEM_PARTITION).toString('hex'), '28732ac11ff8d211ba4b00a0c93ec93b');
    assert.equal(guidText(guidBytes(DISK_GUID)), DISK_GUID);
  });

  it('writes a protective MBR', () => {
    const d = disk();
    assert.equal(d[510], 0x55);
    assert.equal(d[511], 0xaa);
    assert.equal(d[446 + 4], 0xee);
    assert.equal(d.readUInt32LE(446 + 8), 1);
    assert.equal(d.readUInt32LE(446 + 12), TOTAL - 1);
    assert.equal(d.subarray(462, 510).every((b) => b === 0), true); // the other three records are empty
  });

  it('primary and backup headers are consistent and their CRCs are right', () => {
    const d = disk();
    const p = header(d, 1), b = header(d, TOTAL - 1);
    for (const h of [p, b]) {
      assert.equal(h.signature, 'EFI PART');
      assert.equal(h.revision, 0x00010000);
      assert.equal(h.size, 92);
      assert.equal(h.crc, h.crcComputed);
      assert.equal(h.firstUsable, 34);
      assert.equal(h.lastUsable, TOTAL - 34);
      assert.equal(h.diskGuid, DISK_GUID);
      assert.equal(h.entries, 128);
      assert.equal(h.entrySize, 128);
      const array = d.subarray(h.entriesLba * SECTOR, h.entriesLba * SECTOR + 128 * 128);
      assert.equal(h.arrayCrc, slowCrc32(array));
    }
    assert.deepEqual([p.myLba, p.alternateLba, p.entriesLba], [1, TOTAL - 1, 2]);
    assert.deepEqual([b.myLba, b.alternateLba, b.entriesLba], [TOTAL - 1, 1, TOTAL - 33]);
  });

  it('describes the EFI system partition in entry 0', () => {
    const d = disk();
    const e = d.subarray(2 * SECTOR, 2 * SECTOR + 128);
    assert.equal(guidText(e.subarray(0, 16)), EFI_SYSTEM_PARTITION);
    assert.equal(guidText(e.subarray(16, 32)), PART_GUID);
    assert.equal(Number(e.readBigUInt64LE(32)), 2048);
    assert.equal(Number(e.readBigUInt64LE(40)), 6143);
    assert.equal(e.toString('utf16le', 56, 128).replace(/\0+$/, ''), 'EFI system partition');
    assert.ok(d.subarray(2 * SECTOR + 128, 34 * SECTOR).every((x) => x === 0)); // entries 1..127 unused
  });

  it('refuses a partition outside the usable LBAs', () => {
    assert.throws(() => buildGpt({ totalSectors: TOTAL, diskGuid: DISK_GUID,
      partitions: [{ type: EFI_SYSTEM_PARTITION, guid: PART_GUID, firstLba: 2048, lastLba: TOTAL - 2, name: 'x' }] }), /outside the usable/);
  });

  it('sgdisk -v finds no problems', function () {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wisp-gpt-')), 'disk.img');
    try {
      fs.writeFileSync(file, disk());
      const out = execFileSync(program('sgdisk'), ['-v', file], { encoding: 'utf8' });
      assert.match(out, /No problems found/);
    } finally {
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
  });
});
