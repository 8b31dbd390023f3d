// The Root System Description Pointer, revision 2 (ACPI 6.5, 5.2.5.3, Table 5.3): found by the
// 16-byte-aligned scan of 0xE0000-0xFFFFF or through boot_params.acpi_rsdp_addr.

import { storeAscii, checksum } from "./sdt";

export const RSDP_SIZE: u32 = 36;

export function writeRsdp(p: usize, rsdt: u64, xsdt: u64): void {
  storeAscii(p, "RSD PTR ");                  // 0: Signature (8 bytes, trailing blank)
  storeAscii(p + 9, "WISP  ");                // 9: OEMID
  store<u8>(p + 15, 2);                       // 15: Revision 2 (ACPI 2.0+: XSDT)
  store<u32>(p + 16, <u32>rsdt);              // 16: RsdtAddress
  store<u32>(p + 20, RSDP_SIZE);              // 20: Length
  store<u64>(p + 24, xsdt);                   // 24: XsdtAddress
  store<u8>(p + 8, checksum(p, 20));          // 8: Checksum of the first 20 bytes (ACPI 1.0 part)
  store<u8>(p + 32, checksum(p, RSDP_SIZE));  // 32: Extended Checksum of all 36 bytes
}
