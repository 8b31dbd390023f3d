// GUID Partition Table (UEFI 2.10 chapter 5): protective MBR in LBA 0, primary header in LBA 1 and
// its partition entry array from LBA 2, backup entry array and header at the end of the disk.
import { crc32 } from './crc32';

export const SECTOR = 512;
export const ENTRY_COUNT = 128;     // the minimum array of 16 KiB (5.3.1)
export const ENTRY_SIZE = 128;
export const ARRAY_SECTORS = (ENTRY_COUNT * ENTRY_SIZE) / SECTOR; // 32
export const EFI_SYSTEM_PARTITION = 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B';

export interface GptPartition {
  type: string;        // GUID text
  guid: string;        // unique partition GUID text
  firstLba: number;
  lastLba: number;     // inclusive
  name: string;        // at most 36 UTF-16 code units
  attributes?: bigint;
}

export interface GptLayout {
  totalSectors: number;
  diskGuid: string;
  partitions: GptPartition[];
}

/** GUID text -> its 16-byte on-disk form (first three fields little-endian; UEFI appendix A). */
export function guidBytes(text: string): Buffer {
  const hex = text.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex) || text.length !== 36) throw new Error(`bad GUID ${text}`);
  const b = Buffer.from(hex, 'hex');
  b.subarray(0, 4).reverse();
  b.subarray(4, 6).reverse();
  b.subarray(6, 8).reverse();
  return b;
}

export function guidText(b: Uint8Array): string {
  const c = Buffer.from(b);
  c.subarray(0, 4).reverse(); c.subarray(4, 6).reverse(); c.subarray(6, 8).reverse();
  const h = c.toString('hex').toUpperCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** LBA 0: a protective MBR with one partition of type 0xEE covering the disk (5.2.3). */
export function protectiveMbr(totalSectors: number): Buffer {
  const mbr = Buffer.alloc(SECTOR);
  const p = 446;
  mbr[p] = 0x00;                                  // not bootable
  mbr.writeUIntLE(0x000200, p + 1, 3);            // starting CHS 0/0/2
  mbr[p + 4] = 0xee;                              // GPT protective
  mbr.writeUIntLE(0xffffff, p + 5, 3);            // ending CHS: not representable
  mbr.writeUInt32LE(1, p + 8);                    // starting LBA
  mbr.writeUInt32LE(Math.min(totalSectors - 1, 0xffffffff), p + 12);
  mbr[510] = 0x55;
  mbr[511] = 0xaa;
  return mbr;
}

function entryArray(parts: GptPartition[]): Buffer {
  const a = Buffer.alloc(ENTRY_COUNT * ENTRY_SIZE);
  parts.forEach((p, i) => {
    const o = i * ENTRY_SIZE;
    guidBytes(p.type).copy(a, o);
    guidBytes(p.guid).copy(a, o + 16);
    a.writeBigUInt64LE(BigInt(p.firstLba), o + 32);
    a.writeBigUInt64LE(BigInt(p.lastLba), o + 40);
    a.writeBigUInt64LE(p.attributes ?? 0n, o + 48);
    if (p.name.length > 36) throw new Error(`partition name too long: ${p.name}`);
    a.write(p.name, o + 56, 72, 'utf16le');
  });
  return a;
}

function header(l: GptLayout, myLba: number, alternateLba: number, entriesLba: number, arrayCrc: number): Buffer {
  const last = l.totalSectors - 1;
  const h = Buffer.alloc(SECTOR);
  h.write('EFI PART', 0, 'latin1');
  h.writeUInt32LE(0x00010000, 8);                 // revision 1.0
  h.writeUInt32LE(92, 12);                        // header size
  h.writeBigUInt64LE(BigInt(myLba), 24);
  h.writeBigUInt64LE(BigInt(alternateLba), 32);
  h.writeBigUInt64LE(BigInt(2 + ARRAY_SECTORS), 40);           // first usable LBA: 34
  h.writeBigUInt64LE(BigInt(last - 1 - ARRAY_SECTORS), 48);    // last usable LBA
  guidBytes(l.diskGuid).copy(h, 56);
  h.writeBigUInt64LE(BigInt(entriesLba), 72);
  h.writeUInt32LE(ENTRY_COUNT, 80);
  h.writeUInt32LE(ENTRY_SIZE, 84);
  h.writeUInt32LE(arrayCrc, 88);
  h.writeUInt32LE(crc32(h.subarray(0, 92)), 16);  // computed with the CRC field zero
  return h;
}

export interface GptSectors {
  mbr: Buffer;          // LBA 0
  primary: Buffer;      // LBA 1 .. 33: header, entry array
  backup: Buffer;       // LBA last-32 .. last: entry array, header
  backupLba: number;    // where backup starts
}

export function buildGpt(l: GptLayout): GptSectors {
  const last = l.totalSectors - 1;
  const firstUsable = 2 + ARRAY_SECTORS, lastUsable = last - 1 - ARRAY_SECTORS;
  for (const p of l.partitions) {
    if (p.firstLba < firstUsable || p.lastLba > lastUsable || p.lastLba < p.firstLba) {
      throw new Error(`partition ${p.name} (LBA ${p.firstLba}..${p.lastLba}) outside the usable LBAs ${firstUsable}..${lastUsable}`);
    }
  }
  const array = entryArray(l.partitions);
  const arrayCrc = crc32(array);
  const backupArrayLba = last - ARRAY_SECTORS;
  return {
    mbr: protectiveMbr(l.totalSectors),
    primary: Buffer.concat([header(l, 1, last, 2, arrayCrc), array]),
    backup: Buffer.concat([array, header(l, last, 1, backupArrayLba, arrayCrc)]),
    backupLba: backupArrayLba,
  };
}
