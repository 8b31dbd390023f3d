// The Multiple APIC Description Table (ACPI 6.5, 5.2.12, Table 5.43): one processor with a local
// APIC, one IOAPIC for GSIs 0-23, and the two ISA interrupts that do not map 1:1.

import { writeHeader, setChecksum, HEADER_SIZE } from "./sdt";
import { LAPIC_BASE, IOAPIC_BASE, IOAPIC_ID, CPU_APIC_ID, SCI_IRQ } from "./layout";

const PCAT_COMPAT: u32 = 1;                   // a dual 8259 setup exists too (Table 5.44)
const TYPE_LOCAL_APIC: u8 = 0;                // 5.2.12.2, Table 5.46 (8 bytes)
const TYPE_IO_APIC: u8 = 1;                   // 5.2.12.3, Table 5.48 (12 bytes)
const TYPE_SOURCE_OVERRIDE: u8 = 2;           // 5.2.12.5, Table 5.49 (10 bytes)
const TYPE_LOCAL_APIC_NMI: u8 = 4;            // 5.2.12.7, Table 5.52 (6 bytes)
const LOCAL_APIC_ENABLED: u32 = 1;
// MPS INTI flags (Table 5.50): polarity bits 1:0, trigger mode bits 3:2; 0 = conforms to the bus.
const INTI_CONFORMS: u16 = 0;
const INTI_ACTIVE_HIGH_LEVEL: u16 = 0x1 | (0x3 << 2);
const INTI_ACTIVE_HIGH_EDGE: u16 = 0x1 | (0x1 << 2);
const ALL_PROCESSORS: u8 = 0xff;

export function writeMadt(t: usize): u32 {
  let p = t + HEADER_SIZE;
  store<u32>(p, <u32>LAPIC_BASE);             // 36: Local Interrupt Controller Address
  store<u32>(p + 4, PCAT_COMPAT);             // 40: Flags
  p += 8;

  store<u8>(p, TYPE_LOCAL_APIC);
  store<u8>(p + 1, 8);
  store<u8>(p + 2, 0);                        // ACPI Processor UID
  store<u8>(p + 3, CPU_APIC_ID);
  store<u32>(p + 4, LOCAL_APIC_ENABLED);
  p += 8;

  store<u8>(p, TYPE_IO_APIC);
  store<u8>(p + 1, 12);
  store<u8>(p + 2, IOAPIC_ID);
  store<u8>(p + 3, 0);                        // reserved
  store<u32>(p + 4, <u32>IOAPIC_BASE);
  store<u32>(p + 8, 0);                       // Global System Interrupt Base
  p += 12;

  p = sourceOverride(p, 0, 2, INTI_CONFORMS);                     // the PIT's IRQ 0 is IOAPIC pin 2
  p = sourceOverride(p, SCI_IRQ, SCI_IRQ, INTI_ACTIVE_HIGH_LEVEL); // the SCI is level-triggered

  store<u8>(p, TYPE_LOCAL_APIC_NMI);          // LINT1 carries NMI, as on PC hardware
  store<u8>(p + 1, 6);
  store<u8>(p + 2, ALL_PROCESSORS);
  store<u16>(p + 3, INTI_ACTIVE_HIGH_EDGE);
  store<u8>(p + 5, 1);                        // LINT#
  p += 6;

  const length = <u32>(p - t);
  writeHeader(t, "APIC", length, 5);
  setChecksum(t);
  return length;
}

function sourceOverride(p: usize, source: u8, gsi: u32, flags: u16): usize {
  store<u8>(p, TYPE_SOURCE_OVERRIDE);
  store<u8>(p + 1, 10);
  store<u8>(p + 2, 0);                        // Bus: ISA
  store<u8>(p + 3, source);                   // Source: the ISA IRQ
  store<u32>(p + 4, gsi);                     // Global System Interrupt
  store<u16>(p + 8, flags);
  return p + 10;
}
