// A table-light x86 decoder for the instructions guests use on MMIO: the memory forms of MOV,
// MOVZX/MOVSX/MOVSXD, the ALU group, TEST, XCHG, NOT/NEG/INC/DEC, BT/BTS/BTR/BTC and MOVNTI, in
// 16-, 32- and 64-bit code (SDM vol. 2A, chapter 2 and appendix A; APM vol. 3, chapter 1).
// The result lives in the module's globals below (nothing allocates); anything else is a clean
// status, never a trap.

export const DECODE_OK: u32 = 0;
export const DECODE_UNSUPPORTED: u32 = 1;   // an opcode (or opcode extension) not emulated here
export const DECODE_NO_MEMORY: u32 = 2;     // register form (ModRM.mod = 3): cannot have caused an MMIO fault
export const DECODE_TRUNCATED: u32 = 3;     // needs more bytes than could be fetched
export const DECODE_TOO_LONG: u32 = 4;      // longer than 15 bytes (#GP on hardware)
export const DECODE_BAD_LOCK: u32 = 5;      // LOCK on an instruction that cannot take it (#UD on hardware)

export const MAX_INSN_LENGTH: u32 = 15;

// What the instruction does (insnKind). "mem" is the memory operand, "reg" the ModRM.reg register.
export const KIND_STORE: u32 = 1;           // mem = reg or imm                (MOV, MOVNTI)
export const KIND_LOAD: u32 = 2;            // reg = mem                       (MOV, MOVSXD without REX.W)
export const KIND_LOAD_ZX: u32 = 3;         // reg = zero-extended mem         (MOVZX)
export const KIND_LOAD_SX: u32 = 4;         // reg = sign-extended mem         (MOVSX, MOVSXD)
export const KIND_ALU_TO_MEM: u32 = 5;      // mem = mem op (reg or imm)       (insnSubop: ALU_*)
export const KIND_ALU_TO_REG: u32 = 6;      // reg = reg op mem
export const KIND_TEST: u32 = 7;            // flags of mem & (reg or imm)
export const KIND_XCHG: u32 = 8;            // mem <-> reg
export const KIND_BIT: u32 = 9;             // bit test of mem by (reg or imm)  (insnSubop: BIT_*)
export const KIND_UNARY: u32 = 10;          // mem = op mem                    (insnSubop: UNARY_*)

// ALU operations in opcode order (bits 5:3 of 00-3F, ModRM.reg of 80/81/83).
export const ALU_ADD: u32 = 0;
export const ALU_OR: u32 = 1;
export const ALU_ADC: u32 = 2;
export const ALU_SBB: u32 = 3;
export const ALU_AND: u32 = 4;
export const ALU_SUB: u32 = 5;
export const ALU_XOR: u32 = 6;
export const ALU_CMP: u32 = 7;

export const BIT_BT: u32 = 0;               // order of 0F BA /4../7
export const BIT_BTS: u32 = 1;
export const BIT_BTR: u32 = 2;
export const BIT_BTC: u32 = 3;

export const UNARY_NOT: u32 = 0;
export const UNARY_NEG: u32 = 1;
export const UNARY_INC: u32 = 2;
export const UNARY_DEC: u32 = 3;

export const NO_REG: i32 = -1;
export const RIP_BASE: i32 = 16;            // insnBase of a RIP-relative operand

/** Code-segment modes: the vCPU area's mode numbers. */
export const CODE_REAL: u32 = 0;
export const CODE_16: u32 = 1;
export const CODE_32: u32 = 2;
export const CODE_64: u32 = 3;

// The decoded instruction.
export let insnLength: u32 = 0;
export let insnOpcode: u32 = 0;              // one byte, or 0x0Fxx
export let insnKind: u32 = 0;
export let insnSubop: u32 = 0;
export let insnOpSize: u32 = 0;              // bytes of the operation (the register operand)
export let insnMemSize: u32 = 0;             // bytes accessed in memory
export let insnReg: u32 = 0;                 // 0-15 in encoding order
export let insnRegHigh: bool = false;        // insnReg is AH/CH/DH/BH (bits 15:8 of register insnReg)
export let insnSrcImm: bool = false;         // the source is insnImm, not insnReg
export let insnImm: u64 = 0;                 // sign-extended to 64 bits
export let insnAddrSize: u32 = 0;            // 2, 4 or 8
export let insnSegment: u32 = 3;             // ES CS SS DS FS GS = 0..5 (the override, or the default)
export let insnBase: i32 = NO_REG;           // 0-15, RIP_BASE, or NO_REG
export let insnIndex: i32 = NO_REG;
export let insnScale: u32 = 1;
export let insnDisp: u64 = 0;                // sign-extended (moffs: zero-extended)
export let insnLock: bool = false;
export let insnRep: u32 = 0;                 // 0, 0xF2 or 0xF3 (ignored by these instructions)

const SEG_SS: u32 = 2;
const SEG_DS: u32 = 3;

let code: usize = 0;
let avail: u32 = 0;
let pos: u32 = 0;
let truncated: bool = false;

function byte(): u32 {
  if (pos >= avail) {
    truncated = true;
    pos++;
    return 0;
  }
  return <u32>load<u8>(code + pos++);
}

/** Reads n (1, 2, 4 or 8) little-endian bytes, sign-extended to 64 bits when signed. */
function bytes(n: u32, signed: bool): u64 {
  let v: u64 = 0;
  for (let i: u32 = 0; i < n; i++) v |= <u64>byte() << (<u64>i << 3);
  if (signed && n < 8) {
    const shift = <u64>(64 - (n << 3));
    v = <u64>(<i64>(v << shift) >> shift);
  }
  return v;
}

/**
 * ModRM (and SIB and displacement) of a memory operand; false for a register operand.
 * 16-bit forms: SDM vol. 2A, Table 2-1; 32/64-bit: Tables 2-2, 2-3 and 2.2.1.
 */
function modrm(rex: u32, mode: u32, segOverride: bool): bool {
  const m = byte();
  const mod = m >> 6;
  insnReg = ((m >> 3) & 7) | ((rex & 4) << 1);
  if (mod == 3) return false;
  const rm = m & 7;
  let defaultSeg = SEG_DS;
  if (insnAddrSize == 2) {
    // [BX+SI] [BX+DI] [BP+SI] [BP+DI] [SI] [DI] [BP] [BX]
    if (rm < 4) {
      insnBase = (rm & 2) != 0 ? 5 : 3;
      insnIndex = (rm & 1) != 0 ? 7 : 6;
    } else if (rm == 4) insnBase = 6;
    else if (rm == 5) insnBase = 7;
    else if (rm == 6) insnBase = mod == 0 ? NO_REG : 5;
    else insnBase = 3;
    if (insnBase == 5) defaultSeg = SEG_SS;
    if (mod == 1) insnDisp = bytes(1, true);
    else if (mod == 2 || (mod == 0 && rm == 6)) insnDisp = bytes(2, true);
  } else {
    if (rm == 4) {
      const sib = byte();
      insnScale = <u32>1 << (sib >> 6);
      const index = ((sib >> 3) & 7) | ((rex & 2) << 2);
      if (index != 4) insnIndex = <i32>index;
      if ((sib & 7) == 5 && mod == 0) {
        insnDisp = bytes(4, true);
      } else {
        insnBase = <i32>((sib & 7) | ((rex & 1) << 3));
      }
    } else if (rm == 5 && mod == 0) {
      insnDisp = bytes(4, true);
      if (mode == CODE_64) insnBase = RIP_BASE;
    } else {
      insnBase = <i32>(rm | ((rex & 1) << 3));
    }
    if (insnBase == 4 || insnBase == 5) defaultSeg = SEG_SS;
    if (mod == 1) insnDisp = bytes(1, true);
    else if (mod == 2) insnDisp = bytes(4, true);
  }
  if (!segOverride) insnSegment = defaultSeg;
  return true;
}

/** An opcode not emulated, unless the bytes ran out first (then the true opcode is unknown). */
function unsupported(): u32 {
  return truncated ? DECODE_TRUNCATED : DECODE_UNSUPPORTED;
}

function reset(): void {
  insnLength = 0;
  insnOpcode = 0;
  insnKind = 0;
  insnSubop = 0;
  insnOpSize = 0;
  insnMemSize = 0;
  insnReg = 0;
  insnRegHigh = false;
  insnSrcImm = false;
  insnImm = 0;
  insnAddrSize = 0;
  insnSegment = SEG_DS;
  insnBase = NO_REG;
  insnIndex = NO_REG;
  insnScale = 1;
  insnDisp = 0;
  insnLock = false;
  insnRep = 0;
}

/** LOCK is valid only on read-modify-write forms (SDM vol. 2A, LOCK). */
function lockable(): bool {
  if (insnKind == KIND_ALU_TO_MEM) return insnSubop != ALU_CMP;
  if (insnKind == KIND_BIT) return insnSubop != BIT_BT;
  return insnKind == KIND_XCHG || insnKind == KIND_UNARY;
}

/**
 * Decodes the instruction in the avail bytes at `at`, for a code segment of `mode` (CODE_*).
 * Returns DECODE_OK with the insn* globals set, or another DECODE_* status.
 */
export function decode(at: usize, availBytes: u32, mode: u32): u32 {
  reset();
  code = at;
  avail = availBytes < MAX_INSN_LENGTH ? availBytes : MAX_INSN_LENGTH;
  pos = 0;
  truncated = false;
  const long = mode == CODE_64;
  let opsize16 = false;
  let addrOverride = false;
  let segOverride = false;
  let rex: u32 = 0;
  let b: u32 = 0;
  // Legacy prefixes in any order; in 64-bit mode a REX counts only right before the opcode.
  for (;;) {
    if (pos >= MAX_INSN_LENGTH) return DECODE_TOO_LONG;
    b = byte();
    if (truncated) return DECODE_TRUNCATED;
    if (b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e) {
      insnSegment = (b >> 3) & 3;                   // 26 ES, 2E CS, 36 SS, 3E DS
      segOverride = true;
    } else if (b == 0x64 || b == 0x65) {
      insnSegment = b - 0x60;                       // 64 FS, 65 GS
      segOverride = true;
    } else if (b == 0x66) opsize16 = true;
    else if (b == 0x67) addrOverride = true;
    else if (b == 0xf0) insnLock = true;
    else if (b == 0xf2 || b == 0xf3) insnRep = b;
    else if (long && (b & 0xf0) == 0x40) {
      rex = b;
      continue;
    } else break;
    rex = 0;
  }
  const w = (rex & 8) != 0;
  const defaultSize: u32 = mode == CODE_REAL || mode == CODE_16 ? 2 : 4;
  const fullSize: u32 = w ? 8 : opsize16 ? 6 - defaultSize : defaultSize;     // 66 swaps 2 and 4
  if (long) insnAddrSize = addrOverride ? 4 : 8;
  else insnAddrSize = addrOverride ? 6 - defaultSize : defaultSize;

  let op = b;
  if (op == 0x0f) op = 0x0f00 | byte();
  insnOpcode = op;
  const byteOp = (op & 1) == 0;                      // w bit of most one-byte opcodes
  let immBytes: u32 = 0;
  let mem = false;

  if (op < 0x40 && (op & 7) < 4) {                   // ALU r/m forms: 00-03, 08-0B, ... 38-3B
    insnKind = (op & 2) != 0 ? KIND_ALU_TO_REG : KIND_ALU_TO_MEM;
    insnSubop = op >> 3;
    insnOpSize = byteOp ? 1 : fullSize;
    mem = modrm(rex, mode, segOverride);
  } else if (op == 0x63 && long) {                   // MOVSXD Gv, Ed (without REX.W: a plain load)
    insnKind = w ? KIND_LOAD_SX : KIND_LOAD;
    insnOpSize = fullSize;
    insnMemSize = w ? 4 : fullSize;
    mem = modrm(rex, mode, segOverride);
  } else if (op == 0x80 || op == 0x81 || op == 0x83) {   // group 1: Eb,Ib / Ev,Iz / Ev,Ib
    insnKind = KIND_ALU_TO_MEM;
    insnOpSize = op == 0x80 ? 1 : fullSize;
    insnSrcImm = true;
    immBytes = op == 0x81 ? (fullSize == 2 ? 2 : 4) : 1;
    mem = modrm(rex, mode, segOverride);
    insnSubop = insnReg & 7;
  } else if (op >= 0x84 && op <= 0x8b) {
    // 84/85 TEST, 86/87 XCHG, 88/89 MOV Eb,Gb/Ev,Gv, 8A/8B MOV Gb,Eb/Gv,Ev
    insnKind = op < 0x86 ? KIND_TEST : op < 0x88 ? KIND_XCHG : op < 0x8a ? KIND_STORE : KIND_LOAD;
    insnOpSize = byteOp ? 1 : fullSize;
    mem = modrm(rex, mode, segOverride);
  } else if (op >= 0xa0 && op <= 0xa3) {             // MOV AL/eAX <-> moffs
    insnKind = op < 0xa2 ? KIND_LOAD : KIND_STORE;
    insnOpSize = byteOp ? 1 : fullSize;
    insnDisp = bytes(insnAddrSize, false);
    mem = true;
  } else if (op == 0xc6 || op == 0xc7) {             // MOV Eb,Ib / Ev,Iz (/0 only)
    insnKind = KIND_STORE;
    insnOpSize = byteOp ? 1 : fullSize;
    insnSrcImm = true;
    immBytes = byteOp ? 1 : fullSize == 2 ? 2 : 4;
    mem = modrm(rex, mode, segOverride);
    if ((insnReg & 7) != 0) return unsupported();
  } else if (op == 0xf6 || op == 0xf7) {             // group 3: /0 TEST Ib/Iz, /2 NOT, /3 NEG
    insnOpSize = byteOp ? 1 : fullSize;
    mem = modrm(rex, mode, segOverride);
    const ext = insnReg & 7;
    if (ext == 0) {
      insnKind = KIND_TEST;
      insnSrcImm = true;
      immBytes = byteOp ? 1 : fullSize == 2 ? 2 : 4;
    } else if (ext == 2 || ext == 3) {
      insnKind = KIND_UNARY;
      insnSubop = ext == 2 ? UNARY_NOT : UNARY_NEG;
    } else return unsupported();
  } else if (op == 0xfe || op == 0xff) {             // groups 4/5: /0 INC, /1 DEC
    insnOpSize = byteOp ? 1 : fullSize;
    mem = modrm(rex, mode, segOverride);
    const ext = insnReg & 7;
    if (ext > 1) return unsupported();
    insnKind = KIND_UNARY;
    insnSubop = ext == 0 ? UNARY_INC : UNARY_DEC;
  } else if (op == 0x0fb6 || op == 0x0fb7 || op == 0x0fbe || op == 0x0fbf) {   // MOVZX/MOVSX Gv, Eb/Ew
    insnKind = op < 0x0fbe ? KIND_LOAD_ZX : KIND_LOAD_SX;
    insnOpSize = fullSize;
    insnMemSize = byteOp ? 1 : 2;
    mem = modrm(rex, mode, segOverride);
  } else if (op == 0x0fa3 || op == 0x0fab || op == 0x0fb3 || op == 0x0fbb) {   // BT/BTS/BTR/BTC Ev, Gv
    insnKind = KIND_BIT;
    insnSubop = (op >> 3) & 3;                       // A3 0, AB 1, B3 2, BB 3
    insnOpSize = fullSize;
    mem = modrm(rex, mode, segOverride);
  } else if (op == 0x0fba) {                         // group 8: BT/BTS/BTR/BTC Ev, Ib (/4../7)
    insnKind = KIND_BIT;
    insnOpSize = fullSize;
    insnSrcImm = true;
    immBytes = 1;
    mem = modrm(rex, mode, segOverride);
    if ((insnReg & 7) < 4) return unsupported();
    insnSubop = (insnReg & 7) - 4;
  } else if (op == 0x0fc3 && !opsize16 && insnRep == 0) {   // MOVNTI My, Gy
    insnKind = KIND_STORE;
    insnOpSize = w ? 8 : 4;
    mem = modrm(rex, mode, segOverride);
  } else {
    return unsupported();
  }

  if (immBytes != 0) insnImm = bytes(immBytes, op != 0x0fba);      // BT's bit offset imm8 is unsigned
  if (truncated) return DECODE_TRUNCATED;
  if (pos > MAX_INSN_LENGTH) return DECODE_TOO_LONG;
  if (!mem) return DECODE_NO_MEMORY;
  if (insnLock && !lockable()) return DECODE_BAD_LOCK;
  if (insnMemSize == 0) insnMemSize = insnOpSize;
  // An 8-bit register without any REX prefix: 4-7 are AH, CH, DH, BH.
  if (insnOpSize == 1 && rex == 0 && insnReg >= 4 && insnReg < 8 && !insnSrcImm) {
    insnReg -= 4;
    insnRegHigh = true;
  }
  insnLength = pos;
  return DECODE_OK;
}

/** Whether the decoded instruction writes its memory operand. */
export function writesMemory(): bool {
  if (insnKind == KIND_STORE || insnKind == KIND_XCHG || insnKind == KIND_UNARY) return true;
  if (insnKind == KIND_ALU_TO_MEM) return insnSubop != ALU_CMP;
  if (insnKind == KIND_BIT) return insnSubop != BIT_BT;
  return false;
}

/** Whether it reads its memory operand. */
export function readsMemory(): bool {
  return insnKind != KIND_STORE;
}
