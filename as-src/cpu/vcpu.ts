// The vCPU state area (docs/architecture.md, "vCPU state area"): 512 bytes in linear memory that
// the shim's exit stub saves guest registers into and loads them from.

import { messageStart, messageString, messageHex, messageEnd } from "../vm/console";
import { endVm, RESULT_FAULT, faultValue } from "../vm/result";

import {
  AREA_SIZE, AREA_RAX, AREA_RCX, AREA_RDX, AREA_RBX, AREA_RSP, AREA_RBP, AREA_RSI, AREA_RDI, AREA_RIP, AREA_RFLAGS,
  AREA_NEXT_RIP, AREA_CR0, AREA_CR2, AREA_CR3, AREA_CR4, AREA_EFER, AREA_PAT, AREA_MODE, AREA_CPL, AREA_INJECT,
  AREA_TSC_OFFSET, AREA_TSC_AUX, AREA_ENTRY_GDTR_BASE, AREA_ENTRY_GDTR_LIMIT, AREA_SEG_BASE, AREA_INTERRUPTIBILITY,
  INTERRUPTIBILITY_SHADOW, INJECT_KIND_EXCEPTION, INJECT_KIND_SHIFT, INJECT_ERROR_VALID, INJECT_VALID, MODE_REAL,
} from "../abi";

export const VCPU_SIZE: i32 = <i32>AREA_SIZE;
export const vcpuBase: usize = memory.data(VCPU_SIZE, 16);

// The area's fields by their short names (offsets: abi.ts).
export const RAX = AREA_RAX, RCX = AREA_RCX, RDX = AREA_RDX, RBX = AREA_RBX, RSP = AREA_RSP, RBP = AREA_RBP;
export const RSI = AREA_RSI, RDI = AREA_RDI, RIP = AREA_RIP, RFLAGS = AREA_RFLAGS, NEXT_RIP = AREA_NEXT_RIP;
export const CR0 = AREA_CR0, CR2 = AREA_CR2, CR3 = AREA_CR3, CR4 = AREA_CR4, EFER = AREA_EFER, PAT = AREA_PAT;
export const MODE = AREA_MODE, CPL = AREA_CPL, INJECT = AREA_INJECT, SEG_BASE = AREA_SEG_BASE;
export const TSC_OFFSET = AREA_TSC_OFFSET, TSC_AUX = AREA_TSC_AUX;
export const ENTRY_GDTR_BASE = AREA_ENTRY_GDTR_BASE, ENTRY_GDTR_LIMIT = AREA_ENTRY_GDTR_LIMIT;

// @ts-ignore: decorator
@inline export function getReg(off: u32): u64 {
  return load<u64>(vcpuBase + <usize>off);
}

// @ts-ignore: decorator
@inline export function setReg(off: u32, value: u64): void {
  store<u64>(vcpuBase + <usize>off, value);
}

export { MODE_REAL };

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
  let event = <u64>vector | (<u64>INJECT_KIND_EXCEPTION << INJECT_KIND_SHIFT) | <u64>INJECT_VALID;
  const hasCode = vector < 32 && ((ERROR_CODE_VECTORS >> vector) & 1) != 0;
  if (hasCode && load<u32>(vcpuBase + <usize>MODE) != MODE_REAL) event |= <u64>INJECT_ERROR_VALID | (<u64>errorCode << 32);
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
  const shadow = load<u32>(vcpuBase + <usize>AREA_INTERRUPTIBILITY);
  if ((shadow & INTERRUPTIBILITY_SHADOW) != 0) store<u32>(vcpuBase + <usize>AREA_INTERRUPTIBILITY, shadow & ~INTERRUPTIBILITY_SHADOW);
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
