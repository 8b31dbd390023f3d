// `wisp pack`: the one-file appliance. A copy of wisp.efi with the configuration and the guests'
// images added as PE sections, after the convention of Unified Kernel Images (UAPI.5): wisp boots it
// with no file system at all (c-shim/efi/sections.c). The mapping (docs/deployment.md):
//   .wispcfg   the configuration text, unchanged (parsed by the core, as \wisp\wisp.cfg is)
//   .linux     a configuration of exactly one VM, a Linux kernel: its kernel (raw bzImage)
//   .initrd    ... its initrd (raw)
//   .cmdline   ... its command line, for UKI tools (wisp uses the one in .wispcfg)
//   .wimg0 ..  otherwise every file the configuration names, once each: a 24-byte header ("WIMG",
//              u32 name length, u64 data length, u32 CRC-32 of the data, u32 0), the file name,
//              zero padding to 8 bytes, the data. The name ties it to `image =`, `kernel =`, etc.
//
// The PE editing follows Microsoft's PE Format specification ("PE/COFF"): 3.3 COFF File Header
// (NumberOfSections), 3.4 Optional Header (SectionAlignment, FileAlignment, SizeOfImage,
// SizeOfHeaders, CheckSum, data directories), 4 Section Table (40-byte headers, 8-byte names: an
// image has no string table for longer ones), 4.1 Section Flags.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { WispError, step } from '../build/log';
import { abs, rel } from '../build/paths';
import { crc32 } from './crc32';
import { configFiles } from './image';
import { checkGivenGuests, inputFile, outputFile, peFile, resolveGuest, writeFileAtomically } from './inputs';

const PE_SIGNATURE = 0x00004550;           // "PE\0\0" (3.2)
const PE32_PLUS = 0x20b;                    // Optional Header Magic (3.4.1)
const SECTION_HEADER = 40;                  // 4
const MAX_SECTIONS = 96;                    // the Windows loader's limit; plenty for 16 VMs
const CNT_INITIALIZED_DATA = 0x00000040;    // 4.1 IMAGE_SCN_CNT_INITIALIZED_DATA
const MEM_READ = 0x40000000;                // 4.1 IMAGE_SCN_MEM_READ
const DIR_CERTIFICATE = 4;                  // 3.4.3 data directories: file offsets, not RVAs
const DIR_DEBUG = 6;                        // its entries hold PointerToRawData (6.1.1)
export const WIMG_HEADER = 24;
const WIMG_MAGIC = 'WIMG';

/** Offsets of the fields pack touches, from the start of the file. */
export interface PeHeaders {
  coff: number;
  optional: number;
  sectionTable: number;
  sectionCount: number;
  sectionAlignment: number;
  fileAlignment: number;
  sizeOfHeaders: number;
}

export interface NewSection { name: string; data: Buffer }

const alignUp = (n: number, a: number): number => Math.ceil(n / a) * a;

export function peHeaders(pe: Buffer): PeHeaders {
  if (pe.length < 0x40 || pe.toString('latin1', 0, 2) !== 'MZ') throw new WispError('not a PE image (no MZ header)');
  const sig = pe.readUInt32LE(0x3c);            // 2: MS-DOS stub, offset 0x3c
  if (sig + 24 > pe.length || pe.readUInt32LE(sig) !== PE_SIGNATURE) throw new WispError('not a PE image (no PE signature)');
  const coff = sig + 4;
  const optional = coff + 20;
  if (pe.readUInt16LE(optional) !== PE32_PLUS) throw new WispError('not a PE32+ image');
  return {
    coff, optional,
    sectionTable: optional + pe.readUInt16LE(coff + 16),
    sectionCount: pe.readUInt16LE(coff + 2),
    sectionAlignment: pe.readUInt32LE(optional + 32),
    fileAlignment: pe.readUInt32LE(optional + 36),
    sizeOfHeaders: pe.readUInt32LE(optional + 60),
  };
}

export function sectionNames(pe: Buffer): string[] {
  const h = peHeaders(pe);
  const names: string[] = [];
  for (let i = 0; i < h.sectionCount; i++) {
    names.push(pe.toString('latin1', h.sectionTable + i * SECTION_HEADER, h.sectionTable + i * SECTION_HEADER + 8).replace(/\0+$/, ''));
  }
  return names;
}

/** The PE checksum (the algorithm of imagehlp's CheckSumMappedFile): 16-bit one's-complement-style sum + file length. */
export function peChecksum(pe: Buffer, checksumOffset: number): number {
  let sum = 0;
  for (let i = 0; i < pe.length; i += 2) {
    if (i === checksumOffset || i === checksumOffset + 2) continue;
    sum += i + 1 < pe.length ? pe.readUInt16LE(i) : pe[i];
    sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  }
  sum = (sum & 0xffff) + (sum >>> 16);
  return (sum + pe.length) >>> 0;
}

/**
 * A copy of `pe` with `add` appended as initialized, read-only data sections. When the headers have
 * no room for the new section headers, SizeOfHeaders grows (up to the first section's RVA: headers
 * are mapped at RVA 0) and every section's raw data moves down in the file.
 */
export function addSections(input: Buffer, add: NewSection[]): Buffer {
  let pe = Buffer.from(input);
  let h = peHeaders(pe);
  const total = h.sectionCount + add.length;
  if (total > MAX_SECTIONS) throw new WispError(`${total} sections: more than ${MAX_SECTIONS}`);
  const rvaCount = pe.readUInt32LE(h.optional + 108);
  const dir = (i: number): number => (i < rvaCount ? pe.readUInt32LE(h.optional + 112 + i * 8 + 4) : 0);
  const existing = sectionNames(pe);
  for (const s of add) {
    if (!/^\.[a-z0-9]{1,7}$/.test(s.name)) throw new WispError(`section name ${s.name}: at most 8 bytes, a dot and lower-case letters or digits`);
    if (existing.includes(s.name)) throw new WispError(`the image already has a ${s.name} section (pack wisp.efi, not an appliance)`);
    if (s.data.length === 0) throw new WispError(`section ${s.name} would be empty`);
  }
  const sections = Array.from({ length: h.sectionCount }, (_, i) => h.sectionTable + i * SECTION_HEADER);
  const firstRva = Math.min(...sections.map((o) => pe.readUInt32LE(o + 12)));
  const tableEnd = h.sectionTable + total * SECTION_HEADER;
  if (tableEnd > h.sizeOfHeaders) {
    const grown = alignUp(tableEnd, h.fileAlignment);
    if (grown > firstRva) throw new WispError(`no room for ${total} section headers before the first section (RVA 0x${firstRva.toString(16)})`);
    if (dir(DIR_CERTIFICATE) || dir(DIR_DEBUG)) throw new WispError('cannot move the sections of a signed image or one with a debug directory');
    const delta = grown - h.sizeOfHeaders;
    pe = Buffer.concat([pe.subarray(0, h.sizeOfHeaders), Buffer.alloc(delta), pe.subarray(h.sizeOfHeaders)]);
    for (const o of sections) {
      const raw = pe.readUInt32LE(o + 20);
      if (raw) pe.writeUInt32LE(raw + delta, o + 20);
    }
    pe.writeUInt32LE(grown, h.optional + 60);
    h = peHeaders(pe);
  }
  let rva = Math.max(...sections.map((o) => alignUp(pe.readUInt32LE(o + 12) + pe.readUInt32LE(o + 8), h.sectionAlignment)));
  let fileEnd = alignUp(pe.length, h.fileAlignment);
  const chunks: Buffer[] = [pe, Buffer.alloc(fileEnd - pe.length)];
  let initialized = pe.readUInt32LE(h.optional + 8);
  add.forEach((s, i) => {
    const o = h.sectionTable + (h.sectionCount + i) * SECTION_HEADER;
    const raw = alignUp(s.data.length, h.fileAlignment);
    if (rva + s.data.length > 0xffffffff) throw new WispError('the appliance would exceed 4 GiB (SizeOfImage is 32 bits)');
    pe.fill(0, o, o + SECTION_HEADER);
    pe.write(s.name, o, 'latin1');
    pe.writeUInt32LE(s.data.length, o + 8);     // VirtualSize: the exact length
    pe.writeUInt32LE(rva, o + 12);              // VirtualAddress
    pe.writeUInt32LE(raw, o + 16);              // SizeOfRawData: a multiple of FileAlignment
    pe.writeUInt32LE(fileEnd, o + 20);          // PointerToRawData
    pe.writeUInt32LE((CNT_INITIALIZED_DATA | MEM_READ) >>> 0, o + 36);
    chunks.push(s.data, Buffer.alloc(raw - s.data.length));
    initialized = (initialized + raw) >>> 0;
    rva = alignUp(rva + s.data.length, h.sectionAlignment);
    fileEnd += raw;
  });
  pe.writeUInt16LE(total, h.coff + 2);
  pe.writeUInt32LE(initialized, h.optional + 8);  // SizeOfInitializedData
  pe.writeUInt32LE(rva, h.optional + 56);         // SizeOfImage: a multiple of SectionAlignment
  const out = Buffer.concat(chunks);
  out.writeUInt32LE(peChecksum(out, h.optional + 64), h.optional + 64);
  return out;
}

/** A .wimgN section's contents for `name`. */
export function wimgSection(name: string, data: Buffer): Buffer {
  const nameBytes = Buffer.from(name, 'latin1');
  const head = Buffer.alloc(alignUp(WIMG_HEADER + nameBytes.length, 8));
  head.write(WIMG_MAGIC, 0, 'latin1');
  head.writeUInt32LE(nameBytes.length, 4);
  head.writeBigUInt64LE(BigInt(data.length), 8);
  head.writeUInt32LE(crc32(data), 16);
  nameBytes.copy(head, WIMG_HEADER);
  return Buffer.concat([head, data]);
}

interface ConfigVm { name: string; files: string[]; kernel?: string; initrd?: string; cmdline?: string }

/** The VMs of a configuration and the files each names (image, kernel, initrd, multiboot, module FILE). */
export function configVms(text: string): ConfigVm[] {
  const vms: ConfigVm[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/#.*/, '').trim();
    const section = /^\[vm\s+(\S+)\s*\]$/.exec(line);
    if (section) { vms.push({ name: section[1], files: [] }); continue; }
    const m = /^(image|kernel|initrd|multiboot|module|cmdline)\s*=\s*(.*)$/.exec(line);
    const vm = vms[vms.length - 1];
    if (!m || !vm) continue;
    if (m[1] === 'cmdline') { vm.cmdline = m[2].replace(/^"(.*)"$/, '$1'); continue; }
    const file = m[2].split(/\s+/)[0];
    if (!file) continue;
    vm.files.push(file);
    if (m[1] === 'kernel') vm.kernel = file;
    if (m[1] === 'initrd') vm.initrd = file;
  }
  return vms;
}

/** The sections for a configuration; `read(name)` gives a named file's bytes. */
export function applianceSections(configText: string, read: (name: string) => Buffer): NewSection[] {
  const sections: NewSection[] = [{ name: '.wispcfg', data: Buffer.from(configText, 'utf8') }];
  const vms = configVms(configText);
  if (vms.length === 1 && vms[0].kernel) {
    const vm = vms[0];
    sections.push({ name: '.linux', data: read(vm.kernel!) });
    if (vm.initrd) sections.push({ name: '.initrd', data: read(vm.initrd) });
    if (vm.cmdline) sections.push({ name: '.cmdline', data: Buffer.from(vm.cmdline, 'utf8') });
    return sections;
  }
  const files = [...new Set(vms.flatMap((v) => v.files))];
  files.forEach((f, i) => sections.push({ name: `.wimg${i}`, data: wimgSection(f, read(f)) }));
  return sections;
}

export interface PackOptions {
  efi: string;
  config: string;
  output: string;
  /** Guest image files; a name in the configuration is looked up here (by file name), then in out/guests/, then beside the configuration. */
  guests?: string[];
}

export function packAppliance(o: PackOptions): string {
  const efi = peFile('--efi', abs(o.efi));
  const config = inputFile('--config', abs(o.config));
  const output = outputFile('-o', abs(o.output));
  const text = fs.readFileSync(config, 'utf8');
  const given = checkGivenGuests((o.guests ?? []).map(abs), configFiles(text));
  const read = (name: string): Buffer => fs.readFileSync(resolveGuest(name, given, path.dirname(config)));
  const sections = applianceSections(text, read);
  step(`pack ${rel(output)}: ${sections.map((s) => s.name).join(' ')}`);
  const packed = addSections(fs.readFileSync(efi), sections);
  writeFileAtomically('-o', output, packed);
  return rel(output);
}
