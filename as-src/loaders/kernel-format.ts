// What a `kernel =` file is, by its content, as QEMU's -kernel decides on x86: a Linux bzImage
// (boot_flag 0xAA55 at 0x1FE and the setup header "HdrS" at 0x202: Linux boot protocol, "The real-
// mode kernel header") or a Multiboot v1 kernel (magic 0x1BADB002 with a valid checksum, 4-aligned
// in the first 8192 bytes: Multiboot 0.6.96, 3.1.1), loaded as ELF or by its a.out-kludge fields.
// Anything else gets one line naming what was found and what is accepted.

import { imageSize, imageRead } from "../host";
import { IMAGE_KERNEL } from "../config";
import { report, say, sayHex, sayHexWidth, saySize, failed } from "./report";
import { scratch, SCRATCH_SIZE } from "./scratch";

export const FORMAT_LINUX: i32 = 1;
export const FORMAT_MULTIBOOT: i32 = 2;

const NO_IMAGE: u64 = 0xffffffffffffffff;
const WINDOW: u32 = 8192;                     // Multiboot: the header lies within the first 8192 bytes
const BOOT_FLAG: u32 = 0x1fe;                 // u16 0xAA55 (Linux boot protocol)
const SETUP_HEADER: u32 = 0x202;              // u32 "HdrS"
const BOOT_FLAG_MAGIC: u16 = 0xaa55;
const HDRS_MAGIC: u32 = 0x53726448;
const MULTIBOOT_MAGIC: u32 = 0x1badb002;
const ELF_MAGIC: u32 = 0x464c457f;            // "\x7fELF" (ELF spec, e_ident)
const MZ_MAGIC: u16 = 0x5a4d;                 // "MZ": a PE/COFF image (an EFI application)
const GZIP_MAGIC: u16 = 0x8b1f;               // RFC 1952, ID1 ID2

const ACCEPTED = "; accepted: a Linux bzImage (setup header \"HdrS\") or a Multiboot v1 kernel (header in the first 8 KiB, ELF or a.out kludge)";

let badChecksum: i64 = -1;                    // the first Multiboot magic whose checksum failed

/**
 * Reads [base, base + one scratch page) of the first `end` bytes into the scratch page and looks
 * for a Multiboot header there: FORMAT_MULTIBOOT, 0 for none, -1 when the file cannot be read.
 */
function scanChunk(base: u32, end: u32): i32 {
  const n = end - base < SCRATCH_SIZE ? end - base : SCRATCH_SIZE;
  memory.fill(scratch, 0, SCRATCH_SIZE);
  if (imageRead(IMAGE_KERNEL, base, scratch, n) != 1) return -1;
  for (let off: u32 = 0; off + 12 <= n; off += 4) {
    if (load<u32>(scratch + off) != MULTIBOOT_MAGIC) continue;
    if (load<u32>(scratch + off) + load<u32>(scratch + off + 4) + load<u32>(scratch + off + 8) == 0) return FORMAT_MULTIBOOT;
    if (badChecksum < 0) badChecksum = <i64>(base + off);
  }
  return 0;
}

/** FORMAT_LINUX or FORMAT_MULTIBOOT for image 0, or -1 with the message set. */
export function kernelFormat(): i32 {
  const size = imageSize(IMAGE_KERNEL);
  if (size == NO_IMAGE) { report("kernel: the host has no file for it"); return failed(); }
  if (size == 0) { report("kernel: the file is empty"); return failed(); }
  const end = size < <u64>WINDOW ? <u32>size : WINDOW;
  badChecksum = -1;
  // Later pages of the window first: the first page stays in scratch, to be checked and described.
  for (let base: u32 = SCRATCH_SIZE; base < end; base += SCRATCH_SIZE) {
    const r = scanChunk(base, end);
    if (r < 0) { report("kernel: the file cannot be read"); return failed(); }
    if (r == FORMAT_MULTIBOOT) return r;
  }
  const r = scanChunk(0, end);
  if (r < 0) { report("kernel: the file cannot be read"); return failed(); }
  const n = end < SCRATCH_SIZE ? end : SCRATCH_SIZE;
  // Linux first, as QEMU's x86 loader does: a bzImage is never taken for a Multiboot kernel.
  if (n >= SETUP_HEADER + 4 && load<u16>(scratch + BOOT_FLAG) == BOOT_FLAG_MAGIC &&
      load<u32>(scratch + SETUP_HEADER) == HDRS_MAGIC) return FORMAT_LINUX;
  if (r == FORMAT_MULTIBOOT) return r;
  report("kernel: ");
  describe(n, size);
  say(ACCEPTED);
  return failed();
}

/** What the first n bytes look like, for the refusal. */
function describe(n: u32, size: u64): void {
  if (badChecksum >= 0) {
    say("a Multiboot header at "); sayHex(<u64>badChecksum); say(" with a bad checksum (magic + flags + checksum must be 0)");
    return;
  }
  const first = n >= 4 ? load<u32>(scratch) : 0;
  if (first == ELF_MAGIC) { say("an ELF file with no Multiboot header in its first 8 KiB"); return; }
  if (n >= 2 && load<u16>(scratch) == MZ_MAGIC) { say("a PE/COFF executable (an EFI application?), not a kernel"); return; }
  if (n >= 2 && load<u16>(scratch) == GZIP_MAGIC) { say("gzip data (an initrd?), not a kernel"); return; }
  if (n >= SETUP_HEADER && load<u16>(scratch + BOOT_FLAG) == BOOT_FLAG_MAGIC) {
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
