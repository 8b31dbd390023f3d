// acpi/: the tables a VM gets, found the way an OS finds them (the RSDP scan of 0xE0000-0xFFFFF)
// and re-parsed here: checksums, XSDT/RSDT, FADT fields, MADT entries, the DSDT's \_S5.

import { strict as assert } from "node:assert";
import { Core } from "./harness";
import { bzImage, linuxConfig, loaderVm, multibootConfig, multibootElf } from "./boot-images";

function sum(core: Core, at: number, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s = (s + core.guest[at + i]) & 0xff;
  return s;
}
const str = (core: Core, at: number, n: number) => Buffer.from(core.guest.subarray(at, at + n)).toString("latin1");

/** The RSDP as an OS finds it: "RSD PTR " on a 16-byte boundary with a valid checksum. */
function scanRsdp(core: Core): number {
  for (let p = 0xe0000; p < 0x100000; p += 16) {
    if (str(core, p, 8) === "RSD PTR " && sum(core, p, 20) === 0) return p;
  }
  return -1;
}

interface Table { sig: string; at: number; length: number; revision: number }

function table(core: Core, at: number): Table {
  const dv = new DataView(core.guest.buffer);
  const t = { sig: str(core, at, 4), at, length: dv.getUint32(at + 4, true), revision: core.guest[at + 8] };
  assert.equal(sum(core, at, t.length), 0, `${t.sig} checksum`);
  assert.equal(str(core, at + 10, 6), "WISP  ");
  return t;
}

for (const kind of ["linux", "multiboot"] as const) {
  describe(`acpi tables (${kind} VM)`, () => {
    const core = kind === "linux"
      ? loaderVm(linuxConfig(), [bzImage()], 32)
      : loaderVm(multibootConfig(), [multibootElf()], 4);
    const dv = () => new DataView(core.guest.buffer);
    before(() => assert.equal(core.x.loadGuest(), 0, core.message()));

    it("the RSDP (v2) is found by the scan, with both checksums", () => {
      const p = scanRsdp(core);
      assert.equal(p, 0xe0000);
      assert.equal(core.guest[p + 15], 2, "revision");
      assert.equal(dv().getUint32(p + 20, true), 36);
      assert.equal(sum(core, p, 36), 0, "extended checksum");
    });

    it("RSDT and XSDT list the FADT and the MADT", () => {
      const p = scanRsdp(core);
      const rsdt = table(core, dv().getUint32(p + 16, true));
      const xsdt = table(core, Number(dv().getBigUint64(p + 24, true)));
      assert.equal(rsdt.sig, "RSDT");
      assert.equal(xsdt.sig, "XSDT");
      const r = Array.from({ length: (rsdt.length - 36) / 4 }, (_, i) => table(core, dv().getUint32(rsdt.at + 36 + 4 * i, true)).sig);
      const x = Array.from({ length: (xsdt.length - 36) / 8 }, (_, i) => table(core, Number(dv().getBigUint64(xsdt.at + 36 + 8 * i, true))).sig);
      assert.deepEqual(r, ["FACP", "APIC"]);
      assert.deepEqual(x, ["FACP", "APIC"]);
    });

    it("the FADT: PM1a blocks, SCI 9, reset through the i8042, FACS and DSDT", () => {
      const fadt = table(core, 0xe0100);
      const d = dv();
      const f = fadt.at;
      assert.equal(fadt.sig, "FACP");
      assert.equal(fadt.length, 276);
      assert.equal(fadt.revision, 6);
      assert.equal(d.getUint16(f + 46, true), 9, "SCI_INT");
      assert.equal(d.getUint32(f + 48, true), 0, "SMI_CMD: always in ACPI mode");
      assert.equal(d.getUint32(f + 56, true), 0x600, "PM1a_EVT_BLK");
      assert.equal(d.getUint32(f + 64, true), 0x604, "PM1a_CNT_BLK");
      assert.equal(core.guest[f + 88], 4);
      assert.equal(core.guest[f + 89], 2);
      assert.equal(d.getUint32(f + 112, true) & (1 << 20), 0, "not hardware-reduced");
      assert.ok(d.getUint32(f + 112, true) & (1 << 10), "RESET_REG_SUP");
      assert.deepEqual([...core.guest.subarray(f + 116, f + 120)], [1, 8, 0, 1], "RESET_REG: system I/O, byte");
      assert.equal(d.getBigUint64(f + 120, true), 0x64n);
      assert.equal(core.guest[f + 128], 0xfe);
      assert.equal(d.getBigUint64(f + 176, true), 0x604n, "X_PM1a_CNT_BLK address");
      const facs = d.getUint32(f + 36, true);
      assert.equal(str(core, facs, 4), "FACS");
      assert.equal(facs % 64, 0, "the FACS is 64-byte aligned");
      assert.equal(d.getUint32(f + 40, true), Number(d.getBigUint64(f + 140, true)), "DSDT == X_DSDT");
    });

    it("the DSDT defines \\_S5 as Package {5, 5, 0, 0}", () => {
      const dsdtAt = dv().getUint32(0xe0100 + 40, true);
      const dsdt = table(core, dsdtAt);
      assert.equal(dsdt.sig, "DSDT");
      const aml = [...core.guest.subarray(dsdtAt + 36, dsdtAt + dsdt.length)];
      assert.deepEqual(aml, [0x08, 0x5c, 0x5f, 0x53, 0x35, 0x5f, 0x12, 0x08, 0x04, 0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00]);
    });

    it("the MADT: LAPIC at 0xFEE00000, one CPU, IOAPIC 0 at 0xFEC00000, IRQ0 -> GSI 2, SCI level", () => {
      const madt = table(core, 0xe0240);
      const d = dv();
      assert.equal(madt.sig, "APIC");
      assert.equal(d.getUint32(madt.at + 36, true), 0xfee00000);
      assert.equal(d.getUint32(madt.at + 40, true), 1, "PCAT_COMPAT");
      const entries: number[][] = [];
      for (let p = madt.at + 44; p < madt.at + madt.length; p += core.guest[p + 1]) {
        assert.ok(core.guest[p + 1] >= 2);
        entries.push([...core.guest.subarray(p, p + core.guest[p + 1])]);
      }
      assert.deepEqual(entries, [
        [0, 8, 0, 0, 1, 0, 0, 0],
        [1, 12, 0, 0, 0x00, 0x00, 0xc0, 0xfe, 0, 0, 0, 0],
        [2, 10, 0, 0, 2, 0, 0, 0, 0, 0],
        [2, 10, 0, 9, 9, 0, 0, 0, 0x0d, 0],
        [4, 6, 0xff, 0x05, 0, 1],
      ]);
    });
  });
}
