// ELF executables for the Multiboot loader (System V gABI, "ELF Header" and "Program Header"):
// ELF32 i386 (also the usual 64-bit kernel converted to elf32-i386) and ELF64 x86-64 whose
// PT_LOAD segments lie below 4 GiB. Segments go to their physical addresses (p_paddr); .bss is
// zeroed. The entry point is translated from virtual to physical through the segment holding it,
// as GRUB does for higher-half kernels.

import { imageRead, imageLoad } from "../host";
import { say, sayHex, sayHexWidth, saySize, sayDecimal, failed } from "./report";
import { zeroGuest } from "./scratch";
import { checkKernelRange } from "./kernel-range";

const EI_CLASS: u32 = 4;
const EI_DATA: u32 = 5;
const EI_VERSION: u32 = 6;
const ELFCLASS32: u8 = 1;
const ELFCLASS64: u8 = 2;
const ELFDATA2LSB: u8 = 1;
const ET_EXEC: u16 = 2;
const EM_386: u16 = 3;
const EM_X86_64: u16 = 62;
const PT_LOAD: u32 = 1;
const MAX_PHNUM: u32 = 128;
const FOUR_GIB: u64 = 1 << 32;

const buf: usize = memory.data(64, 8);        // an ELF header or one program header

/** Results of a successful loadElf. */
export let elfEntry: u64 = 0;
export let elfEnd: u64 = 0;                   // end of the highest segment (its .bss included)

/** True if the image starts with the ELF magic. */
export function isElf(image: u32, size: u64): bool {
  if (size < 4 || imageRead(image, 0, buf, 4) != 1) return false;
  return load<u32>(buf) == 0x464c457f;
}

/**
 * Loads the ELF image; its messages continue one the caller started ("multiboot: "). Each
 * segment's guest range is checked with checkKernelRange before it is loaded.
 */
export function loadElf(image: u32, size: u64): i32 {
  if (size < 52 || imageRead(image, 0, buf, 52) != 1) {
    say("ELF header truncated (the file has "); saySize(size); say(")"); return failed();
  }
  const elfClass = load<u8>(buf + EI_CLASS);
  if (elfClass != ELFCLASS32 && elfClass != ELFCLASS64) {
    say("unknown ELF class "); sayDecimal(elfClass); return failed();
  }
  const is64 = elfClass == ELFCLASS64;
  if (load<u8>(buf + EI_DATA) != ELFDATA2LSB || load<u8>(buf + EI_VERSION) != 1) {
    say("not a little-endian ELF version 1 file"); return failed();
  }
  if (is64 && (size < 64 || imageRead(image, 0, buf, 64) != 1)) {
    say("ELF64 header truncated"); return failed();
  }
  const type = load<u16>(buf + 16);
  const machine = load<u16>(buf + 18);
  if (type != ET_EXEC) { say("ELF type "); sayDecimal(type); say(" is not an executable (2)"); return failed(); }
  if (machine != (is64 ? EM_X86_64 : EM_386)) {
    say("ELF machine "); sayDecimal(machine); say(is64 ? " is not x86-64 (62)" : " is not i386 (3)");
    return failed();
  }
  const entry: u64 = is64 ? load<u64>(buf + 24) : <u64>load<u32>(buf + 24);
  const phoff: u64 = is64 ? load<u64>(buf + 32) : <u64>load<u32>(buf + 28);
  const phentsize = <u32>load<u16>(buf + (is64 ? 54 : 42));
  const phnum = <u32>load<u16>(buf + (is64 ? 56 : 44));
  const minEntSize: u32 = is64 ? 56 : 32;
  if (phentsize < minEntSize || phentsize > 64) {
    say("program header size "); sayDecimal(phentsize); say(" is not "); sayDecimal(minEntSize);
    return failed();
  }
  if (phnum == 0 || phnum > MAX_PHNUM) {
    say("program header count "); sayDecimal(phnum); say(" is not 1 to 128"); return failed();
  }
  if (phoff > size || <u64>(phnum * phentsize) > size - phoff) {
    say("program headers at "); sayHex(phoff); say(" go past the end of the file ("); saySize(size);
    say(")"); return failed();
  }

  let loaded: u32 = 0;
  let physicalEntry: u64 = 0;
  let entryFound = false;
  elfEnd = 0;
  for (let i: u32 = 0; i < phnum; i++) {
    if (imageRead(image, phoff + <u64>(i * phentsize), buf, minEntSize) != 1) {
      say("program header "); sayDecimal(i); say(" could not be read"); return failed();
    }
    if (load<u32>(buf) != PT_LOAD) continue;
    const offset: u64 = is64 ? load<u64>(buf + 8) : <u64>load<u32>(buf + 4);
    const vaddr: u64 = is64 ? load<u64>(buf + 16) : <u64>load<u32>(buf + 8);
    const paddr: u64 = is64 ? load<u64>(buf + 24) : <u64>load<u32>(buf + 12);
    const filesz: u64 = is64 ? load<u64>(buf + 32) : <u64>load<u32>(buf + 16);
    const memsz: u64 = is64 ? load<u64>(buf + 40) : <u64>load<u32>(buf + 20);
    if (memsz == 0) continue;
    if (filesz > memsz) {
      say("segment "); sayDecimal(i); say(" has p_filesz "); sayHex(filesz); say(" > p_memsz ");
      sayHex(memsz); return failed();
    }
    if (offset > size || filesz > size - offset) {
      // The ends in hex: rounded sizes alone ("1 KiB at 0x1000, the file has 4 KiB") hide the shortfall.
      say("truncated: segment "); sayDecimal(i); say(" needs "); saySize(filesz); say(" at file offset ");
      sayHex(offset); say(" (to "); sayHex(offset + filesz); say("), the file ends at "); sayHex(size);
      return failed();
    }
    if (paddr >= FOUR_GIB || memsz > FOUR_GIB - paddr) {
      say("segment "); sayDecimal(i); say(" at "); sayHex(paddr); say(" (");
      saySize(memsz); say(") does not lie below 4 GiB"); return failed();
    }
    if (!checkKernelRange(paddr, paddr + memsz)) return failed();
    if (filesz > 0 && imageLoad(image, offset, filesz, paddr) != 1) {
      say("segment "); sayDecimal(i); say(" could not be copied to "); sayHex(paddr); return failed();
    }
    if (memsz > filesz && !zeroGuest(paddr + filesz, memsz - filesz)) {
      say("segment "); sayDecimal(i); say(": .bss could not be cleared"); return failed();
    }
    if (!entryFound && entry >= vaddr && entry - vaddr < memsz) {
      physicalEntry = paddr + (entry - vaddr);
      entryFound = true;
    }
    if (paddr + memsz > elfEnd) elfEnd = paddr + memsz;
    loaded++;
  }
  if (loaded == 0) { say("the ELF file has no loadable segment"); return failed(); }
  if (!entryFound) {
    say("entry point "); sayHexWidth(entry, is64 ? 16 : 8); say(" is in no loadable segment"); return failed();
  }
  elfEntry = physicalEntry;
  return 0;
}
