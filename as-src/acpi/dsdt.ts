// The Differentiated System Description Table (ACPI 6.5, 5.2.11.1): only what poweroff needs,
// the \_S5 sleep-state package (7.4.2), as AML written by hand. Equivalent ASL:
//   Name (\_S5, Package (0x04) { 0x05, 0x05, Zero, Zero })
// OSPM writes SLP_TYPa (the first element) with SLP_EN to PM1a_CNT to enter S5 (soft off).

import { writeHeader, setChecksum, HEADER_SIZE } from "./sdt";
import { S5_SLP_TYP } from "./layout";

const NAME_OP: u8 = 0x08;                     // 20.2.5.1: DefName := NameOp NameString DataRefObject
const ROOT_CHAR: u8 = 0x5c;                   // 20.2.2: '\' before a NameSeg
const PACKAGE_OP: u8 = 0x12;                  // 20.2.5.4: DefPackage := PackageOp PkgLength NumElements PackageElementList
const BYTE_PREFIX: u8 = 0x0a;                 // 20.2.3: ByteConst := BytePrefix ByteData
const ZERO_OP: u8 = 0x00;                     // 20.2.3: ConstObj ZeroOp

export function writeDsdt(t: usize): u32 {
  let p = t + HEADER_SIZE;
  store<u8>(p++, NAME_OP);
  store<u8>(p++, ROOT_CHAR);
  store<u8>(p++, 0x5f);                       // NameSeg "_S5_" (20.2.2: 4 characters, '_' padded)
  store<u8>(p++, 0x53);
  store<u8>(p++, 0x35);
  store<u8>(p++, 0x5f);
  store<u8>(p++, PACKAGE_OP);
  // PkgLength (20.2.4): one byte for lengths below 64, counting itself, NumElements and the elements.
  store<u8>(p++, 1 + 1 + 2 + 2 + 1 + 1);
  store<u8>(p++, 4);                          // NumElements
  store<u8>(p++, BYTE_PREFIX);                // SLP_TYPa
  store<u8>(p++, S5_SLP_TYP);
  store<u8>(p++, BYTE_PREFIX);                // SLP_TYPb (no PM1b block)
  store<u8>(p++, S5_SLP_TYP);
  store<u8>(p++, ZERO_OP);                    // reserved
  store<u8>(p++, ZERO_OP);                    // reserved
  const length = <u32>(p - t);
  writeHeader(t, "DSDT", length, 2);          // revision 2: 64-bit AML integers
  setChecksum(t);
  return length;
}
