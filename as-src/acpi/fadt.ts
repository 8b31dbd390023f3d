// The Fixed ACPI Description Table, revision 6 (ACPI 6.5, 5.2.9, Table 5.9) and the Firmware ACPI
// Control Structure it points to (5.2.10, Table 5.13). A classic (not hardware-reduced) PC: PM1a
// event and control blocks in I/O space, SCI on IRQ 9, reset through the i8042. SMI_CMD is 0, so
// the platform is always in ACPI mode and the OS never asks firmware to switch (5.2.9, SMI_CMD).

import { writeHeader, setChecksum, writeGas, storeAscii, SPACE_SYSTEM_IO, ACCESS_BYTE, ACCESS_WORD, ACCESS_DWORD } from "./sdt";
import {
  PM1A_EVT_PORT, PM1_EVT_LEN, PM1A_CNT_PORT, PM1_CNT_LEN, PM_TMR_PORT, PM_TMR_LEN, SCI_IRQ,
  RESET_PORT, RESET_VALUE,
} from "./layout";

export const FADT_SIZE: u32 = 276;
export const FACS_SIZE: u32 = 64;

// The PM timer is described only once a device model answers at PM_TMR_PORT: Linux calibrates
// the TSC against it, and a timer that never moves would divide by zero there.
const PM_TIMER_PRESENT: bool = false;

// Fixed feature flags (Table 5.10).
const WBINVD: u32 = 1 << 0;
const PROC_C1: u32 = 1 << 2;
const PWR_BUTTON: u32 = 1 << 4;               // 1: no fixed-hardware power button
const SLP_BUTTON: u32 = 1 << 5;               // 1: no fixed-hardware sleep button
const FIX_RTC: u32 = 1 << 6;                  // 1: no RTC wake status in the fixed registers
const RESET_REG_SUP: u32 = 1 << 10;
// IA-PC boot architecture flags (Table 5.11): legacy ISA devices, an 8042, no VGA.
const LEGACY_DEVICES: u16 = 1 << 0;
const HAS_8042: u16 = 1 << 1;
const VGA_NOT_PRESENT: u16 = 1 << 2;

export function writeFadt(t: usize, facs: u64, dsdt: u64): u32 {
  store<u32>(t + 36, <u32>facs);              // FIRMWARE_CTRL (X_FIRMWARE_CTRL stays 0: only one may be set)
  store<u32>(t + 40, <u32>dsdt);              // DSDT
  store<u8>(t + 45, 0);                       // Preferred_PM_Profile: unspecified
  store<u16>(t + 46, SCI_IRQ);                // SCI_INT
  store<u32>(t + 48, 0);                      // SMI_CMD: none (always in ACPI mode)
  store<u32>(t + 56, PM1A_EVT_PORT);          // PM1a_EVT_BLK
  store<u32>(t + 64, PM1A_CNT_PORT);          // PM1a_CNT_BLK
  store<u32>(t + 76, PM_TIMER_PRESENT ? PM_TMR_PORT : 0);  // PM_TMR_BLK
  store<u8>(t + 88, PM1_EVT_LEN);             // PM1_EVT_LEN
  store<u8>(t + 89, PM1_CNT_LEN);             // PM1_CNT_LEN
  store<u8>(t + 91, PM_TIMER_PRESENT ? PM_TMR_LEN : 0);    // PM_TMR_LEN
  store<u16>(t + 96, 101);                    // P_LVL2_LAT > 100: C2 not supported
  store<u16>(t + 98, 1001);                   // P_LVL3_LAT > 1000: C3 not supported
  store<u16>(t + 109, LEGACY_DEVICES | HAS_8042 | VGA_NOT_PRESENT);  // IAPC_BOOT_ARCH
  store<u32>(t + 112, WBINVD | PROC_C1 | PWR_BUTTON | SLP_BUTTON | FIX_RTC | RESET_REG_SUP);
  writeGas(t + 116, SPACE_SYSTEM_IO, 8, ACCESS_BYTE, RESET_PORT);  // RESET_REG
  store<u8>(t + 128, RESET_VALUE);            // RESET_VALUE
  store<u8>(t + 131, 5);                      // FADT Minor Version (6.5)
  store<u64>(t + 140, dsdt);                  // X_DSDT
  writeGas(t + 148, SPACE_SYSTEM_IO, PM1_EVT_LEN * 8, ACCESS_WORD, PM1A_EVT_PORT);  // X_PM1a_EVT_BLK
  writeGas(t + 172, SPACE_SYSTEM_IO, PM1_CNT_LEN * 8, ACCESS_WORD, PM1A_CNT_PORT);  // X_PM1a_CNT_BLK
  if (PM_TIMER_PRESENT) writeGas(t + 208, SPACE_SYSTEM_IO, PM_TMR_LEN * 8, ACCESS_DWORD, PM_TMR_PORT);
  storeAscii(t + 268, "WISP    ");            // Hypervisor Vendor Identity
  writeHeader(t, "FACP", FADT_SIZE, 6);
  setChecksum(t);
  return FADT_SIZE;
}

/** The FACS has no checksum; its global lock and waking vector stay 0 (no S3, no firmware lock). */
export function writeFacs(p: usize): u32 {
  storeAscii(p, "FACS");
  store<u32>(p + 4, FACS_SIZE);
  store<u8>(p + 32, 2);                       // Version
  return FACS_SIZE;
}
