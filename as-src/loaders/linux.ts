// The x86 Linux boot protocol (Documentation/arch/x86/boot.rst), 64-bit entry: the kernel's
// setup header is checked, its protected-mode part loaded at pref_address, the initrd as high as
// the kernel allows, and boot_params ("zero page", zero-page.rst) filled with the e820 map, the
// command line and the RSDP. The kernel image is hostile input: every check ends in a message.

import { imageSize, imageRead, imageLoad, guestWrite } from "../host";
import { currentVm } from "../vm/vm";
import { guestMemoryBytes } from "../vm/vm";
import { vmCmdline, refOffset, refLength, vmImageCount, IMAGE_KERNEL, IMAGE_INITRD } from "../vm/config";
import { setReg, RSI } from "../cpu/vcpu";
import { report, say, sayHex, sayHexWidth, sayDecimal, saySize, sayVersion, failed } from "./report";
import { scratch, clearScratch, scratchToGuest } from "./scratch";
import { writeMemoryMap, ramTop, HIGH_RAM_START } from "./memory-map";
import { buildLongModeTables, GDT_ADDRESS, GDT_LIMIT, PML4_ADDRESS } from "./long-mode";
import { setEntryState, setEntryGdt, ENTRY_LONG64, CR0_PE, CR0_ET, CR0_NE, CR0_PG, CR4_PAE, EFER_LME, EFER_LMA } from "./entry";
import { buildAcpiTables, RSDP_ADDRESS } from "../acpi/tables";
import { messageStart, messageString, messageHex, messageDecimal, messageEnd } from "../vm/console";
import { measuredTscKhz } from "../vm/clock";
import { appendString, appendDecimal } from "../vm/text";

export const BOOT_PARAMS_ADDRESS: u64 = 0x7000;
export const CMDLINE_ADDRESS: u64 = 0x20000;
const NO_IMAGE: u64 = 0xffffffffffffffff;
const HEADER_READ: u32 = 1024;                // the setup header ends before 0x0202 + 0xff

// Setup header fields, at the same offsets in the image and in boot_params (boot.rst, "The Real-Mode
// Kernel Header"), and boot_params fields of their own (zero-page.rst).
const SETUP_SECTS: u32 = 0x1f1;               // u8; 0 means 4
const SYSSIZE: u32 = 0x1f4;                   // u32, 16-byte paragraphs
export const BOOT_FLAG: u32 = 0x1fe;                 // u16, 0xAA55
const JUMP_OFFSET: u32 = 0x201;               // u8: the header ends at 0x0202 + this
export const HEADER: u32 = 0x202;                    // u32, "HdrS"
const VERSION: u32 = 0x206;                   // u16
const TYPE_OF_LOADER: u32 = 0x210;            // u8
const LOADFLAGS: u32 = 0x211;                 // u8
const RAMDISK_IMAGE: u32 = 0x218;             // u32
const RAMDISK_SIZE: u32 = 0x21c;              // u32
const CMD_LINE_PTR: u32 = 0x228;              // u32 (2.02+)
const INITRD_ADDR_MAX: u32 = 0x22c;           // u32 (2.03+)
const KERNEL_ALIGNMENT: u32 = 0x230;          // u32 (2.05+)
const RELOCATABLE_KERNEL: u32 = 0x234;        // u8 (2.05+)
const XLOADFLAGS: u32 = 0x236;                // u16 (2.12+)
const CMDLINE_SIZE: u32 = 0x238;              // u32 (2.06+)
const PREF_ADDRESS: u32 = 0x258;              // u64 (2.10+)
const INIT_SIZE: u32 = 0x260;                 // u32 (2.10+)
const BP_ACPI_RSDP_ADDR: u32 = 0x070;         // u64
const BP_EXT_RAMDISK_IMAGE: u32 = 0x0c0;      // u32 each: the high halves
const BP_EXT_RAMDISK_SIZE: u32 = 0x0c4;
const BP_EXT_CMD_LINE_PTR: u32 = 0x0c8;
const BP_E820_ENTRIES: u32 = 0x1e8;           // u8
const BP_E820_TABLE: u32 = 0x2d0;             // 20-byte entries

export const BOOT_FLAG_MAGIC: u32 = 0xaa55;
export const HDRS_MAGIC: u32 = 0x53726448;           // "HdrS"
const MIN_VERSION: u32 = 0x0206;
const XLOADFLAGS_VERSION: u32 = 0x020c;       // xloadflags (and so XLF_KERNEL_64) exist from 2.12
const LOADED_HIGH: u8 = 1 << 0;
const XLF_KERNEL_64: u16 = 1 << 0;
const LOADER_UNDEFINED: u8 = 0xff;            // type_of_loader: a loader without an assigned id
const ENTRY_64_OFFSET: u64 = 0x200;           // startup_64 is 0x200 into the protected-mode kernel
const PAGE: u64 = 4096;
const MIB: u64 = 1 << 20;

// The setup header as read from the image.
const header: usize = memory.data(<i32>HEADER_READ, 8);

/** Loads the VM's Linux kernel (image 0) and initrd (image 1): 0, or -1 with the message set. */
export function loadLinux(): i32 {
  const vm = currentVm();
  const size = imageSize(IMAGE_KERNEL);
  if (size == NO_IMAGE) { report("kernel: the host has no file for it"); return failed(); }
  if (size < <u64>HEADER_READ) {
    report("kernel: not a bzImage (the file has only "); saySize(size); say(")"); return failed();
  }
  if (imageRead(IMAGE_KERNEL, 0, header, HEADER_READ) != 1) {
    report("kernel: its header could not be read"); return failed();
  }
  const bootFlag = <u32>load<u16>(header + BOOT_FLAG);
  if (bootFlag != BOOT_FLAG_MAGIC) {
    report("kernel: not a bzImage (boot_flag "); sayHexWidth(bootFlag, 4); say(", expected 0xaa55)");
    return failed();
  }
  const magic = load<u32>(header + HEADER);
  if (magic != HDRS_MAGIC) {
    report("kernel: no setup header (magic "); sayHexWidth(magic, 8); say(", expected \"HdrS\")");
    return failed();
  }
  const version = <u32>load<u16>(header + VERSION);
  if (version < MIN_VERSION) {
    report("kernel: setup header version "); sayVersion(version); say(" is older than 2.06"); return failed();
  }
  if (version < XLOADFLAGS_VERSION) {
    report("kernel: boot protocol "); sayVersion(version);
    say(" has no 64-bit entry point (it needs 2.12 or newer)"); return failed();
  }
  const xloadflags = load<u16>(header + XLOADFLAGS);
  if ((xloadflags & XLF_KERNEL_64) == 0) {
    report("kernel: not a 64-bit kernel (xloadflags "); sayHexWidth(xloadflags, 4);
    say(" lacks XLF_KERNEL_64)"); return failed();
  }
  const loadflags = load<u8>(header + LOADFLAGS);
  if ((loadflags & LOADED_HIGH) == 0) {
    report("kernel: loadflags "); sayHexWidth(loadflags, 2);
    say(" lack LOADED_HIGH (a zImage, not a bzImage)"); return failed();
  }

  // The protected-mode kernel follows the real-mode setup code.
  let sects = <u64>load<u8>(header + SETUP_SECTS);
  if (sects == 0) sects = 4;
  const setupBytes = (sects + 1) * 512;
  if (setupBytes >= size) {
    report("kernel: truncated: the setup code takes "); saySize(setupBytes);
    say(", the file has "); saySize(size); return failed();
  }
  const payload = size - setupBytes;
  const syssize = <u64>load<u32>(header + SYSSIZE) * 16;
  if (syssize == 0) { report("kernel: syssize is 0 (no protected-mode kernel)"); return failed(); }
  if (syssize > payload + 15) {               // the build rounds syssize up to 16 bytes
    report("kernel: truncated: syssize says "); saySize(syssize); say(", file has "); saySize(payload);
    return failed();
  }

  const alignment = <u64>load<u32>(header + KERNEL_ALIGNMENT);
  if (alignment < PAGE || (alignment & (alignment - 1)) != 0) {
    report("kernel: kernel_alignment "); sayHex(alignment);
    say(" is not a power of two of at least 4 KiB"); return failed();
  }
  let loadAddress = load<u64>(header + PREF_ADDRESS);
  if (load<u8>(header + RELOCATABLE_KERNEL) != 0) {
    loadAddress = (loadAddress + alignment - 1) & ~(alignment - 1);
  } else if ((loadAddress & (PAGE - 1)) != 0) {
    report("kernel: pref_address "); sayHex(loadAddress);
    say(" is not page-aligned and the kernel is not relocatable"); return failed();
  }
  if (loadAddress < HIGH_RAM_START) {
    report("kernel: pref_address "); sayHex(loadAddress); say(" is below 1 MiB"); return failed();
  }
  const initSize = <u64>load<u32>(header + INIT_SIZE);
  if (initSize == 0) { report("kernel: init_size is 0"); return failed(); }
  const span = initSize > payload ? initSize : payload;
  const top = ramTop();
  const kernelEnd = loadAddress + span;       // no overflow: both are below 2^33
  if (kernelEnd > top) {
    report("kernel: needs RAM up to "); sayHex(kernelEnd); say(" (loaded at "); sayHex(loadAddress);
    say(", init_size "); saySize(initSize); say(") but the VM has "); sayMemory(); return failed();
  }

  const cmdline = vmCmdline(vm);
  const cmdlineLength = <u64>refLength(cmdline);
  const cmdlineSize = <u64>load<u32>(header + CMDLINE_SIZE);
  if (cmdlineLength > cmdlineSize) {
    report("kernel: the command line ("); sayDecimal(cmdlineLength);
    say(" bytes) is longer than the kernel's cmdline_size ("); sayDecimal(cmdlineSize); say(")");
    return failed();
  }

  // The initrd: page-aligned, as high as initrd_addr_max and the RAM allow, above the kernel.
  let initrdAddress: u64 = 0;
  let initrdSize: u64 = 0;
  if (vmImageCount(vm) > IMAGE_INITRD) {
    initrdSize = imageSize(IMAGE_INITRD);
    if (initrdSize == NO_IMAGE) { report("initrd: the host has no file for it"); return failed(); }
    const limit = <u64>load<u32>(header + INITRD_ADDR_MAX) + 1;
    const ceiling = limit < top ? limit : top;
    if (initrdSize > 0) {
      initrdAddress = initrdSize <= ceiling ? (ceiling - initrdSize) & ~(PAGE - 1) : 0;
      if (initrdSize > ceiling || initrdAddress < kernelEnd) {
        report("initrd ("); saySize(initrdSize); say(") does not fit below "); sayHex(ceiling - 1);
        say(" in "); sayMemory(); say(" (the kernel takes up to "); sayHex(kernelEnd); say(")");
        return failed();
      }
    }
  }

  if (imageLoad(IMAGE_KERNEL, setupBytes, payload, loadAddress) != 1) {
    report("kernel: the host could not copy it to "); sayHex(loadAddress); return failed();
  }
  if (initrdSize > 0 && imageLoad(IMAGE_INITRD, 0, initrdSize, initrdAddress) != 1) {
    report("initrd: the host could not copy it to "); sayHex(initrdAddress); return failed();
  }

  // Command line, NUL-terminated, after tsc_early_khz= when the kernel must learn the TSC rate.
  const prefixLength = <u64>tscPrefix(refOffset(cmdline), <u32>cmdlineLength);
  const total = prefixLength + cmdlineLength <= cmdlineSize ? prefixLength + cmdlineLength : cmdlineLength;
  const userAt = CMDLINE_ADDRESS + total - cmdlineLength;
  store<u8>(scratch + <usize>prefixLength, 0);
  if ((total > cmdlineLength && guestWrite(CMDLINE_ADDRESS, scratch, <u32>prefixLength) != 1) ||
      guestWrite(userAt, refOffset(cmdline), <u32>cmdlineLength) != 1 ||
      guestWrite(CMDLINE_ADDRESS + total, scratch + <usize>prefixLength, 1) != 1) {
    report("kernel: the command line could not be written at "); sayHex(CMDLINE_ADDRESS); return failed();
  }

  // boot_params: zero, then the image's setup header, then what the loader fills in.
  clearScratch(4096);
  const bp = scratch;
  const headerEnd = HEADER + <u32>load<u8>(header + JUMP_OFFSET);
  memory.copy(bp + SETUP_SECTS, header + SETUP_SECTS, headerEnd - SETUP_SECTS);
  store<u8>(bp + TYPE_OF_LOADER, LOADER_UNDEFINED);
  store<u32>(bp + RAMDISK_IMAGE, <u32>initrdAddress);
  store<u32>(bp + RAMDISK_SIZE, <u32>initrdSize);
  store<u32>(bp + BP_EXT_RAMDISK_IMAGE, <u32>(initrdAddress >> 32));
  store<u32>(bp + BP_EXT_RAMDISK_SIZE, <u32>(initrdSize >> 32));
  store<u32>(bp + CMD_LINE_PTR, <u32>CMDLINE_ADDRESS);
  store<u32>(bp + BP_EXT_CMD_LINE_PTR, <u32>(CMDLINE_ADDRESS >> 32));
  store<u64>(bp + BP_ACPI_RSDP_ADDR, RSDP_ADDRESS);
  store<u8>(bp + BP_E820_ENTRIES, <u8>writeMemoryMap(bp + BP_E820_TABLE, 20));
  if (!scratchToGuest(0, BOOT_PARAMS_ADDRESS, 4096)) {
    report("kernel: boot_params could not be written at "); sayHex(BOOT_PARAMS_ADDRESS); return failed();
  }
  if (!buildLongModeTables()) { report("kernel: the page tables could not be written"); return failed(); }
  if (!buildAcpiTables()) { report("kernel: the ACPI tables could not be written"); return failed(); }

  setEntryState(ENTRY_LONG64, loadAddress + ENTRY_64_OFFSET, CR0_PE | CR0_ET | CR0_NE | CR0_PG,
                PML4_ADDRESS, CR4_PAE, EFER_LME | EFER_LMA);
  setReg(RSI, BOOT_PARAMS_ADDRESS);
  setEntryGdt(GDT_ADDRESS, GDT_LIMIT);

  messageStart();
  messageString("linux: boot protocol ");
  messageDecimal(version >> 8);
  messageString(".");
  messageDecimal(version & 0xff);
  messageString(", kernel at ");
  messageHex(loadAddress);
  if (initrdSize > 0) {
    messageString(", initrd at ");
    messageHex(initrdAddress);
    messageString(" (");
    messageDecimal(initrdSize);
    messageString(" bytes)");
  }
  messageEnd();
  return 0;
}

/**
 * "tsc_early_khz=<kHz> " in the scratch page (its length), or nothing (0) if the TSC rate is not
 * known or the user's command line has a word starting "tsc_early_khz=" or "tsc=": Linux 6.1 reads
 * the rate from CPUID 0x40000010 only for hypervisors it knows, and otherwise calibrates against the
 * PIT, which is slow and under a hypervisor unreliable. It goes first so that it is a kernel
 * parameter even when the command line has "--" (what follows that is init's).
 */
function tscPrefix(cmdline: usize, length: u32): u32 {
  const khz = measuredTscKhz();
  if (khz == 0) return 0;
  for (let i: u32 = 0; i < length; i++) {
    if (i > 0 && load<u8>(cmdline + i - 1) > 0x20) continue;        // not the start of a word
    if (startsWith(cmdline + i, length - i, "tsc=") || startsWith(cmdline + i, length - i, "tsc_early_khz=")) return 0;
  }
  let n = appendString(scratch, 64, 0, "tsc_early_khz=");
  n = appendDecimal(scratch, 64, n, khz);
  return appendString(scratch, 64, n, " ");
}

function startsWith(at: usize, length: u32, word: string): bool {
  if (<u32>word.length > length) return false;
  for (let i = 0; i < word.length; i++) if (<u32>load<u8>(at + i) != <u32>word.charCodeAt(i)) return false;
  return true;
}

/** "64 MiB of RAM" (the VM's memory as configured). */
function sayMemory(): void {
  saySize(guestMemoryBytes()); say(" of RAM");
}
