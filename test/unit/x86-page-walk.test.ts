// as-src/x86/page-walk.ts: page tables laid out by hand in the fixture's guest memory, for each
// paging mode the SDM defines (vol. 3A, chapter 4), and the linear addresses they must translate.

import { strict as assert } from "node:assert";
import { X86Core, LongModeTables, MODE } from "./x86-fixture";

const OK = 0;
const NOT_PRESENT = 1;
const BAD_TABLE = 2;

function put32(core: X86Core, at: number, v: number): void {
  new DataView(core.guest.buffer).setUint32(at, v >>> 0, true);
}
function put64(core: X86Core, at: number, v: bigint): void {
  new DataView(core.guest.buffer).setBigUint64(at, v, true);
}

function walk(core: X86Core, linear: bigint): [number, bigint] {
  const status = core.x.testTranslate(linear);
  return [status, status === OK ? core.x.testPhysical() : -1n];
}

describe("x86 page walk", () => {
  it("without paging a linear address is physical (32 bits)", () => {
    const core = new X86Core(0x10000);
    core.set("cr0", 0x11n);
    assert.deepEqual(walk(core, 0xfee00300n), [OK, 0xfee00300n]);
    assert.deepEqual(walk(core, 0x1_0000_1234n), [OK, 0x1234n]);
    core.set("cr0", 0x10n);                                  // real mode
    assert.deepEqual(walk(core, 0xb8000n), [OK, 0xb8000n]);
  });

  it("32-bit paging: 4 KiB pages, PSE 4 MiB pages with PSE-36 bits, PS ignored without CR4.PSE", () => {
    const core = new X86Core(0x400000);
    core.set("cr0", 0x80000011n);
    core.set("cr4", 0x10n);                                  // PSE
    core.set("cr3", 0x1000n);
    put32(core, 0x1000 + 4 * (0xc0000000 >>> 22), 0x2000 | 3);              // PDE -> page table at 0x2000
    put32(core, 0x2000 + 4 * 0x12, 0x5000 | 3);                             // 0xc0012xxx -> 0x5xxx
    put32(core, 0x1000 + 4 * (0xfec00000 >>> 22), 0xfec00000 | 0x83);       // 4 MiB page, identity
    put32(core, 0x1000 + 4 * 1, 0x00400000 | (0x3 << 13) | 0x83);           // 4 MiB page at 0x3_0040_0000
    assert.deepEqual(walk(core, 0xc0012abcn), [OK, 0x5abcn]);
    assert.deepEqual(walk(core, 0xfee00300n), [OK, 0xfee00300n]);
    assert.deepEqual(walk(core, 0x0056789an), [OK, 0x3_0056_789an]);
    assert.deepEqual(walk(core, 0xc0013000n), [NOT_PRESENT, -1n]);           // PTE not present
    assert.deepEqual(walk(core, 0x80000000n), [NOT_PRESENT, -1n]);           // PDE not present
    core.set("cr4", 0n);                                     // without PSE the PDE points to a page table,
                                                             // here at 0xfec00000: outside the 4 MiB of RAM
    assert.deepEqual(walk(core, 0xfee00300n), [BAD_TABLE, -1n]);
  });

  it("PAE: PDPTEs at CR3 bits 31:5, 2 MiB and 4 KiB pages", () => {
    const core = new X86Core(0x400000);
    core.set("cr0", 0x80000011n);
    core.set("cr4", 0x20n);
    core.set("cr3", 0x3020n);                                // 32-byte aligned
    put64(core, 0x3020 + 8 * 3, 0x4000n | 1n);               // PDPTE 3 (0xc0000000-) -> directory 0x4000
    put64(core, 0x4000 + 8 * ((0xfee00000 >> 21) & 0x1ff), 0xfee00000n | 0x83n);        // 2 MiB identity
    put64(core, 0x4000 + 8 * 0, 0x5000n | 3n);               // 0xc0000000 -> table 0x5000
    put64(core, 0x5000 + 8 * 7, 0x8000_0000_1234_5000n | 3n);                        // NX set: ignored
    assert.deepEqual(walk(core, 0xfee00300n), [OK, 0xfee00300n]);
    assert.deepEqual(walk(core, 0xc0007008n), [OK, 0x1234_5008n]);
    assert.deepEqual(walk(core, 0xc0008000n), [NOT_PRESENT, -1n]);
    assert.deepEqual(walk(core, 0x40000000n), [NOT_PRESENT, -1n]);         // PDPTE 1 not present
  });

  it("4-level paging: 1 GiB, 2 MiB and 4 KiB pages, high canonical addresses, missing levels", () => {
    const core = new X86Core(0x400000);
    const t = new LongModeTables(core);
    t.map(0n, 0n, 0x40000000);                               // first GiB identity (1 GiB page)
    t.map(0xfee00000n, 0xfee00000n, 0x200000);               // 2 MiB page
    t.map(0xffffffff80000000n, 0x200000n);                   // kernel-style 4 KiB page
    t.map(0xffffffffff5fd000n, 0xfec00000n);                 // fixmap-style IOAPIC mapping
    t.enable();
    assert.deepEqual(walk(core, 0x12345678n), [OK, 0x12345678n]);
    assert.deepEqual(walk(core, 0xfeef0300n), [OK, 0xfeef0300n]);
    assert.deepEqual(walk(core, 0xffffffff80000abcn), [OK, 0x200abcn]);
    assert.deepEqual(walk(core, 0xffffffffff5fd010n), [OK, 0xfec00010n]);
    assert.deepEqual(walk(core, 0xffffffff80001000n), [NOT_PRESENT, -1n]);  // PTE
    assert.deepEqual(walk(core, 0xffffffffc0000000n), [NOT_PRESENT, -1n]);  // PDE
    assert.deepEqual(walk(core, 0x80000000n), [NOT_PRESENT, -1n]);          // PDPTE
    assert.deepEqual(walk(core, 0x0000_7f00_0000_0000n), [NOT_PRESENT, -1n]); // PML4E
    core.set("cr3", 0x7fff_f000n);                           // the top table outside guest memory
    assert.deepEqual(walk(core, 0x1000n), [BAD_TABLE, -1n]);
  });

  it("5-level paging with CR4.LA57", () => {
    const core = new X86Core(0x400000);
    const t = new LongModeTables(core, 0x100000, 5);
    t.map(0x00ff_ffff_fee0_0000n, 0xfee00000n);
    t.enable();
    assert.deepEqual(walk(core, 0x00ff_ffff_fee0_0030n), [OK, 0xfee00030n]);
    assert.deepEqual(walk(core, 0x00fe_ffff_fee0_0030n), [NOT_PRESENT, -1n]);
  });

  it("the walk never writes guest memory (no accessed/dirty bits)", () => {
    const core = new X86Core(0x400000);
    const t = new LongModeTables(core);
    t.map(0xfee00000n, 0xfee00000n);
    t.enable();
    const before = Buffer.from(core.guest);
    walk(core, 0xfee00000n);
    assert.ok(Buffer.from(core.guest).equals(before));
    assert.equal(MODE.LONG, 3);
  });
});
