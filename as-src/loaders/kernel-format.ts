// What a `kernel =` file is, by its content, as QEMU's -kernel decides on x86: a Linux bzImage
// (boot_flag 0xAA55 at 0x1FE and the setup header "HdrS" at 0x202: Linux boot protocol, "The real-
// mode kernel header") or a Multiboot v1 kernel (magic 0x1BADB002 with a valid checksum, 4-aligned
// in the first 8192 bytes: Multiboot 0.6.96, 3.1.1), loaded as ELF or by its a.out-kludge fields.
// Anything else gets one line naming what was found and what is accepted.

import { imageSize, imageRead } from "../host";
import { IMAGE_KERNEL } from "../vm/config";
import { report, say, sayHex, sayHexWidth, saySize, failed } from "./report";
import { scratch, SCRATCH_SIZE } from "./scratch";
import { BOOT_FLAG, BOOT_FLAG_MAGIC, HEADER, HDRS_MAGIC } from "./linux";
import { findHeader, badChecksumAt } from "./multiboot";

export const FORMAT_LINUX: i32 = 1;
export const FORMAT_MULTIBOOT: i32 = 2;

const NO_IMAGE: u64 = 0xffffffffffffffff;
const ELF_MAGIC: u32 = 0x464c457f;            // "\x7fELF" (ELF spec, e_ident)
const MZ_MAGIC: u16 = 0x5a4d;                 // "MZ": a PE/COFF image (an EFI application)
const GZIP_MAGIC: u16 = 0x8b1f;               // RFC 1952, ID1 ID2

const ACCEPTED = "; accepted: a Linux bzImage (setup header \"HdrS\") or a Multiboot v1 kernel (header in the first 8 KiB, ELF or a.out kludge)";

/** The file's first page (or all of it) into the scratch page: its length, or -1 if unreadable. */
function readFirstPage(size: u64): i32 {
  const n = size < <u64>SCRATCH_SIZE ? <u32>size : SCRATCH_SIZE;
  memory.fill(scratch, 0, SCRATCH_SIZE);
  return imageRead(IMAGE_KERNEL, 0, scratch, n) == 1 ? <i32>n : -1;
}

function isBzImage(n: u32): bool {
  return n >= HEADER + 4 && <u32>load<u16>(scratch + BOOT_FLAG) == BOOT_FLAG_MAGIC && load<u32>(scratch + HEADER) == HDRS_MAGIC;
}

/** FORMAT_LINUX or FORMAT_MULTIBOOT for image 0, or -1 with the message set. */
export function kernelFormat(): i32 {
  const size = imageSize(IMAGE_KERNEL);
  if (size == NO_IMAGE) { report("kernel: the host has no file for it"); return failed(); }
  if (size == 0) { report("kernel: the file is empty"); return failed(); }
  let n = readFirstPage(size);
  if (n < 0) { report("kernel: the file cannot be read"); return failed(); }
  // Linux first, as QEMU's x86 loader does: a bzImage is never taken for a Multiboot kernel.
  if (isBzImage(<u32>n)) return FORMAT_LINUX;
  if (findHeader(size) >= 0) return FORMAT_MULTIBOOT;   // the loader's own search (multiboot.ts)
  n = readFirstPage(size);                              // findHeader used the scratch page
  report("kernel: ");
  describe(<u32>(n < 0 ? 0 : n), size);
  say(ACCEPTED);
  return failed();
}

/** What the first n bytes look like, for the refusal. */
function describe(n: u32, size: u64): void {
  if (badChecksumAt >= 0) {
    say("a Multiboot header at "); sayHex(<u64>badChecksumAt); say(" with a bad checksum (magic + flags + checksum must be 0)");
    return;
  }
  const first = n >= 4 ? load<u32>(scratch) : 0;
  if (first == ELF_MAGIC) { say("an ELF file with no Multiboot header in its first 8 KiB"); return; }
  if (n >= 2 && load<u16>(scratch) == MZ_MAGIC) { say("a PE/COFF executable (an EFI application?), not a kernel"); return; }
  if (n >= 2 && load<u16>(scratch) == GZIP_MAGIC) { say("gzip data (an initrd?), not a kernel"); return; }
  if (n >= HEADER && <u32>load<u16>(scratch + BOOT_FLAG) == BOOT_FLAG_MAGIC) {
    say("a boot sector without a Linux setup header (\"HdrS\" at 0x202)"); return;
  }
  let text = true;
  for (let i: u32 = 0; i < n; i++) {
    const c = load<u8>(scratch + i);
    if (c < 0x20 && c != 0x09 && c != 0x0a && c != 0x0d) { text = false; break; }
  }
  if (text) { say("text ("); saySize(size); say(")"); return; }
  say("unknown data ("); saySize(size); say(", first bytes "); sayHexWidth(bswap<u32>(first), 8); say(")");
}
