// The vCPU state area (docs/architecture.md, "vCPU state area"): 512 bytes in linear memory that
// the shim's exit stub saves guest registers into and loads them from.

import { messageStart, messageString, messageHex, messageEnd } from "./console";
import { endVm, RESULT_FAULT, faultValue } from "./result";

export const VCPU_SIZE: i32 = 512;
export const vcpuBase: usize = memory.data(VCPU_SIZE, 16);

// General registers in x86 encoding order, 8 bytes each.
export const RAX: u32 = 0x00;
export const RCX: u32 = 0x08;
export const RDX: u32 = 0x10;
export const RBX: u32 = 0x18;
export const RSP: u32 = 0x20;
export const RBP: u32 = 0x28;
export const RSI: u32 = 0x30;
export const RDI: u32 = 0x38;
export const RIP: u32 = 0x80;
export const RFLAGS: u32 = 0x88;
export const NEXT_RIP: u32 = 0x90;   // 0 when the shim cannot know it
export const CR0: u32 = 0x98;
export const CR2: u32 = 0xa0;
export const CR3: u32 = 0xa8;
export const CR4: u32 = 0xb0;
export const EFER: u32 = 0xb8;
export const PAT: u32 = 0xc0;
export const MODE: u32 = 0xc8;       // u32: 0 real, 1 16-bit protected, 2 32-bit protected, 3 64-bit
export const CPL: u32 = 0xcc;        // u32
export const INJECT: u32 = 0xd0;     // x86 event encoding, cleared by the shim after injection
// The guest's TSC offset (u64, guest TSC = host TSC + offset; clock.ts) and IA32_TSC_AUX (u64,
// bits 31:0, what RDTSCP and RDPID read): set by the core, given to the CPU by the shim at entry.
export const TSC_OFFSET: u32 = 0x110;
export const TSC_AUX: u32 = 0x118;
// Entry-only fields (loadGuest, as-src/README.md "Loaders"): the GDT a loader built in guest
// memory, for the shim's GDTR at the first entry (mode 3 needs a real GDT: Linux's boot protocol).
export const ENTRY_GDTR_BASE: u32 = 0x1f0;   // u64
export const ENTRY_GDTR_LIMIT: u32 = 0x1f8;  // u64 (16 bits used); 0: no GDT
// Segment bases, u64 each, in x86 segment-register order (ES CS SS DS FS GS = 0..5): SEG_BASE + 8 * n.
// Filled by the shim; read only by MMIO emulation (as-src/x86/).
export const SEG_BASE: u32 = 0xd8;   // 0xd8 es, 0xe0 cs, 0xe8 ss, 0xf0 ds, 0xf8 fs, 0x100 gs

// @ts-ignore: decorator
@inline export function getReg(off: u32): u64 {
  return load<u64>(vcpuBase + <usize>off);
}

// @ts-ignore: decorator
@inline export function setReg(off: u32, value: u64): void {
  store<u64>(vcpuBase + <usize>off, value);
}

/** Event kinds in the inject field (bits 8-10). */
export const EVENT_EXCEPTION: u64 = 3;

export const MODE_REAL: u32 = 0;

/**
 * Vectors whose delivery pushes an error code (SDM vol. 3A, 6.15 and Table 6-1; APM vol. 2, 8.2):
 * #DF 8, #TS 10, #NP 11, #SS 12, #GP 13, #PF 14, #AC 17, #CP 21. VT-x refuses an entry that
 * delivers an error code for any other vector (SDM vol. 3, 26.2.1.3).
 */
const ERROR_CODE_VECTORS: u32 = (1 << 8) | (1 << 10) | (1 << 11) | (1 << 12) | (1 << 13) | (1 << 14) |
  (1 << 17) | (1 << 21);
export const VECTOR_UD: u32 = 6;                    // #UD, invalid opcode
export const VECTOR_GP: u32 = 13;                   // #GP, general protection

/**
 * Queues hardware exception `vector` for the next entry, with `errorCode` when the vector has one.
 * In real mode no exception pushes an error code (SDM vol. 3, 20.1.4), and VT-x refuses an entry
 * that asks for one there (SDM vol. 3, 26.2.1.3), so the code is dropped.
 */
export function injectException(vector: u32, errorCode: u32): void {
  let event = <u64>vector | (EVENT_EXCEPTION << 8) | (1 << 31);
  const hasCode = vector < 32 && ((ERROR_CODE_VECTORS >> vector) & 1) != 0;
  if (hasCode && load<u32>(vcpuBase + <usize>MODE) != MODE_REAL) event |= (1 << 11) | (<u64>errorCode << 32);
  setReg(INJECT, event);
}

/** The guest's current privilege level (the shim fills CPL on every exit). */
export function currentPrivilegeLevel(): u32 {
  return load<u32>(vcpuBase + <usize>CPL);
}

/** Queues #GP(0): what a real CPU does for a refused MSR access. */
export function injectGeneralProtection(): void {
  injectException(VECTOR_GP, 0);
}

/**
 * Completes an emulated instruction: rip = nextRip. Without a next RIP the core cannot know the
 * instruction's length (the shim had no decode information), so the VM stops with FAULT.
 * Returns what handleExit returns: 0 resume, 1 ended.
 */
// @ts-ignore: decorator
@inline export function skipInstruction(what: string): u32 {   // inlined: on every instruction exit
  const next = getReg(NEXT_RIP);
  if (next == 0) return unknownLength(what);
  setReg(RIP, next);
  // The instruction completed, so an interrupt shadow it ran in (STI; HLT) is over (SDM vol. 3A,
  // 6.8.3): clear bit 0 of the interruptibility field; the shim clears the vendor's shadow too.
  const shadow = load<u32>(vcpuBase + 0x108);
  if ((shadow & 1) != 0) store<u32>(vcpuBase + 0x108, shadow & ~1);
  return 0;
}

function unknownLength(what: string): u32 {
  messageStart();
  messageString("fault: ");
  messageString(what);
  messageString(" at rip ");
  messageHex(getReg(RIP));
  messageString(": instruction length unknown (no next RIP)");
  messageEnd();
  return endVm(RESULT_FAULT, faultValue());
}

/** Export: where the vCPU state area is. */
export function vcpuStateOffset(): usize {
  return vcpuBase;
}
