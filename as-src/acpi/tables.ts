// Builds the VM's ACPI tables (layout.ts) in the scratch page and copies them into guest memory
// at ACPI_BASE. RSDT and XSDT list the FADT and the MADT; the FADT leads to the FACS and DSDT.

import { scratch, clearScratch, scratchToGuest } from "../loaders/scratch";
import { writeHeader, setChecksum, HEADER_SIZE } from "./sdt";
import { writeRsdp } from "./rsdp";
import { writeFadt, writeFacs } from "./fadt";
import { writeMadt } from "./madt";
import { writeDsdt } from "./dsdt";
import {
  ACPI_BASE, ACPI_SIZE, RSDP_OFFSET, FACS_OFFSET, RSDT_OFFSET, XSDT_OFFSET, FADT_OFFSET, MADT_OFFSET,
  DSDT_OFFSET,
} from "./layout";

/** The RSDP's guest-physical address (for boot_params.acpi_rsdp_addr). */
export const RSDP_ADDRESS: u64 = ACPI_BASE + RSDP_OFFSET;

/** Writes all tables into the guest; false if the guest has no memory at ACPI_BASE. */
export function buildAcpiTables(): bool {
  clearScratch(ACPI_SIZE);
  const b = scratch;
  writeFacs(b + FACS_OFFSET);
  writeDsdt(b + DSDT_OFFSET);
  writeFadt(b + FADT_OFFSET, ACPI_BASE + FACS_OFFSET, ACPI_BASE + DSDT_OFFSET);
  writeMadt(b + MADT_OFFSET);

  const rsdt = b + RSDT_OFFSET;               // 5.2.7: 32-bit entries
  store<u32>(rsdt + HEADER_SIZE, <u32>(ACPI_BASE + FADT_OFFSET));
  store<u32>(rsdt + HEADER_SIZE + 4, <u32>(ACPI_BASE + MADT_OFFSET));
  writeHeader(rsdt, "RSDT", HEADER_SIZE + 8, 1);
  setChecksum(rsdt);

  const xsdt = b + XSDT_OFFSET;               // 5.2.8: 64-bit entries
  store<u64>(xsdt + HEADER_SIZE, ACPI_BASE + FADT_OFFSET);
  store<u64>(xsdt + HEADER_SIZE + 8, ACPI_BASE + MADT_OFFSET);
  writeHeader(xsdt, "XSDT", HEADER_SIZE + 16, 1);
  setChecksum(xsdt);

  writeRsdp(b + RSDP_OFFSET, ACPI_BASE + RSDT_OFFSET, ACPI_BASE + XSDT_OFFSET);
  return scratchToGuest(0, ACPI_BASE, ACPI_SIZE);
}
