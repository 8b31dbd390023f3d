// The machine's own local APIC, for a blue-pill guest (passthrough.ts). Reads never exit (the page
// is mapped read-only); a write exits and is done here on the real APIC through the shim, except
// INIT and STARTUP IPIs: a CPU that received a real INIT would leave the hypervisor, so the shim
// delivers them to the target's virtual CPU instead (hostStartupIpi).
import { hostApicRead, hostApicWrite, hostStartupIpi } from "../host";

// Register offsets and ICR fields: SDM vol. 3A, 11.6.1 Figure 11-12 (Interrupt Command Register)
const ICR_LOW: u32 = 0x300;
const ICR_HIGH: u32 = 0x310;
const DELIVERY_INIT: u32 = 5;
const DELIVERY_STARTUP: u32 = 6;

export const STARTUP_INIT: u32 = 0;                 // hostStartupIpi kinds
export const STARTUP_SIPI: u32 = 1;

let icrHigh: u32 = 0;                               // the destination of the next IPI

export function hostApicMmioRead(offset: u32, size: u32): u64 {
  return hostApicRead(offset, size);
}

export function hostApicMmioWrite(offset: u32, size: u32, value: u64): void {
  if (offset == ICR_HIGH) icrHigh = <u32>value;
  if (offset == ICR_LOW && size == 4) {
    const low = <u32>value;
    const delivery = (low >> 8) & 7;
    const shorthand = (low >> 18) & 3;              // 0 destination field, 1 self, 2 all, 3 all but self
    const logical = (low >> 11) & 1;
    if (delivery == DELIVERY_INIT) {
      // INIT level de-assert (level 0, trigger level) only resynchronises arbitration IDs on old
      // processors (SDM vol. 3A, 11.6.1): nothing to deliver.
      const deassert = ((low >> 14) & 1) == 0 && ((low >> 15) & 1) == 1;
      if (!deassert) hostStartupIpi(STARTUP_INIT, shorthand | (logical << 2), icrHigh >> 24, 0);
      return;
    }
    if (delivery == DELIVERY_STARTUP) {
      hostStartupIpi(STARTUP_SIPI, shorthand | (logical << 2), icrHigh >> 24, low & 0xff);
      return;
    }
  }
  hostApicWrite(offset, size, value);
}
