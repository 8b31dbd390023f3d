// The one-file appliance (`wisp pack`, image/pack.ts + c-shim/efi/sections.c): the test guests'
// configuration and images packed into wisp-test.efi, booted from an ESP that holds nothing but
// \EFI\BOOT\BOOTX64.EFI. It must give the same results as the file-based run (guests.test.ts), and a
// damaged image section must stop only its own VM.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { abs } from "../../build/paths";
import { addSections, peHeaders, WIMG_HEADER } from "../../image/pack";
import { Boot, boot, HOOK_TIMEOUT_MS, lineIndex, matchLine, transcript } from "./boot";
import { DIR, espWithOnly, testAppliance } from "./deploy";
import { guestChecks } from "./guest-checks";

/** The section header offset and data of the .wimgN section that carries `file`. */
function wimgOf(pe: Buffer, file: string): { header: number; data: number } {
  const h = peHeaders(pe);
  for (let i = 0; i < h.sectionCount; i++) {
    const o = h.sectionTable + i * 40;
    const raw = pe.readUInt32LE(o + 20);
    if (!pe.toString("latin1", o, o + 5).startsWith(".wimg")) continue;
    const len = pe.readUInt32LE(raw + 4);
    if (pe.toString("latin1", raw + WIMG_HEADER, raw + WIMG_HEADER + len) === file) return { header: o, data: raw };
  }
  throw new Error(`no .wimg section for ${file}`);
}

describe("appliance: one PE file, booted from an ESP holding only BOOTX64.EFI", function () {
  this.timeout(HOOK_TIMEOUT_MS);
  let b: Boot;

  before(async function () {
    this.timeout(HOOK_TIMEOUT_MS);
    b = await boot(await espWithOnly(testAppliance(), "appliance"), "max");
  });

  it("takes its configuration and images from its own sections", () => {
    lineIndex(b, "wisp: appliance: configuration and 6 image sections from wisp's own image; no file system used");
    assert.equal(b.lines.some((l) => l.includes("no \\wisp\\wisp.cfg")), false, transcript(b));
  });

  guestChecks(() => b, "QEMU");
});

describe("appliance with a corrupt and a truncated image section", function () {
  this.timeout(HOOK_TIMEOUT_MS);
  let b: Boot;

  before(async function () {
    this.timeout(HOOK_TIMEOUT_MS);
    const pe = fs.readFileSync(testAppliance());
    const prot32 = wimgOf(pe, "prot32.bin");
    pe[prot32.data + 64] ^= 0xff;                                   // garbled: the CRC no longer matches
    const halt = wimgOf(pe, "halt.bin");
    pe.writeUInt32LE(pe.readUInt32LE(halt.header + 8) - 16, halt.header + 8);   // VirtualSize: 16 bytes short
    const damaged = abs(path.join(DIR, "appliance-damaged.efi"));
    fs.writeFileSync(damaged, pe);
    b = await boot(await espWithOnly(damaged, "appliance-damaged"), "max");
  });

  it("says which section is damaged and how", () => {
    matchLine(b, /^wisp: appliance: section \.wimg\d \(prot32\.bin\) is corrupt: its CRC-32 does not match its contents$/);
    matchLine(b, /^wisp: appliance: section \.wimg\d \(halt\.bin\) is truncated: its header announces \d+ bytes, it holds \d+$/);
  });

  it("ends those two VMs with ERROR and runs the others", () => {
    lineIndex(b, "wisp: VM prot32: error (expected exit 0) FAILED");
    lineIndex(b, "wisp: VM halt: error (expected halt) FAILED");
    for (const ok of ["trap: trap (expected trap) ok", "real16: exit 0 (expected exit 0) ok",
      "long64: exit 0 (expected exit 0) ok", "unmapped: fault (expected fault) ok"]) lineIndex(b, `wisp: VM ${ok}`);
    lineIndex(b, "[long64] all checks passed");
    lineIndex(b, "wisp: 6 VMs, 4 as expected");
    assert.equal(b.status, (2 << 1) | 1, `two VMs not as expected${transcript(b)}`);
  });
});

describe("appliance whose section headers outgrew lld-link's SizeOfHeaders", function () {
  this.timeout(HOOK_TIMEOUT_MS);
  let b: Boot;

  before(async function () {
    this.timeout(HOOK_TIMEOUT_MS);
    const pe = fs.readFileSync(testAppliance());
    const grown = addSections(pe, Array.from({ length: 24 }, (_, i) => ({ name: `.pad${i}`, data: Buffer.alloc(64, i) })));
    assert.ok(peHeaders(grown).sizeOfHeaders > peHeaders(pe).sizeOfHeaders, "the headers had to grow");
    const file = abs(path.join(DIR, "appliance-grown.efi"));
    fs.writeFileSync(file, grown);
    b = await boot(await espWithOnly(file, "appliance-grown"), "max");
  });

  it("still loads in OVMF and runs every VM as expected", () => {
    lineIndex(b, "wisp: 6 VMs, 6 as expected");
    assert.equal(b.status, 1, transcript(b));
  });
});
