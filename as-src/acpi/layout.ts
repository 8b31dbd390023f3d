// The platform wisp describes to its guests: where the ACPI tables go, the interrupt controllers'
// MMIO windows, and the fixed-hardware ports of the FADT. The device models must match these.

// Tables: a 16-byte-aligned block in the BIOS read-only area, where an OS without a pointer from
// its loader finds the RSDP by scanning 0xE0000-0xFFFFF (ACPI 6.5, 5.2.5.1).
export const ACPI_BASE: u64 = 0xe0000;
export const ACPI_SIZE: u32 = 0x400;

// Offsets of each table in the block (64-byte aligned: the FACS must be, ACPI 6.5, 5.2.10).
export const RSDP_OFFSET: u32 = 0x000;        // 36 bytes
export const FACS_OFFSET: u32 = 0x040;        // 64 bytes
export const RSDT_OFFSET: u32 = 0x080;        // 36 + 4 * 2
export const XSDT_OFFSET: u32 = 0x0c0;        // 36 + 8 * 2
export const FADT_OFFSET: u32 = 0x100;        // 276
export const MADT_OFFSET: u32 = 0x240;        // 44 + entries
export const DSDT_OFFSET: u32 = 0x2c0;        // 36 + AML

// Interrupt controllers (the xAPIC and IOAPIC default bases; Intel SDM vol. 3, 11.4.1; 82093AA).
export const LAPIC_BASE: u64 = 0xfee00000;
export const IOAPIC_BASE: u64 = 0xfec00000;
export const APIC_WINDOW: u64 = 0x1000;
export const IOAPIC_ID: u8 = 0;
export const CPU_APIC_ID: u8 = 0;

// ACPI fixed hardware, in I/O space (ACPI 6.5, 4.8.3). Poweroff: a 16-bit write to PM1A_CNT with
// SLP_EN (bit 13) set and SLP_TYP (bits 12:10) == S5_SLP_TYP; Linux writes 0x3400 | SCI_EN.
export const PM1A_EVT_PORT: u16 = 0x600;      // PM1a status (0x600) and enable (0x602), 16 bits each
export const PM1_EVT_LEN: u8 = 4;
export const PM1A_CNT_PORT: u16 = 0x604;      // PM1a control, 16 bits
export const PM1_CNT_LEN: u8 = 2;
export const PM_TMR_PORT: u16 = 0x608;        // 24-bit 3.579545 MHz counter, read as 32 bits
export const PM_TMR_LEN: u8 = 4;
export const SCI_IRQ: u8 = 9;                 // ISA IRQ 9, level-triggered, active high (MADT override)
export const S5_SLP_TYP: u8 = 5;              // the \_S5 package's SLP_TYPa (dsdt.ts)
export const SLP_EN: u16 = 1 << 13;
export const SCI_EN: u16 = 1;                 // PM1_CNT bit 0: reads as 1 (always in ACPI mode: SMI_CMD is 0)

// Reset: the FADT's RESET_REG is the i8042's command port; writing 0xFE pulses the reset line.
export const RESET_PORT: u16 = 0x64;
export const RESET_VALUE: u8 = 0xfe;
