// MMIO bus: which device model owns a guest-physical range, and dispatch of the emulated accesses
// to it. A switch over a small device enum (the core has no function table); each device has one
// range, movable with mmioMap (for example when the guest relocates its local APIC).

import { LOCAL_APIC_BASE, localApicRead, localApicWrite } from "../devices/local-apic";
import { IOAPIC_BASE, ioApicRead, ioApicWrite } from "../devices/ioapic";
import { hostApicMmioRead, hostApicMmioWrite } from "../devices/host-apic";
import { passthrough, hostApicPage } from "../vm/passthrough";
import { messageStart, messageString, messageHex, messageEnd } from "../vm/console";

export const MMIO_NONE: u32 = 0;
export const MMIO_LOCAL_APIC: u32 = 1;
export const MMIO_IOAPIC: u32 = 2;
const MMIO_DEVICES: u32 = 3;
// Blue-pill only (passthrough.ts): the machine's local APIC, and wisp's own memory, which is all the
// nested page table leaves unmapped.
export const MMIO_HOST_APIC: u32 = 3;
export const MMIO_PROTECTED: u32 = 4;
const PROTECTED_REPORTS: u32 = 8;                   // messages about dropped writes, then silence
let protectedWrites: u32 = 0;

// Per device id: base, size (size 0: not mapped). Slot 0 is MMIO_NONE. The devices' reset places.
const ranges: usize = memory.data<u64>([0, 0, LOCAL_APIC_BASE, 0x1000, IOAPIC_BASE, 0x1000]);

/** Places device `device` at [base, base + size); size 0 removes it. */
export function mmioMap(device: u32, base: u64, size: u64): void {
  if (device == MMIO_NONE || device >= MMIO_DEVICES) return;
  store<u64>(ranges + (<usize>device << 4), base);
  store<u64>(ranges + (<usize>device << 4) + 8, size);
}

/** The device whose range holds gpa, or MMIO_NONE. */
export function mmioDeviceAt(gpa: u64): u32 {
  if (passthrough()) return gpa - hostApicPage() < 0x1000 ? MMIO_HOST_APIC : MMIO_PROTECTED;
  for (let d: u32 = 1; d < MMIO_DEVICES; d++) {
    const base = load<u64>(ranges + (<usize>d << 4));
    if (gpa - base < load<u64>(ranges + (<usize>d << 4) + 8)) return d;
  }
  return MMIO_NONE;
}

function offsetIn(device: u32, gpa: u64): u32 {
  return <u32>(gpa - load<u64>(ranges + (<usize>device << 4)));
}

/** A read of size (1, 2, 4 or 8) bytes at gpa; all ones where no device answers. */
export function mmioRead(gpa: u64, size: u32): u64 {
  const device = mmioDeviceAt(gpa);
  switch (device) {
    case MMIO_LOCAL_APIC: return localApicRead(offsetIn(device, gpa), size);
    case MMIO_IOAPIC: return ioApicRead(offsetIn(device, gpa), size);
    case MMIO_HOST_APIC: return hostApicMmioRead(<u32>(gpa - hostApicPage()), size);
    default: return 0xffffffffffffffff;             // MMIO_PROTECTED too: wisp's memory reads as all ones
  }
}

/** A write of the low size bytes of value at gpa; ignored where no device answers. */
export function mmioWrite(gpa: u64, size: u32, value: u64): void {
  const device = mmioDeviceAt(gpa);
  switch (device) {
    case MMIO_LOCAL_APIC: localApicWrite(offsetIn(device, gpa), size, value); break;
    case MMIO_IOAPIC: ioApicWrite(offsetIn(device, gpa), size, value); break;
    case MMIO_HOST_APIC: hostApicMmioWrite(<u32>(gpa - hostApicPage()), size, value); break;
    case MMIO_PROTECTED: protectedWrite(gpa); break;
    default: break;
  }
}

/** A blue-pill guest wrote to wisp's memory: dropped, and said (the first few times). */
function protectedWrite(gpa: u64): void {
  if (protectedWrites++ >= PROTECTED_REPORTS) return;
  messageStart();
  messageString("write to wisp's protected memory at ");
  messageHex(gpa);
  messageString(" dropped");
  messageEnd();
}
