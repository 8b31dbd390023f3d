// The Multiboot test kernel (test/guests/multiboot/kernel.S) under wisp-test.efi in QEMU + OVMF, in
// its three builds (ELF32; 64-bit code converted to elf32-i386; a.out kludge), with two corrupt
// kernels made here between them: a truncated ELF and a header with a bad checksum. One boot. Each
// good kernel prints what the loader handed over (memory map, command line, module) and ends with
// exit 0; each corrupt one ends with ERROR and one line naming what is wrong, and the VMs after it
// run. The corrupt VMs say `expect = error`, so every VM is as expected: QEMU's status is 1.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import { abs } from "../../build/paths";
import { Boot, boot, built, HOOK_TIMEOUT_MS, imageWith, lineIndex, linesStarting, transcript } from "./boot";

const CONFIG = "test/guests/multiboot/wisp.cfg";
const DIR = "out/test-images/multiboot";
const MODULE = "test/guests/multiboot/multiboot-module.txt";
const GOOD = ["multiboot", "multiboot64", "multiboot-aout"];
const FILES: Record<string, string> = {
  multiboot: "multiboot.elf", multiboot64: "multiboot64.elf", "multiboot-aout": "multiboot-aout.bin",
};
const HEADER_MAGIC = 0x1badb002;

// Docs: as-src/README.md, "Loaders": the memory map of an 8 MiB VM (base, length, type).
const MMAP = [
  "mmap 0000000000000000 000000000009f000 1",
  "mmap 000000000009f000 0000000000061000 2",
  "mmap 0000000000100000 0000000000700000 1",
  "mmap 00000000fec00000 0000000000001000 2",
  "mmap 00000000fee00000 0000000000001000 2",
];
const CHECKS = ["magic", "info flags", "mmap", "cmdline", "module", "module string"];

function vmSection(name: string, file: string): string {
  return `[vm ${name}]\nmultiboot = ${file}\nmodule = multiboot-module.txt greeting\ncmdline = "wisp-test answer=42"\nmemory = 8\nexpect = error\n\n`;
}

let headerAt = 0;                      // the Multiboot header's file offset in multiboot.elf

/** The checked-in configuration with the corrupt VMs inserted, and their kernels, in DIR. */
function writeConfig(): string {
  fs.mkdirSync(abs(DIR), { recursive: true });
  const good = fs.readFileSync(built("out/guests/multiboot.elf"));
  const at = [...Array(2048).keys()].map((i) => i * 4).find((o) => good.readUInt32LE(o) === HEADER_MAGIC);
  assert.ok(at !== undefined, "multiboot.elf has no Multiboot header in its first 8 KiB");
  headerAt = at;
  // Cut 16 bytes after the header: the ELF and Multiboot headers are whole, the code is not.
  fs.writeFileSync(abs(`${DIR}/truncated.elf`), good.subarray(0, headerAt + 16));
  const bad = Buffer.from(good);
  bad.writeUInt32LE((bad.readUInt32LE(headerAt + 8) + 1) >>> 0, headerAt + 8);
  fs.writeFileSync(abs(`${DIR}/bad-checksum.elf`), bad);
  const text = fs.readFileSync(abs(CONFIG), "utf8")
    .replace("[vm multiboot64]", `${vmSection("truncated", "truncated.elf")}[vm multiboot64]`)
    .replace("[vm multiboot-aout]", `${vmSection("bad-checksum", "bad-checksum.elf")}[vm multiboot-aout]`);
  const config = `${DIR}/wisp.cfg`;
  fs.writeFileSync(abs(config), text);
  return config;
}

/** The console lines VM vm printed, without the "[vm] " prefix. */
function guestLines(b: Boot, vm: string): string[] {
  return linesStarting(b, `[${vm}] `).map((l) => l.slice(vm.length + 3));
}

describe("Multiboot test kernels under -cpu max", function () {
  this.timeout(HOOK_TIMEOUT_MS);
  let b: Boot;

  before(async function () {
    this.timeout(HOOK_TIMEOUT_MS);
    const config = writeConfig();
    b = await boot(await imageWith("multiboot", "out/wisp-test.efi", config), "max");
  });

  it("ends QEMU with status 1: every VM as expected, the corrupt ones included (expect = error)", () => {
    assert.equal(b.timedOut, false, `QEMU did not end${transcript(b)}`);
    lineIndex(b, "wisp: 5 VMs, 5 as expected");
    for (const vm of GOOD) lineIndex(b, `wisp: VM ${vm}: exit 0 (expected exit 0) ok`);
    assert.equal(b.status, 1, `QEMU exit status${transcript(b)}`);
  });

  for (const vm of GOOD) {
    describe(`${vm} (${FILES[vm]})`, () => {
      it("passes every check and ends with exit 0", () => {
        const lines = guestLines(b, vm);
        const checks = vm === "multiboot64" ? [...CHECKS, "long mode"] : CHECKS;
        for (const c of checks) assert.ok(lines.includes(`${c} ok`), `[${vm}] ${c} ok missing${transcript(b)}`);
        assert.deepEqual(lines.filter((l) => l.startsWith("FAIL")), [], `failed checks${transcript(b)}`);
        lineIndex(b, `[${vm}] all checks passed`);
        lineIndex(b, `wisp: VM ${vm} ended: exit 0`);
      });

      it("reads mem_lower/mem_upper and the memory map wisp documents for 8 MiB", () => {
        const lines = guestLines(b, vm);
        assert.ok(lines.includes("mem_lower 636 mem_upper 7168"), `mem_* line${transcript(b)}`);
        assert.deepEqual(lines.filter((l) => l.startsWith("mmap ") && l !== "mmap ok"), MMAP);
      });

      it("reads the command line: the kernel's file name, then the configured text", () => {
        assert.ok(guestLines(b, vm).includes(`cmdline: ${FILES[vm]} wisp-test answer=42`), `cmdline${transcript(b)}`);
      });

      it("reads the module: its string, size and contents", () => {
        const module = fs.readFileSync(abs(MODULE));
        const lines = guestLines(b, vm);
        assert.ok(lines.includes("module: multiboot-module.txt greeting"), `module string${transcript(b)}`);
        assert.ok(lines.includes(`module size ${module.length}`), `module size${transcript(b)}`);
        assert.ok(lines.includes(`module text: ${module.toString("latin1").split("\n")[0]}`), `module text${transcript(b)}`);
      });
    });
  }

  it("names what is wrong with each corrupt kernel; neither VM starts", () => {
    const hex = (n: number): string => `0x${n.toString(16)}`;
    for (const [vm, why, end] of [
      ["truncated", `multiboot: truncated: segment 0 needs `, `, the file ends at ${hex(headerAt + 16)}`],
      ["bad-checksum", `multiboot: the header at ${hex(headerAt)} has a bad checksum (magic + flags + checksum must be 0)`, ""],
    ] as const) {
      const prefix = `wisp: VM ${vm}: ${why}`;
      assert.ok(b.lines.some((l) => l.startsWith(prefix) && l.endsWith(end)), `no line "${prefix}...${end}"${transcript(b)}`);
      lineIndex(b, `wisp: VM ${vm}: could not be set up (loadGuest)`);
      lineIndex(b, `wisp: VM ${vm} ended: error`);
      assert.deepEqual(linesStarting(b, `[${vm}] multiboot test kernel`), [], `${vm} ran${transcript(b)}`);
    }
  });

  it("runs the VMs after each corrupt one, in configuration order", () => {
    let at = 0;
    for (const vm of ["multiboot", "truncated", "multiboot64", "bad-checksum", "multiboot-aout"]) {
      at = lineIndex(b, `wisp: VM ${vm}: starting`, at);
    }
  });
});
