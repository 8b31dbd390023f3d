// PCI configuration mechanism #1 (PCI Local Bus Specification 3.0, 3.2.2.3.2 "Software Generation
// of Configuration Transactions"): CONFIG_ADDRESS at 0xCF8 (32-bit accesses only), CONFIG_DATA at
// 0xCFC-0xCFF. Bus 0 holds one function, the host bridge at 00:00.0, an Intel 82441FX (440FX PMC,
// 8086:1237 rev 02, like QEMU's `pc` machine): no BARs, nothing for an OS to set up, and no
// PCI Express MMCONFIG that a q35 bridge (8086:29C0) would imply. Every other function reads as
// all ones (no device). Byte port 0xCF9 is the reset control register (Intel PIIX4 datasheet
// 4.1.17 "RC - Reset Control Register"): RST_CPU (bit 2) rising ends the VM with RESET; the
// FADT's RESET_REG can point there (I/O 0xCF9, value 0x06).

import { endVm, RESULT_RESET } from "../vm/result";

export const PCI_CONFIG_ADDRESS: u32 = 0xcf8;
export const PCI_CONFIG_DATA: u32 = 0xcfc;
export const RESET_CONTROL: u32 = 0xcf9;

const ENABLE: u32 = 0x80000000;
const HOST_BRIDGE_VENDOR_DEVICE: u32 = 0x12378086;
const COMMAND_WRITABLE: u32 = 0x0146;               // memory space, bus master, parity, SERR enables

// The host bridge's 256-byte configuration header (PCI 3.0, 6.1 "Configuration Space
// Organization"); the 82441FX device-specific registers 0x40-0xFF are plain storage here.
const config: usize = memory.data(256, 4);
let configReady: bool = false;
let address: u32 = 0;
let resetControl: u8 = 0;

function initConfig(): void {
  configReady = true;
  store<u32>(config + 0x00, HOST_BRIDGE_VENDOR_DEVICE);
  store<u32>(config + 0x04, 0x02800006);            // status: fast back-to-back, medium DEVSEL; command: memory, master
  store<u32>(config + 0x08, 0x06000002);            // class 06 (bridge) 00 (host), revision 02
  store<u32>(config + 0x0c, 0x00000000);            // header type 0, single function
  store<u32>(config + 0x2c, 0x11001af4);            // subsystem 1af4:1100 (QEMU's)
}

/** Does CONFIG_ADDRESS select the host bridge? (bus 0, device 0, function 0, enabled) */
function selectsHostBridge(): bool {
  return (address & 0x80ffff00) == ENABLE;
}

function readConfig(offset: u32, size: u32): u32 {
  if (!selectsHostBridge()) return 0xffffffff;
  if (!configReady) initConfig();
  const reg = (address & 0xfc) + offset;
  if (size == 1) return load<u8>(config + reg);
  if (size == 2) return load<u16>(config + reg);
  return load<u32>(config + reg);
}

function writeConfig(offset: u32, size: u32, v: u32): void {
  if (!selectsHostBridge()) return;
  if (!configReady) initConfig();
  const reg = (address & 0xfc) + offset;
  for (let i: u32 = 0; i < size; i++) {
    const r = reg + i;
    const b = <u8>(v >> (i << 3));
    if (r == 0x04 || r == 0x05) {                   // command register: only its enable bits
      const m = <u8>(COMMAND_WRITABLE >> ((r - 4) << 3));
      store<u8>(config + r, (load<u8>(config + r) & ~m) | (b & m));
    } else if (r == 0x0d || r >= 0x40) {            // latency timer, device-specific registers
      store<u8>(config + r, b);
    }
  }
}

/** IN of `size` bytes at a port in 0xCF8-0xCFF. */
export function pciIn(port: u32, size: u32): u32 {
  if (port == PCI_CONFIG_ADDRESS && size == 4) return address;
  if (port == RESET_CONTROL && size == 1) return resetControl;
  if (port >= PCI_CONFIG_DATA) {
    const offset = port - PCI_CONFIG_DATA;
    if (offset + size <= 4) return readConfig(offset, size);
  }
  return 0xffffffff;
}

/** OUT to 0xCF8-0xCFF. Returns 1 if the VM ended (a reset through 0xCF9). */
export function pciOut(port: u32, size: u32, v: u32): u32 {
  if (port == PCI_CONFIG_ADDRESS && size == 4) {
    address = v & 0x80fffffc;
  } else if (port == RESET_CONTROL && size == 1) {
    const old = resetControl;
    resetControl = <u8>v & 0x0a;                    // SYS_RST (1) and FULL_RST (3) are kept
    if ((v & 0x04) != 0 && (old & 0x04) == 0) return endVm(RESULT_RESET, 0);
  } else if (port >= PCI_CONFIG_DATA) {
    const offset = port - PCI_CONFIG_DATA;
    if (offset + size <= 4) writeConfig(offset, size, v);
  }
  return 0;
}

export function isPciPort(port: u32): bool {
  return port - PCI_CONFIG_ADDRESS < 8;
}
