// Multiboot v1 (the Multiboot Specification 0.6.96): the header in the kernel's first 8192 bytes,
// the kernel loaded by the a.out kludge (header flag 16) or as ELF (elf.ts), modules page-aligned
// above it, and the Multiboot information (section 3.3) at 0x8000, or where the kernel leaves room
// (kernel-range.ts). Entry in 32-bit protected
// mode with flat segments, EAX = 0x2BADB002 and EBX = the information's address (section 3.2).

import { imageSize, imageRead, imageLoad, guestWrite } from "../host";
import { currentVm } from "../vm/vm";
import { vmCmdline, vmModuleCount, vmModuleString, refOffset, refLength, vmFileOffset, vmFileLength,
  IMAGE_KERNEL, IMAGE_FIRST_MODULE } from "../vm/config";
import { setReg, RAX, RBX } from "../cpu/vcpu";
import { report, say, sayHex, sayHexWidth, saySize, sayText, sayDecimal, failed } from "./report";
import { scratch, clearScratch, scratchToGuest, zeroGuest } from "./scratch";
import { writeMemoryMap, ramTop, LOW_RAM_END, HIGH_RAM_START } from "./memory-map";
import { checkKernelRange, clearKernelRange, placeInfo, sayNoInfoRoom, INFO_SIZE } from "./kernel-range";
import { isElf, loadElf, elfEntry, elfEnd } from "./elf";
import { setEntryState, ENTRY_PROTECTED32, CR0_PE, CR0_ET } from "./entry";
import { buildAcpiTables } from "../acpi/tables";
import { guestMemoryBytes } from "../vm/vm";
import { messageStart, messageString, messageHex, messageDecimal, messageEnd } from "../vm/console";

const NO_IMAGE: u64 = 0xffffffffffffffff;
const HEADER_MAGIC: u32 = 0x1badb002;
const BOOTLOADER_MAGIC: u32 = 0x2badb002;
const SEARCH_END: u64 = 8192;                 // the header lies within the first 8192 bytes, 4-aligned
const CHUNK: u32 = 4096;
// Header flags (section 3.1.2): bits 0-15 are requirements the loader must meet or refuse.
const FLAG_PAGE_ALIGN: u32 = 1 << 0;          // modules page-aligned: always done
const FLAG_MEMORY_INFO: u32 = 1 << 1;         // mem_* and mmap: always given
const FLAG_VIDEO_MODE: u32 = 1 << 2;          // a preference: wisp has only a serial console
const FLAGS_KNOWN: u32 = FLAG_PAGE_ALIGN | FLAG_MEMORY_INFO | FLAG_VIDEO_MODE;
const FLAG_AOUT_KLUDGE: u32 = 1 << 16;

// The boot information area (INFO_SIZE bytes at mbiAddress, kernel-range.ts), laid out in the scratch page.
let mbiAddress: u64 = 0;
const MMAP_OFFSET: u32 = 0x80;                // up to 5 entries of 24 bytes
const MODS_OFFSET: u32 = 0x100;               // up to 16 entries of 16 bytes
const NAME_OFFSET: u32 = 0x200;               // "wisp"
const FIXED_SIZE: u32 = 0x210;                // strings follow
// Information flags (section 3.3).
const INFO_MEMORY: u32 = 1 << 0;
const INFO_CMDLINE: u32 = 1 << 2;
const INFO_MODS: u32 = 1 << 3;
const INFO_MMAP: u32 = 1 << 6;
const INFO_LOADER_NAME: u32 = 1 << 9;
const PAGE: u64 = 4096;

const hdr: usize = memory.data(48, 8);        // the Multiboot header as found
let stringsAt: u64 = 0;                       // next free byte for strings in the information area

/** Loads the VM's Multiboot kernel (image 0) and modules (2..): 0, or -1 with the message set. */
export function loadMultiboot(): i32 {
  const vm = currentVm();
  const size = imageSize(IMAGE_KERNEL);
  if (size == NO_IMAGE) { report("multiboot: the host has no file for the kernel"); return failed(); }

  const at = findHeader(size);
  if (at < 0) return failed();
  const headerAt = <u64>at;
  const flags = load<u32>(hdr + 4);
  if ((flags & 0xffff & ~FLAGS_KNOWN) != 0) {
    report("multiboot: the header requires features wisp does not provide (flags ");
    sayHexWidth(flags, 8); say(")"); return failed();
  }

  let entry: u64 = 0;
  let kernelEnd: u64 = 0;
  clearKernelRange();
  if ((flags & FLAG_AOUT_KLUDGE) != 0) {
    if (loadAout(headerAt, size) < 0) return failed();
    entry = <u64>load<u32>(hdr + 28);
    kernelEnd = aoutEnd;
  } else {
    if (!isElf(IMAGE_KERNEL, size)) {
      report("multiboot: not an ELF file and the header has no a.out kludge (flag 16)"); return failed();
    }
    report("multiboot: ");
    if (loadElf(IMAGE_KERNEL, size) < 0) return failed();
    entry = elfEntry;
    kernelEnd = elfEnd;
  }

  // Modules, page-aligned from the first page above the kernel (and not below 1 MiB), after the
  // boot information when that had to go there too.
  let next = (kernelEnd + PAGE - 1) & ~(PAGE - 1);
  if (next < HIGH_RAM_START) next = HIGH_RAM_START;
  mbiAddress = placeInfo(next);
  if (mbiAddress == 0) { report("multiboot: "); sayNoInfoRoom(); return failed(); }
  if (mbiAddress >= next) next = mbiAddress + INFO_SIZE;
  clearScratch(FIXED_SIZE);
  const mbi = scratch;
  stringsAt = mbiAddress + FIXED_SIZE;
  const count = vmModuleCount(vm);
  for (let m: u32 = 0; m < count; m++) {
    const id = IMAGE_FIRST_MODULE + m;
    const moduleSize = imageSize(id);
    if (moduleSize == NO_IMAGE) { reportModule(vm, m); say("): the host has no file for it"); return failed(); }
    if (moduleSize > ramTop() || next > ramTop() - moduleSize) {
      reportModule(vm, m); say(", "); saySize(moduleSize); say(") does not fit in ");
      saySize(guestMemoryBytes()); say(" of RAM above "); sayHex(next); return failed();
    }
    if (moduleSize > 0 && imageLoad(id, 0, moduleSize, next) != 1) {
      reportModule(vm, m); say("): the host could not copy it to "); sayHex(next); return failed();
    }
    const text = vmModuleString(vm, m);
    const e = mbi + MODS_OFFSET + <usize>(m * 16);
    store<u32>(e, <u32>next);                 // mod_start
    store<u32>(e + 4, <u32>(next + moduleSize));  // mod_end (exclusive, as GRUB)
    store<u32>(e + 8, <u32>stringsAt);        // string: "FILE args" as configured
    if (!addString(refOffset(text), refLength(text))) return stringFailed();
    next = (next + moduleSize + PAGE - 1) & ~(PAGE - 1);
  }

  // The command line: the kernel's file name, then the configured text (as GRUB and QEMU do).
  store<u32>(mbi + 16, <u32>stringsAt);
  const cmdline = vmCmdline(vm);
  const hasCmdline = refLength(cmdline) > 0;
  if (!addString(vmFileOffset(vm, IMAGE_KERNEL), vmFileLength(vm, IMAGE_KERNEL))) return stringFailed();
  if (hasCmdline) {
    stringsAt--;                              // replace the NUL by a blank
    store<u8>(scratch + FIXED_SIZE, 0x20);
    if (guestWrite(stringsAt, scratch + FIXED_SIZE, 1) != 1) return stringFailed();
    stringsAt++;
    if (!addString(refOffset(cmdline), refLength(cmdline))) return stringFailed();
  }

  const top = ramTop();
  const mmapEntries = writeMemoryMap(mbi + MMAP_OFFSET, 24);
  store<u32>(mbi, INFO_MEMORY | INFO_CMDLINE | INFO_MODS | INFO_MMAP | INFO_LOADER_NAME);
  store<u32>(mbi + 4, <u32>((top < LOW_RAM_END ? top : LOW_RAM_END) >> 10));            // mem_lower, KiB
  store<u32>(mbi + 8, top > HIGH_RAM_START ? <u32>((top - HIGH_RAM_START) >> 10) : 0);  // mem_upper, KiB
  store<u32>(mbi + 20, count);                // mods_count
  store<u32>(mbi + 24, <u32>(mbiAddress + MODS_OFFSET));
  store<u32>(mbi + 44, mmapEntries * 24);     // mmap_length
  store<u32>(mbi + 48, <u32>(mbiAddress + MMAP_OFFSET));
  store<u32>(mbi + 64, <u32>(mbiAddress + NAME_OFFSET));
  store<u32>(mbi + NAME_OFFSET, 0x70736977);  // "wisp", then NUL
  if (!scratchToGuest(0, mbiAddress, FIXED_SIZE)) {
    report("multiboot: the boot information could not be written"); return failed();
  }
  if (!buildAcpiTables()) { report("multiboot: the ACPI tables could not be written"); return failed(); }

  setEntryState(ENTRY_PROTECTED32, entry, CR0_PE | CR0_ET, 0, 0, 0);
  setReg(RAX, BOOTLOADER_MAGIC);
  setReg(RBX, mbiAddress);

  messageStart();
  messageString("multiboot: entry ");
  messageHex(entry);
  messageString(", ");
  messageDecimal(count);
  messageString(count == 1 ? " module" : " modules");
  messageEnd();
  return 0;
}

export let badChecksumAt: i64 = -1;           // findHeader: the first magic whose checksum failed, or -1

/** Finds the header; its offset (hdr holds it), or -1 with the message set. */
export function findHeader(size: u64): i64 {
  const end = size < SEARCH_END ? size : SEARCH_END;
  badChecksumAt = -1;
  for (let base: u64 = 0; base < end; base += CHUNK) {
    const n = end - base < <u64>CHUNK ? <u32>(end - base) : CHUNK;
    if (imageRead(IMAGE_KERNEL, base, scratch, n) != 1) break;
    for (let off: u32 = 0; off + 12 <= n; off += 4) {
      if (load<u32>(scratch + off) != HEADER_MAGIC) continue;
      const sum = load<u32>(scratch + off) + load<u32>(scratch + off + 4) + load<u32>(scratch + off + 8);
      if (sum != 0) {
        if (badChecksumAt < 0) badChecksumAt = <i64>(base + off);
        continue;
      }
      const at = base + off;
      memory.fill(hdr, 0, 48);
      const avail = size - at < 48 ? <u32>(size - at) : 48;
      if (imageRead(IMAGE_KERNEL, at, hdr, avail) != 1) break;
      return <i64>at;
    }
  }
  if (badChecksumAt >= 0) {
    report("multiboot: the header at "); sayHex(<u64>badChecksumAt);
    say(" has a bad checksum (magic + flags + checksum must be 0)");
  } else {
    report("multiboot: no Multiboot header (magic 0x1badb002) in the first 8192 bytes");
  }
  return -1;
}

let aoutEnd: u64 = 0;

/** The a.out kludge (section 3.1.3): the header's addresses say what of the file goes where. */
function loadAout(headerAt: u64, size: u64): i32 {
  if (size - headerAt < 32) { report("multiboot: the a.out kludge fields are cut off by the end of the file"); return failed(); }
  const headerAddr = <u64>load<u32>(hdr + 12);
  const loadAddr = <u64>load<u32>(hdr + 16);
  const loadEndAddr = <u64>load<u32>(hdr + 20);
  const bssEndAddr = <u64>load<u32>(hdr + 24);
  const entryAddr = <u64>load<u32>(hdr + 28);
  if (loadAddr > headerAddr) {
    report("multiboot: load_addr "); sayHex(loadAddr); say(" is above header_addr "); sayHex(headerAddr);
    return failed();
  }
  if (headerAddr - loadAddr > headerAt) {
    report("multiboot: header_addr "); sayHex(headerAddr); say(" - load_addr "); sayHex(loadAddr);
    say(" is more than the header's file offset "); sayHex(headerAt); return failed();
  }
  const fileStart = headerAt - (headerAddr - loadAddr);
  const loadEnd = loadEndAddr == 0 ? loadAddr + (size - fileStart) : loadEndAddr;
  if (loadEnd <= loadAddr) {
    report("multiboot: load_end_addr "); sayHex(loadEndAddr); say(" is not above load_addr "); sayHex(loadAddr);
    return failed();
  }
  const loadLength = loadEnd - loadAddr;
  if (loadLength > size - fileStart) {
    report("multiboot: truncated: load_end_addr asks for "); saySize(loadLength); say(" from file offset ");
    sayHex(fileStart); say(", the file has "); saySize(size); return failed();
  }
  const bssEnd = bssEndAddr == 0 ? loadEnd : bssEndAddr;
  if (bssEnd < loadEnd) {
    report("multiboot: bss_end_addr "); sayHex(bssEndAddr); say(" is below load_end_addr "); sayHex(loadEnd);
    return failed();
  }
  report("multiboot: ");
  if (!checkKernelRange(loadAddr, bssEnd)) return failed();
  if (entryAddr < loadAddr || entryAddr >= bssEnd) {
    report("multiboot: entry_addr "); sayHex(entryAddr); say(" is outside the loaded image ");
    sayHex(loadAddr); say("-"); sayHex(bssEnd - 1); return failed();
  }
  if (imageLoad(IMAGE_KERNEL, fileStart, loadLength, loadAddr) != 1) {
    report("multiboot: the host could not copy the kernel to "); sayHex(loadAddr); return failed();
  }
  if (bssEnd > loadEnd && !zeroGuest(loadEnd, bssEnd - loadEnd)) {
    report("multiboot: .bss could not be cleared"); return failed();
  }
  aoutEnd = bssEnd;
  return 0;
}

/** Appends n bytes and a NUL to the strings of the information area. */
function addString(src: usize, n: u32): bool {
  if (stringsAt + n + 1 > mbiAddress + INFO_SIZE) return false;
  if (n > 0 && guestWrite(stringsAt, src, n) != 1) return false;
  stringsAt += n;
  store<u8>(scratch + FIXED_SIZE, 0);
  if (guestWrite(stringsAt, scratch + FIXED_SIZE, 1) != 1) return false;
  stringsAt++;
  return true;
}

function stringFailed(): i32 {
  report("multiboot: the command line and module strings could not be written"); return failed();
}

/** "module 1 (name" (the caller closes the parenthesis) */
function reportModule(vm: u32, m: u32): void {
  report("module "); sayDecimal(m + 1); say(" (");
  sayText(vmFileOffset(vm, IMAGE_FIRST_MODULE + m), vmFileLength(vm, IMAGE_FIRST_MODULE + m));
}
