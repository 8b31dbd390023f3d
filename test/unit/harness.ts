// Test harness: instantiates the core's .wasm (the same file the C shim links) in Node with JS
// host functions: guest memory is a Uint8Array, CPUID answers come from a table, console output
// is collected as text.

import * as fs from "node:fs";
import * as path from "node:path";
import * as abi from "../../as-src/abi";

/** Exit reasons, results and the vCPU area's offsets: the ABI source, as-src/abi.ts. */
export const REASON = {
  CPUID: abi.EXIT_CPUID, IO: abi.EXIT_IO, MSR_READ: abi.EXIT_MSR_READ, MSR_WRITE: abi.EXIT_MSR_WRITE, HLT: abi.EXIT_HLT,
  HYPERCALL: abi.EXIT_HYPERCALL, MEMORY_FAULT: abi.EXIT_MEMORY_FAULT, SHUTDOWN: abi.EXIT_SHUTDOWN,
  EXCEPTION: abi.EXIT_EXCEPTION, INTERRUPT: abi.EXIT_INTERRUPT, ENTRY_FAILED: abi.EXIT_ENTRY_FAILED,
  UNSUPPORTED: abi.EXIT_UNSUPPORTED, INTERRUPT_WINDOW: abi.EXIT_INTERRUPT_WINDOW, WBINVD: abi.EXIT_WBINVD,
  NMI_WINDOW: abi.EXIT_NMI_WINDOW, INVALID_OPCODE: abi.EXIT_INVALID_OPCODE,
} as const;

export const RESULT = {
  RUNNING: abi.RESULT_RUNNING, EXIT: abi.RESULT_EXIT, HALT: abi.RESULT_HALT, FAULT: abi.RESULT_FAULT,
  SHUTDOWN: abi.RESULT_SHUTDOWN, TRAP: abi.RESULT_TRAP, ERROR: abi.RESULT_ERROR, RESET: abi.RESULT_RESET,
  POWEROFF: abi.RESULT_POWEROFF,
} as const;

/** Offsets in the vCPU state area (u64 fields; mode is the u32 mode and the u32 cpl). */
export const REG = {
  rax: abi.AREA_RAX, rcx: abi.AREA_RCX, rdx: abi.AREA_RDX, rbx: abi.AREA_RBX, rsp: abi.AREA_RSP, rbp: abi.AREA_RBP,
  rsi: abi.AREA_RSI, rdi: abi.AREA_RDI, rip: abi.AREA_RIP, rflags: abi.AREA_RFLAGS, nextRip: abi.AREA_NEXT_RIP,
  cr0: abi.AREA_CR0, cr2: abi.AREA_CR2, cr3: abi.AREA_CR3, cr4: abi.AREA_CR4, efer: abi.AREA_EFER, pat: abi.AREA_PAT,
  mode: abi.AREA_MODE, inject: abi.AREA_INJECT, tscOffset: abi.AREA_TSC_OFFSET, tscAux: abi.AREA_TSC_AUX,
} as const;
export type RegName = keyof typeof REG;

export const ALL_ONES = 0xffffffffffffffffn;

export type Build = "release" | "test";

interface CoreExports {
  memory: WebAssembly.Memory;
  inputBuffer(len: number): number;
  parseConfig(len: number): number;
  messageOffset(): number;
  messageLength(): number;
  vmCount(): number;
  vmNameOffset(i: number): number;
  vmNameLength(i: number): number;
  vmImageOffset(i: number): number;
  vmImageLength(i: number): number;
  vmMemoryMiB(i: number): number;
  vmLoadAddress(i: number): bigint;
  vmEntry(i: number): bigint;
  vmMode(i: number): number;
  vmExpectKind(i: number): number;
  vmExpectValue(i: number): bigint;
  debugExitEnabled(): number;
  onEnd(): number;
  vmSetup(configLen: number, vmIndex: number, memoryBytes: bigint): number;
  vcpuStateOffset(): number;
  statsOffset(): number;
  handleExit(reason: number, qualification: bigint, address: bigint): number;
  resultKind(): number;
  resultValue(): bigint;
  vmKind(i: number): number;
  vmImageCount(i: number): number;
  vmFileOffset(i: number, image: number): number;
  vmFileLength(i: number, image: number): number;
  loadGuest(): number;
  kernelFormat(): number;
  setTscKhz(khz: number): void;
  pollDevices(): number;
  acknowledgeInterrupt(vector: number): number;
  nextDeadlineNs(): bigint;
  consoleInput(ptr: number, len: number): number;
  bluepillSetup(apicBase: bigint): number;
  handlePassthroughExit(reason: number, qualification: bigint, address: bigint): number;
}

export const EXPORT_NAMES = [
  "memory", "inputBuffer", "parseConfig", "messageOffset", "messageLength", "vmCount",
  "vmNameOffset", "vmNameLength", "vmImageOffset", "vmImageLength", "vmMemoryMiB",
  "vmLoadAddress", "vmEntry", "vmMode", "vmExpectKind", "vmExpectValue", "debugExitEnabled",
  "onEnd", "vmSetup", "vcpuStateOffset", "statsOffset", "handleExit", "resultKind", "resultValue",
  "vmKind", "vmImageCount", "vmFileOffset", "vmFileLength", "loadGuest", "kernelFormat",
  "setTscKhz", "pollDevices", "acknowledgeInterrupt", "nextDeadlineNs", "consoleInput",
  "bluepillSetup", "handlePassthroughExit",
];

const modules = new Map<Build, WebAssembly.Module>();

export function wasmPath(build: Build): string {
  return path.join(process.cwd(), "out", build === "test" ? "core-test.wasm" : "core.wasm");
}

export function wasmModule(build: Build): WebAssembly.Module {
  let m = modules.get(build);
  if (!m) {
    m = new WebAssembly.Module(fs.readFileSync(wasmPath(build)));
    modules.set(build, m);
  }
  return m;
}

/** Fixed CPUID answers for tests: [eax, ebx, ecx, edx] per "leaf" or "leaf:subleaf". */
export type CpuidTable = Record<string, [number, number, number, number]>;

export const HOST_CPUID: CpuidTable = {
  "0": [0x10, 0x68747541, 0x444d4163, 0x69746e65],             // "AuthenticAMD"
  "1": [0x00a00f11, 0x00020800, 0xffffffff, 0x178bfbff],        // ECX all ones: policy must clear bits
  "2": [0x11111111, 0x22222222, 0x33333333, 0x44444444],
  "80000001": [0x00a00f11, 0, 0xffffffff, 0x2fd3fbff],
  "8000000a": [0x1, 0x10, 0, 0x10010001],
  "7:1": [0x7, 0x77, 0x777, 0x7777],
};

export interface VmOptions {
  build?: Build;
  guestBytes?: number;
  cpuid?: CpuidTable;
  tsc?: bigint;
  unixTime?: bigint;
}

/** One instance of the core, like one VM on the shim. */
/** What the console and guest-memory imports need of a test instance. */
export interface GuestHost {
  readonly guest: Uint8Array;              // guest-physical memory from 0
  readonly written: string[];              // each consoleWrite call, decoded
  bytes(ptr: number, len: number): Uint8Array;   // a view of the instance's linear memory
}

/** consoleWrite, guestRead and guestWrite as the shim provides them, over a fake guest memory. */
export function guestImports(host: GuestHost) {
  return {
    consoleWrite(ptr: number, len: number): void {
      host.written.push(Buffer.from(host.bytes(ptr, len)).toString("utf8"));
    },
    guestRead(gpa: bigint, ptr: number, len: number): number {
      if (gpa < 0n || gpa + BigInt(len) > BigInt(host.guest.length)) return 0;
      host.bytes(ptr, len).set(host.guest.subarray(Number(gpa), Number(gpa) + len));
      return 1;
    },
    guestWrite(gpa: bigint, ptr: number, len: number): number {
      if (gpa < 0n || gpa + BigInt(len) > BigInt(host.guest.length)) return 0;
      host.guest.set(host.bytes(ptr, len), Number(gpa));
      return 1;
    },
  };
}

export class Core {
  readonly x: CoreExports;
  readonly guest: Uint8Array;
  readonly written: string[] = [];           // each consoleWrite call, decoded
  readonly cpuidCalls: Array<[number, number]> = [];
  cpuid: CpuidTable;
  tsc: bigint;
  /** Boot images by id (0 kernel, 1 initrd, 2.. modules) for imageSize/imageRead/imageLoad. */
  images: Array<Uint8Array | undefined> = [];
  unixTime: bigint;                          // hostUnixTime(): seconds since 1970
  readonly apic = new Map<number, number>();  // blue-pill: the "real" local APIC's registers
  readonly apicWrites: Array<[number, bigint]> = [];
  readonly startupIpis: Array<[number, number, number, number]> = [];   // kind, flags, destination, vector
  canary: [bigint, bigint] | undefined;       // hostCanary(): address, value
  readonly apicBaseWrites: bigint[] = [];       // hostApicEnable()

  constructor(opts: VmOptions = {}) {
    this.guest = new Uint8Array(opts.guestBytes ?? 0x10000);
    this.cpuid = opts.cpuid ?? HOST_CPUID;
    this.tsc = opts.tsc ?? 0x123456789abcdefn;
    this.unixTime = opts.unixTime ?? 1_700_000_000n;   // 2023-11-14 22:13:20 UTC
    const self = this;
    const env = {
      ...guestImports(self),
      hostCpuid(leaf: number, subleaf: number, out: number): void {
        leaf >>>= 0; subleaf >>>= 0;
        self.cpuidCalls.push([leaf, subleaf]);
        const v = self.cpuid[`${leaf.toString(16)}:${subleaf}`] ?? self.cpuid[leaf.toString(16)] ?? [0, 0, 0, 0];
        const dv = self.view();
        for (let i = 0; i < 4; i++) dv.setUint32(out + 4 * i, v[i] >>> 0, true);
      },
      hostTsc(): bigint {
        return self.tsc;
      },
      imageSize(image: number): bigint {
        const img = self.images[image];
        return img ? BigInt(img.length) : ALL_ONES;
      },
      imageRead(image: number, offset: bigint, ptr: number, len: number): number {
        const img = self.images[image];
        if (!img || offset + BigInt(len) > BigInt(img.length)) return 0;
        self.bytes(ptr, len).set(img.subarray(Number(offset), Number(offset) + len));
        return 1;
      },
      imageLoad(image: number, offset: bigint, len: bigint, gpa: bigint): number {
        const img = self.images[image];
        if (!img || offset + len > BigInt(img.length) || gpa + len > BigInt(self.guest.length)) return 0;
        self.guest.set(img.subarray(Number(offset), Number(offset + len)), Number(gpa));
        return 1;
      },
      hostUnixTime(): bigint {
        return self.unixTime;
      },
      // Blue-pill (as-src/vm/passthrough.ts): a fake local APIC page and canary, recorded for tests.
      hostApicRead(offset: number, size: number): bigint {
        return BigInt(self.apic.get(offset) ?? 0) & ((1n << BigInt(8 * size)) - 1n);
      },
      hostApicWrite(offset: number, _size: number, value: bigint): void {
        self.apicWrites.push([offset, value]);
        self.apic.set(offset, Number(value & 0xffffffffn));
      },
      hostApicEnable(value: bigint): void {
        self.apicBaseWrites.push(value);
      },
      hostStartupIpi(kind: number, flags: number, destination: number, vector: number): void {
        self.startupIpis.push([kind, flags, destination, vector]);
      },
      hostCanary(out: number): number {
        if (self.canary === undefined) return 0;
        const dv = self.view();
        dv.setBigUint64(out, self.canary[0], true);
        dv.setBigUint64(out + 8, self.canary[1], true);
        return 1;
      },
    };
    const instance = new WebAssembly.Instance(wasmModule(opts.build ?? "test"), { env });
    this.x = instance.exports as unknown as CoreExports;
  }

  view(): DataView {
    return new DataView(this.x.memory.buffer);
  }

  bytes(ptr: number, len: number): Uint8Array {
    if (ptr < 0 || len < 0 || ptr + len > this.x.memory.buffer.byteLength) {
      throw new Error(`core passed an out-of-bounds range ${ptr}+${len}`);
    }
    return new Uint8Array(this.x.memory.buffer, ptr, len);
  }

  text(ptr: number, len: number): string {
    return Buffer.from(this.bytes(ptr, len)).toString("utf8");
  }

  /** All console output as one string. */
  get output(): string {
    return this.written.join("");
  }

  /** Console output as lines (without the newlines). */
  get lines(): string[] {
    return this.output.split("\n").filter((l, i, a) => i < a.length - 1 || l !== "");
  }

  get(reg: RegName): bigint {
    return this.view().getBigUint64(this.x.vcpuStateOffset() + REG[reg], true);
  }

  set(reg: RegName, value: bigint | number): void {
    this.view().setBigUint64(this.x.vcpuStateOffset() + REG[reg], BigInt.asUintN(64, BigInt(value)), true);
  }

  setRegs(regs: Partial<Record<RegName, bigint | number>>): void {
    for (const [k, v] of Object.entries(regs)) this.set(k as RegName, v as bigint | number);
  }

  /** Blue-pill (as-src/vm/passthrough.ts): exits go to handlePassthroughExit instead. */
  passthrough = false;

  exit(reason: number, qualification: bigint | number = 0n, address: bigint | number = 0n): number {
    const handle = this.passthrough ? this.x.handlePassthroughExit : this.x.handleExit;
    return handle(reason, BigInt.asUintN(64, BigInt(qualification)), BigInt.asUintN(64, BigInt(address)));
  }

  /** An instruction exit at rip with the given length (nextRip = rip + length). */
  instruction(reason: number, length: number, qualification: bigint | number = 0n): number {
    const rip = this.get("rip");
    this.set("nextRip", rip + BigInt(length));
    return this.exit(reason, qualification);
  }

  stats(): bigint[] {
    const dv = this.view();
    const base = this.x.statsOffset();
    return Array.from({ length: abi.STATS_COUNT }, (_, i) => dv.getBigUint64(base + 8 * i, true));   // slot 0: unknown reasons
  }

  /** The statistics slot after the exit reasons: MSR accesses refused with #GP. */
  refusedMsrs(): bigint {
    return this.stats()[abi.STAT_MSR_REFUSED];
  }

  /** Copies text into the input buffer; returns its length in bytes. */
  input(text: string | Uint8Array): number {
    const data = typeof text === "string" ? Buffer.from(text, "utf8") : text;
    const at = this.x.inputBuffer(data.length);
    if (at === 0) throw new Error(`input of ${data.length} bytes does not fit`);
    this.bytes(at, data.length).set(data);
    return data.length;
  }

  parse(text: string | Uint8Array): number {
    return this.x.parseConfig(this.input(text));
  }

  message(): string {
    return this.text(this.x.messageOffset(), this.x.messageLength());
  }

  setup(text: string, vmIndex = 0, memoryBytes?: bigint): number {
    const len = this.input(text);
    return this.x.vmSetup(len, vmIndex, memoryBytes ?? BigInt(this.guest.length));
  }

  get result(): { kind: number; value: bigint } {
    return { kind: this.x.resultKind(), value: this.x.resultValue() };
  }
}

export const SIMPLE_CONFIG = `[vm hello]
image = hello.bin
memory = 2
load = 0x1000
entry = 0x1000
mode = protected32
`;

/** A core set up as VM "hello" with 64 KiB of guest memory and rip 0x1000. */
export function helloVm(opts: VmOptions = {}): Core {
  const core = new Core(opts);
  if (core.setup(SIMPLE_CONFIG) !== 0) throw new Error(core.message());
  core.set("rip", 0x1000);
  core.set("mode", 2);          // the entry mode of SIMPLE_CONFIG: protected32, CPL 0
  return core;
}

/** Deterministic PRNG (mulberry32) for fuzz tests. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The IO exit's qualification. */
export function ioQualification(port: number, size: number, isIn: boolean, string = false, rep = false): bigint {
  return BigInt(port & 0xffff) | (BigInt(size) << 16n) | (isIn ? 1n << 24n : 0n) |
    (string ? 1n << 25n : 0n) | (rep ? 1n << 26n : 0n);
}

/** OUT of value (low size bytes of rax); returns handleExit's result. */
export function outPort(core: Core, port: number, value: bigint | number, size = 1): number {
  core.set("rax", value);
  return core.instruction(REASON.IO, 1, ioQualification(port, size, false));
}

/** IN; returns the new rax. */
export function inPort(core: Core, port: number, size = 1, raxBefore: bigint = 0n): bigint {
  core.set("rax", raxBefore);
  const r = core.instruction(REASON.IO, 1, ioQualification(port, size, true));
  if (r !== 0) throw new Error(`IN from ${port.toString(16)} ended the VM`);
  return core.get("rax");
}

/** Writes a string to the UART's THR byte by byte. */
export function uartWrite(core: Core, text: string): void {
  for (const b of Buffer.from(text, "utf8")) outPort(core, 0x3f8, b);
}

// ---- Platform devices ----

/** The TSC rate the device tests give the core (setTscKhz): 2.5 GHz. */
export const TEST_TSC_KHZ = 2_500_000;

/** A VM as helloVm, with the TSC rate set; time then moves only through advanceNs. */
export function deviceVm(opts: VmOptions = {}): Core {
  const core = helloVm(opts);
  core.x.setTscKhz(TEST_TSC_KHZ);
  return core;
}

/** Moves the host TSC (and so guest time) forward by `ns` nanoseconds. */
export function advanceNs(core: Core, ns: number | bigint): void {
  core.tsc += (BigInt(ns) * BigInt(TEST_TSC_KHZ)) / 1_000_000n;
}

/** RDMSR through an exit; returns the value, or "gp" if #GP(0) was queued. */
export function readMsr(core: Core, msr: number): bigint | "gp" {
  core.setRegs({ rcx: msr, rax: 0, rdx: 0, inject: 0 });
  if (core.instruction(REASON.MSR_READ, 2) !== 0) throw new Error("rdmsr ended the VM");
  if (core.get("inject") !== 0n) return "gp";
  return (core.get("rdx") << 32n) | core.get("rax");
}

/** WRMSR through an exit; true if accepted, false if #GP(0) was queued. */
export function writeMsr(core: Core, msr: number, value: bigint | number): boolean {
  const v = BigInt(value);
  core.setRegs({ rcx: msr, rax: v & 0xffffffffn, rdx: v >> 32n, inject: 0 });
  if (core.instruction(REASON.MSR_WRITE, 2) !== 0) throw new Error("wrmsr ended the VM");
  return core.get("inject") === 0n;
}

const HC_TEST_MMIO = 0x7e58;

/** MMIO read of the LAPIC or IOAPIC (test builds: the TEST_MMIO hypercall, no instruction emulator). */
export function mmioRead(core: Core, gpa: number, size = 4): bigint {
  core.setRegs({ rax: HC_TEST_MMIO, rbx: gpa, rcx: size, rdx: 0 });
  if (core.instruction(REASON.HYPERCALL, 3) !== 0) throw new Error("TEST_MMIO ended the VM");
  return core.get("rax");
}

export function mmioWrite(core: Core, gpa: number, value: bigint | number, size = 4): void {
  core.setRegs({ rax: HC_TEST_MMIO, rbx: gpa, rcx: size | 0x100, rdx: value });
  if (core.instruction(REASON.HYPERCALL, 3) !== 0) throw new Error("TEST_MMIO ended the VM");
}

/** The Linux-style 8259 initialisation: vectors 0x30 (master) and 0x38 (slave), all masked. */
export function initPic(core: Core, masterBase = 0x30, slaveBase = 0x38, icw4 = 0x01): void {
  outPort(core, 0x21, 0xff);
  outPort(core, 0xa1, 0xff);
  outPort(core, 0x20, 0x11);                  // ICW1: edge, cascade, ICW4 follows
  outPort(core, 0x21, masterBase);            // ICW2
  outPort(core, 0x21, 0x04);                  // ICW3: slave on IR2
  outPort(core, 0x21, icw4);                  // ICW4: 8086 mode (+ AEOI if 0x03)
  outPort(core, 0xa0, 0x11);
  outPort(core, 0xa1, slaveBase);
  outPort(core, 0xa1, 0x02);                  // ICW3: slave ID 2
  outPort(core, 0xa1, icw4);
}

/** The pending vector after advancing the timers, acknowledged when there is one. */
export function takeInterrupt(core: Core): number {
  const v = core.x.pollDevices();
  return v < 0 ? v : core.x.acknowledgeInterrupt(v);
}
