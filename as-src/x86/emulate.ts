// MMIO instruction emulation: a nested page fault on an emulated device gives only the
// guest-physical address, so the core fetches the faulting instruction through the guest's page
// tables, decodes it and performs it against the device, the registers and RFLAGS, then steps RIP.

import {
  vcpuBase, getReg, setReg, RIP, RFLAGS, MODE, SEG_BASE, injectException, injectGeneralProtection, VECTOR_UD,
} from "../cpu/vcpu";
import { faultStart, faultEnd } from "../vm/result";
import { messageString, messageHex, messageSlice } from "../vm/console";
import { guestRead } from "../host";
import { mmioRead, mmioWrite } from "../bus/mmio-bus";
import { translate, walkPhysical, WALK_OK } from "./page-walk";
import {
  decode, DECODE_OK, DECODE_UNSUPPORTED, DECODE_NO_MEMORY, DECODE_TRUNCATED, DECODE_TOO_LONG, DECODE_BAD_LOCK,
  MAX_INSN_LENGTH, CODE_64, CODE_32, NO_REG, RIP_BASE,
  insnLength, insnKind, insnSubop, insnOpSize, insnMemSize, insnReg, insnRegHigh, insnSrcImm,
  insnImm, insnAddrSize, insnSegment, insnBase, insnIndex, insnScale, insnDisp,
  KIND_STORE, KIND_LOAD, KIND_LOAD_ZX, KIND_LOAD_SX, KIND_ALU_TO_MEM, KIND_ALU_TO_REG, KIND_TEST,
  KIND_XCHG, KIND_BIT, KIND_UNARY, ALU_ADD, ALU_ADC, ALU_SUB, ALU_SBB, ALU_CMP, ALU_AND, ALU_OR,
  BIT_BT, BIT_BTS, BIT_BTR, UNARY_NOT, UNARY_NEG, UNARY_INC,
  readsMemory,
} from "./decode";

// RFLAGS bits the ALU sets (SDM vol. 1, 3.4.3.1).
const CF: u64 = 1 << 0;
const PF: u64 = 1 << 2;
const AF: u64 = 1 << 4;
const ZF: u64 = 1 << 6;
const SF: u64 = 1 << 7;
const OF: u64 = 1 << 11;
const STATUS_FLAGS: u64 = CF | PF | AF | ZF | SF | OF;

const SEG_FS: u32 = 4;
const SEG_GS: u32 = 5;
const SEG_CS: u32 = 1;

const fetchBuf: usize = memory.data(16, 8);
let fetched: u32 = 0;

const HEX = "0123456789abcdef";

// @ts-ignore: decorator
@inline function sizeMask(size: u32): u64 {
  return size >= 8 ? 0xffffffffffffffff : (<u64>1 << (<u64>size << 3)) - 1;
}

/** General register n (0-15) as an operand of size bytes; high: AH/CH/DH/BH of register n. */
function readReg(n: u32, size: u32, high: bool): u64 {
  const v = load<u64>(vcpuBase + (<usize>n << 3));
  return high ? (v >> 8) & 0xff : v & sizeMask(size);
}

/** x86 partial-register writes: 8/16-bit keep the rest, 32-bit zero-extends, 64-bit replaces. */
function writeReg(n: u32, size: u32, high: bool, value: u64): void {
  const at = vcpuBase + (<usize>n << 3);
  const old = load<u64>(at);
  let v: u64;
  if (high) v = (old & ~(<u64>0xff00)) | ((value & 0xff) << 8);
  else if (size == 1) v = (old & ~(<u64>0xff)) | (value & 0xff);
  else if (size == 2) v = (old & ~(<u64>0xffff)) | (value & 0xffff);
  else if (size == 4) v = value & 0xffffffff;
  else v = value;
  store<u64>(at, v);
}

function signExtend(v: u64, size: u32): u64 {
  if (size >= 8) return v;
  const shift = <u64>(64 - (size << 3));
  return <u64>(<i64>(v << shift) >> shift);
}

/** PF: set when the low byte of the result has an even number of ones. */
// @ts-ignore: decorator
@inline function parity(r: u64): u64 {
  return (popcnt<u32>(<u32>r & 0xff) & 1) == 0 ? PF : 0;
}

function setStatusFlags(flags: u64): void {
  setReg(RFLAGS, (getReg(RFLAGS) & ~STATUS_FLAGS) | flags);
}

/**
 * An ALU operation on size-byte operands with the SDM's flags: ADD/ADC/SUB/SBB/CMP set all six;
 * AND/OR/XOR clear CF and OF (AF, undefined there, is cleared too). Returns the result.
 */
function alu(op: u32, a: u64, b: u64, size: u32): u64 {
  const mask = sizeMask(size);
  const sign: u64 = <u64>1 << ((<u64>size << 3) - 1);
  const carryIn: u64 = getReg(RFLAGS) & CF;
  a &= mask;
  b &= mask;
  let r: u64;
  let flags: u64 = 0;
  if (op == ALU_ADD || op == ALU_ADC) {
    r = (a + b + (op == ALU_ADC ? carryIn : 0)) & mask;
    if ((((a & b) | ((a | b) & ~r)) & sign) != 0) flags |= CF;
    if (((a ^ r) & (b ^ r) & sign) != 0) flags |= OF;
    if (((a ^ b ^ r) & 0x10) != 0) flags |= AF;
  } else if (op == ALU_SUB || op == ALU_SBB || op == ALU_CMP) {
    r = (a - b - (op == ALU_SBB ? carryIn : 0)) & mask;
    if ((((~a & b) | ((~a | b) & r)) & sign) != 0) flags |= CF;
    if (((a ^ b) & (a ^ r) & sign) != 0) flags |= OF;
    if (((a ^ b ^ r) & 0x10) != 0) flags |= AF;
  } else if (op == ALU_AND) r = a & b;
  else if (op == ALU_OR) r = a | b;
  else r = (a ^ b) & mask;                          // ALU_XOR
  if (r == 0) flags |= ZF;
  if ((r & sign) != 0) flags |= SF;
  flags |= parity(r);
  setStatusFlags(flags);
  return r;
}

/** The source operand: the immediate or ModRM.reg, as size bytes. */
function source(size: u32): u64 {
  return insnSrcImm ? insnImm & sizeMask(size) : readReg(insnReg, size, insnRegHigh);
}

/** The memory operand's effective address (without segment base), wrapped to the address size. */
function effectiveAddress(rip: u64): u64 {
  let ea = insnDisp;
  if (insnBase == RIP_BASE) ea += rip + <u64>insnLength;
  else if (insnBase != NO_REG) ea += getReg(<u32>insnBase << 3);
  if (insnIndex != NO_REG) ea += getReg(<u32>insnIndex << 3) * <u64>insnScale;
  return ea & sizeMask(insnAddrSize);
}

/** Segment base + offset: in 64-bit mode only FS and GS have a base; elsewhere 32-bit wrap-around. */
function linearAddress(segment: u32, offset: u64, mode: u32): u64 {
  const base = getReg(SEG_BASE + (segment << 3));
  if (mode == CODE_64) return segment == SEG_FS || segment == SEG_GS ? base + offset : offset;
  return (base + offset) & 0xffffffff;
}

/** Copies up to 15 instruction bytes at CS:RIP into fetchBuf, page by page; sets `fetched`. */
function fetchInstruction(rip: u64, mode: u32): void {
  fetched = 0;
  let linear = linearAddress(SEG_CS, mode == CODE_64 ? rip : mode == CODE_32 ? rip & 0xffffffff : rip & 0xffff, mode);
  while (fetched < MAX_INSN_LENGTH) {
    if (translate(linear) != WALK_OK) return;
    const gpa = walkPhysical();
    let n = <u32>(0x1000 - (gpa & 0xfff));
    if (n > MAX_INSN_LENGTH - fetched) n = MAX_INSN_LENGTH - fetched;
    if (guestRead(gpa, fetchBuf + fetched, n) == 0) return;
    fetched += n;
    linear += n;
    if (mode != CODE_64) linear &= 0xffffffff;
  }
}

/** Stops the VM: "fault: MMIO read at GPA: cannot emulate the instruction at rip R (why): bytes". */
function cannotEmulate(gpa: u64, isWrite: bool, rip: u64, why: string, detail: u64, bytes: u32): u32 {
  faultStart();
  messageString(isWrite ? "MMIO write at " : "MMIO read at ");
  messageHex(gpa);
  messageString(": cannot emulate the instruction at rip ");
  messageHex(rip);
  messageString(" (");
  messageString(why);
  if (detail != 0) messageHex(detail);
  messageString(")");
  if (bytes > 0) messageString(":");
  for (let i: u32 = 0; i < bytes; i++) {
    const b = <u32>load<u8>(fetchBuf + i);
    messageString(" ");
    messageSlice(HEX, b >> 4, 1);
    messageSlice(HEX, b & 15, 1);
  }
  return faultEnd();
}

/** Bit offset of a BT-family instruction and the byte displacement a register offset adds. */
function bitDisplacement(bits: u64): i64 {
  if (insnSrcImm) return 0;
  const offset = <i64>signExtend(readReg(insnReg, insnOpSize, false), insnOpSize);
  return (offset >> <i64>(ctz<u64>(bits))) * <i64>insnOpSize;      // SDM vol. 2A, BT: "bit base"
}

/** Performs the decoded instruction with its memory operand at gpa. */
function execute(gpa: u64): void {
  const size = insnMemSize;
  const opSize = insnOpSize;
  const mem: u64 = readsMemory() ? mmioRead(gpa, size) & sizeMask(size) : 0;
  switch (insnKind) {
    case KIND_STORE: {
      mmioWrite(gpa, size, source(size));
      break;
    }
    case KIND_LOAD:
    case KIND_LOAD_ZX: {
      writeReg(insnReg, opSize, insnRegHigh, mem);
      break;
    }
    case KIND_LOAD_SX: {
      writeReg(insnReg, opSize, false, signExtend(mem, size) & sizeMask(opSize));
      break;
    }
    case KIND_ALU_TO_MEM: {
      const r = alu(insnSubop, mem, source(size), size);
      if (insnSubop != ALU_CMP) mmioWrite(gpa, size, r);
      break;
    }
    case KIND_ALU_TO_REG: {
      const r = alu(insnSubop, readReg(insnReg, size, insnRegHigh), mem, size);
      if (insnSubop != ALU_CMP) writeReg(insnReg, size, insnRegHigh, r);
      break;
    }
    case KIND_TEST: {
      alu(ALU_AND, mem, source(size), size);
      break;
    }
    case KIND_XCHG: {
      mmioWrite(gpa, size, readReg(insnReg, size, insnRegHigh));
      writeReg(insnReg, size, insnRegHigh, mem);
      break;
    }
    case KIND_BIT: {
      const bits = <u64>size << 3;
      const bit = (insnSrcImm ? insnImm : readReg(insnReg, size, false)) & (bits - 1);
      const mask: u64 = <u64>1 << bit;
      // CF is the selected bit; ZF is kept, OF/SF/AF/PF (undefined) are kept too.
      setReg(RFLAGS, (getReg(RFLAGS) & ~CF) | ((mem >> bit) & 1));
      if (insnSubop == BIT_BT) break;
      const r = insnSubop == BIT_BTS ? mem | mask : insnSubop == BIT_BTR ? mem & ~mask : mem ^ mask;
      mmioWrite(gpa, size, r);
      break;
    }
    case KIND_UNARY: {
      let r: u64;
      if (insnSubop == UNARY_NOT) r = ~mem & sizeMask(size);          // NOT changes no flag
      else if (insnSubop == UNARY_NEG) r = alu(ALU_SUB, 0, mem, size);
      else {
        const carry = getReg(RFLAGS) & CF;                            // INC/DEC keep CF
        r = alu(insnSubop == UNARY_INC ? ALU_ADD : ALU_SUB, mem, 1, size);
        setReg(RFLAGS, (getReg(RFLAGS) & ~CF) | carry);
      }
      mmioWrite(gpa, size, r);
      break;
    }
    default: break;
  }
}

/**
 * A non-fetch MEMORY_FAULT on an emulated MMIO range (qualification: bit 1 write).
 * Returns what handleExit returns: 0 resume (RIP stepped), 1 the VM was stopped with a report.
 */
export function emulateMmio(qualification: u64, gpa: u64): u32 {
  const isWrite = (qualification & 2) != 0;
  const rip = getReg(RIP);
  const mode = load<u32>(vcpuBase + <usize>MODE);
  fetchInstruction(rip, mode);
  if (fetched == 0) return cannotEmulate(gpa, isWrite, rip, "its code is not readable guest memory", 0, 0);
  const status = decode(fetchBuf, fetched, mode);
  // What the CPU itself raises for these, before any access (SDM vol. 2A, LOCK: #UD; 2.3.11: an
  // instruction over 15 bytes, #GP(0)); an emulated CPU may have let the access happen first.
  if (status == DECODE_BAD_LOCK) { injectException(VECTOR_UD, 0); return 0; }
  if (status == DECODE_TOO_LONG) { injectGeneralProtection(); return 0; }
  if (status != DECODE_OK) {
    const why = status == DECODE_UNSUPPORTED ? "not an instruction the emulator knows"
      : status == DECODE_NO_MEMORY ? "no memory operand"
      : status == DECODE_TRUNCATED ? "only part of it is readable"
      : "not decodable";
    return cannotEmulate(gpa, isWrite, rip, why, 0, fetched);
  }
  // The fault names the device address; check the instruction really addresses it.
  let offset = effectiveAddress(rip);
  if (insnKind == KIND_BIT) offset = (offset + <u64>bitDisplacement(<u64>insnOpSize << 3)) & sizeMask(insnAddrSize);
  const linear = linearAddress(insnSegment, offset, mode);
  const matches = translate(linear) == WALK_OK ? walkPhysical() == gpa : (linear & 0xfff) == (gpa & 0xfff);
  if (!matches) return cannotEmulate(gpa, isWrite, rip, "its operand is at linear ", linear, insnLength);
  execute(gpa);
  const next = rip + <u64>insnLength;
  setReg(RIP, mode == CODE_64 ? next : mode == CODE_32 ? next & 0xffffffff : next & 0xffff);
  return 0;
}
