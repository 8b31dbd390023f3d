// Pieces every ACPI table shares: the 36-byte system description table header (ACPI 6.5, 5.2.6,
// Table 5.4), the byte checksum, the Generic Address Structure (5.2.3.2, Table 5.1).

export const HEADER_SIZE: u32 = 36;
const OEM_ID = "WISP  ";                      // 6 bytes
const OEM_TABLE_ID = "WISPVM  ";              // 8 bytes
const CREATOR_ID = "WISP";

/** Stores an ASCII literal at p (the low byte of each UTF-16 code unit). */
export function storeAscii(p: usize, s: string): void {
  const src = changetype<usize>(s);
  for (let i = 0; i < s.length; i++) store<u8>(p + <usize>i, <u8>load<u16>(src + (<usize>i << 1)));
}

/** Signature, Length, Revision, OEMID, OEM Table ID, OEM Revision, Creator ID, Creator Revision. */
export function writeHeader(t: usize, signature: string, length: u32, revision: u8): void {
  storeAscii(t, signature);                   // 0: Signature
  store<u32>(t + 4, length);                  // 4: Length of the whole table
  store<u8>(t + 8, revision);                 // 8: Revision; 9: Checksum (setChecksum)
  storeAscii(t + 10, OEM_ID);                 // 10: OEMID
  storeAscii(t + 16, OEM_TABLE_ID);           // 16: OEM Table ID
  store<u32>(t + 24, 1);                      // 24: OEM Revision
  storeAscii(t + 28, CREATOR_ID);             // 28: Creator ID
  store<u32>(t + 32, 1);                      // 32: Creator Revision
}

/** The byte that makes [p, p + n) sum to zero modulo 256, given that it is itself zero now. */
export function checksum(p: usize, n: u32): u8 {
  let sum: u32 = 0;
  for (let i: u32 = 0; i < n; i++) sum += load<u8>(p + i);
  return <u8>(0x100 - (sum & 0xff));
}

/** Sets a table's checksum (offset 9) over its Length bytes. */
export function setChecksum(t: usize): void {
  store<u8>(t + 9, 0);
  store<u8>(t + 9, checksum(t, load<u32>(t + 4)));
}

export const SPACE_SYSTEM_IO: u8 = 1;
export const ACCESS_BYTE: u8 = 1;
export const ACCESS_WORD: u8 = 2;
export const ACCESS_DWORD: u8 = 3;

/** A Generic Address Structure (12 bytes) at p. */
export function writeGas(p: usize, space: u8, bitWidth: u8, access: u8, address: u64): void {
  store<u8>(p, space);                        // Address Space ID
  store<u8>(p + 1, bitWidth);                 // Register Bit Width
  store<u8>(p + 2, 0);                        // Register Bit Offset
  store<u8>(p + 3, access);                   // Access Size
  store<u64>(p + 4, address);
}
