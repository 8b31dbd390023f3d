// The ABI between the core and the shim, in one place: exit reasons, the vCPU state area's
// offsets and flags, decisions, results, the enumerations the configuration exports, the hypercall
// numbers, and the names of the core's exports and imports. docs/architecture.md ("The core's ABI")
// explains each; this file is what the numbers are.
//
// It is read three ways: the core imports it (AssemblyScript); the build turns every
// `export const NAME: u32 = VALUE;` line into `#define NAME VALUE` in out/gen/abi.h for the shim and
// the guests (build/abi.ts; nothing else may be written on such a line); the Node harness imports it
// (test/unit/harness.ts; esbuild drops the types). test/unit/abi.test.ts holds every hand-written
// copy (docs, the module's real imports and exports) to it.

// ---- Exit reasons (handleExit's first argument; docs/architecture.md, "Neutral exit record") ----
export const EXIT_CPUID: u32 = 1;
export const EXIT_IO: u32 = 2;
export const EXIT_MSR_READ: u32 = 3;
export const EXIT_MSR_WRITE: u32 = 4;
export const EXIT_HLT: u32 = 5;
export const EXIT_HYPERCALL: u32 = 6;
export const EXIT_MEMORY_FAULT: u32 = 7;
export const EXIT_SHUTDOWN: u32 = 8;
export const EXIT_EXCEPTION: u32 = 9;
export const EXIT_INTERRUPT: u32 = 10;
export const EXIT_ENTRY_FAILED: u32 = 11;
export const EXIT_UNSUPPORTED: u32 = 12;
export const EXIT_INTERRUPT_WINDOW: u32 = 13;
export const EXIT_WBINVD: u32 = 14;
export const EXIT_NMI_WINDOW: u32 = 15;
/** Reasons are 1 .. EXIT_REASON_COUNT - 1; slot 0 of the statistics counts any other. */
export const EXIT_REASON_COUNT: u32 = 16;

// The statistics at statsOffset(): u64 counts by reason, then the MSR accesses refused with #GP.
export const STAT_MSR_REFUSED: u32 = 16;
export const STATS_COUNT: u32 = 17;

// Qualification of IO: port in bits 0-15, size in bytes from Q_IO_SIZE_SHIFT, flags.
export const Q_IO_SIZE_SHIFT: u32 = 16;
export const Q_IO_IN: u32 = 0x1000000;             // bit 24
export const Q_IO_STRING: u32 = 0x2000000;         // bit 25
export const Q_IO_REP: u32 = 0x4000000;            // bit 26
// Qualification of MEMORY_FAULT (neutral bits; the backend translates its vendor's error code).
export const Q_FAULT_PRESENT: u32 = 1;
export const Q_FAULT_WRITE: u32 = 2;
export const Q_FAULT_FETCH: u32 = 4;
// Qualification of EXCEPTION: vector in bits 0-7, error code in bits 32-63 when this bit is set.
export const Q_EXCEPTION_ERROR_VALID: u32 = 0x100; // bit 8

// ---- What handleExit returns ----
export const DECISION_RESUME: u32 = 0;
export const DECISION_ENDED: u32 = 1;
export const DECISION_IDLE: u32 = 2;               // HLT with nothing pending: the shim sleeps, then INTERRUPT

// ---- Results (resultKind(); docs/architecture.md, "Results") ----
export const RESULT_RUNNING: u32 = 0;
export const RESULT_EXIT: u32 = 1;                 // value: what the guest wrote to the debug-exit port
export const RESULT_HALT: u32 = 2;                 // HLT with interrupts disabled
export const RESULT_FAULT: u32 = 3;                // the core stopped the VM; value: the exit reason that did
export const RESULT_SHUTDOWN: u32 = 4;             // triple fault
export const RESULT_TRAP: u32 = 5;                 // set by the shim: the VM's instance trapped
export const RESULT_ERROR: u32 = 6;                // set by the shim: the VM could not be started or entered
export const RESULT_RESET: u32 = 7;                // the guest reset the machine (8042 0xFE, port 0xCF9)
export const RESULT_POWEROFF: u32 = 8;             // the guest powered off: ACPI S5

// ---- The vCPU state area (vcpuStateOffset()): byte offsets, u64 fields unless noted ----
export const AREA_SIZE: u32 = 512;
export const AREA_RAX: u32 = 0x00;                 // general registers in x86 encoding order
export const AREA_RCX: u32 = 0x08;
export const AREA_RDX: u32 = 0x10;
export const AREA_RBX: u32 = 0x18;
export const AREA_RSP: u32 = 0x20;
export const AREA_RBP: u32 = 0x28;
export const AREA_RSI: u32 = 0x30;
export const AREA_RDI: u32 = 0x38;                 // r8..r15 follow, 0x40..0x78
export const AREA_RIP: u32 = 0x80;
export const AREA_RFLAGS: u32 = 0x88;
export const AREA_NEXT_RIP: u32 = 0x90;            // 0 when the shim cannot know it
export const AREA_CR0: u32 = 0x98;
export const AREA_CR2: u32 = 0xa0;
export const AREA_CR3: u32 = 0xa8;
export const AREA_CR4: u32 = 0xb0;
export const AREA_EFER: u32 = 0xb8;
export const AREA_PAT: u32 = 0xc0;
export const AREA_MODE: u32 = 0xc8;                // u32: MODE_* below
export const AREA_CPL: u32 = 0xcc;                 // u32
export const AREA_INJECT: u32 = 0xd0;              // the event to inject (INJECT_* below), cleared by the shim
export const AREA_SEG_BASE: u32 = 0xd8;            // ES CS SS DS FS GS bases, 8 bytes apart (x86 order)
export const AREA_INTERRUPTIBILITY: u32 = 0x108;   // u32: INTERRUPTIBILITY_* below, filled by the shim
export const AREA_INTERRUPT_WINDOW: u32 = 0x10c;   // u32: WINDOW_* below, set by the core
export const AREA_TSC_OFFSET: u32 = 0x110;         // set by the core: guest TSC = host TSC + offset
export const AREA_TSC_AUX: u32 = 0x118;            // set by the core: the guest's IA32_TSC_AUX (31:0)
export const AREA_ENTRY_GDTR_BASE: u32 = 0x1f0;    // set by loadGuest, read once before the first entry
export const AREA_ENTRY_GDTR_LIMIT: u32 = 0x1f8;   // 16 bits used; 0: the backend's own GDTR stays

// AREA_MODE values (and vmMode() of a flat VM's configuration)
export const MODE_REAL: u32 = 0;
export const MODE_PROTECTED16: u32 = 1;
export const MODE_PROTECTED32: u32 = 2;
export const MODE_LONG64: u32 = 3;

export const INTERRUPTIBILITY_SHADOW: u32 = 1;     // after STI or MOV SS: one instruction
export const INTERRUPTIBILITY_NMI_BLOCKED: u32 = 2;   // from an NMI's delivery to the next IRET
export const WINDOW_INTERRUPT: u32 = 1;            // exit with INTERRUPT_WINDOW once an interrupt can be taken
export const WINDOW_NMI: u32 = 2;                  // exit with NMI_WINDOW once NMI blocking has ended

// AREA_INJECT: the x86 event encoding (APM vol. 2, 15.20 EVENTINJ; SDM vol. 3C, 25.8.3)
export const INJECT_KIND_SHIFT: u32 = 8;           // bits 8-10
export const INJECT_KIND_EXTERNAL: u32 = 0;
export const INJECT_KIND_NMI: u32 = 2;
export const INJECT_KIND_EXCEPTION: u32 = 3;
export const INJECT_KIND_SOFTWARE_INTERRUPT: u32 = 4;
export const INJECT_ERROR_VALID: u32 = 0x800;      // bit 11; the error code in bits 32-63
export const INJECT_VALID: u32 = 0x80000000;       // bit 31

// ---- The configuration's enumerations (vmKind(), onEnd()) ----
export const KIND_FLAT: u32 = 0;
export const KIND_LINUX: u32 = 1;
export const KIND_MULTIBOOT: u32 = 2;
export const ON_END_HALT: u32 = 0;
export const ON_END_SUMMARY: u32 = 1;
export const ON_END_MIRROR: u32 = 2;

// ---- Hypercalls (VMMCALL, function in rax; docs/architecture.md, "Hypercalls") ----
export const HC_VERSION: u32 = 0;
export const HC_CONSOLE_WRITE: u32 = 1;
export const HC_EXIT_STATS: u32 = 2;
export const HC_PROTECTED_PROBE: u32 = 3;          // blue-pill: where wisp's memory is, for tests
export const HC_TEST_TRAP: u32 = 0x7e57;           // test builds only: the core traps
export const HC_TEST_MMIO: u32 = 0x7e58;           // test builds only: a local APIC or IOAPIC register
export const HC_TEST_LINT: u32 = 0x7e59;           // test builds only: LINT0/LINT1 (rbx) asserted
export const HC_TEST_IRQ: u32 = 0x7e5a;            // test builds only: ISA IRQ rbx to level rcx
export const WISP_SIGNATURE: u32 = 0x70736977;     // "wisp" little-endian: CPUID 4000_0000h, VERSION's rbx

// ---- The module's interface: every function the core exports and imports (module "env") ----
// One literal each: AssemblyScript does not fold "a" + "b", and a concatenation here would run at
// start and link the allocator (memory.grow) into the core.
export const CORE_EXPORTS: string = "inputBuffer parseConfig messageOffset messageLength vmCount vmNameOffset vmNameLength vmImageOffset vmImageLength vmMemoryMiB vmLoadAddress vmEntry vmMode vmExpectKind vmExpectValue debugExitEnabled onEnd vmKind vmImageCount vmFileOffset vmFileLength loadGuest kernelFormat vmSetup bluepillSetup vcpuStateOffset statsOffset handleExit handlePassthroughExit resultKind resultValue setTscKhz pollDevices acknowledgeInterrupt nextDeadlineNs consoleInput memory";
export const CORE_IMPORTS: string = "consoleWrite guestRead guestWrite hostCpuid hostTsc hostUnixTime imageSize imageRead imageLoad hostApicRead hostApicWrite hostApicEnable hostStartupIpi hostCanary";
