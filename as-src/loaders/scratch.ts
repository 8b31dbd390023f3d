// One page of linear memory for building guest structures (boot_params, page tables, the
// Multiboot information, ACPI tables) before they are copied into the guest with guestWrite.
// Loaders run one at a time before the VM's first entry; nothing keeps data here across calls.

import { guestWrite } from "../host";

export const SCRATCH_SIZE: u32 = 4096;
export const scratch: usize = memory.data(<i32>SCRATCH_SIZE, 16);

/** Clears the first n bytes of the scratch page. */
export function clearScratch(n: u32): void {
  memory.fill(scratch, 0, n);
}

/** Copies n bytes of the scratch page (from offset `from`) to guest-physical gpa. */
export function scratchToGuest(from: u32, gpa: u64, n: u32): bool {
  return guestWrite(gpa, scratch + from, n) == 1;
}

/** Zeroes guest-physical [gpa, gpa + n) (a segment's .bss), a page at a time. */
export function zeroGuest(gpa: u64, n: u64): bool {
  clearScratch(SCRATCH_SIZE);
  while (n > 0) {
    const chunk = n < <u64>SCRATCH_SIZE ? <u32>n : SCRATCH_SIZE;
    if (guestWrite(gpa, scratch, chunk) != 1) return false;
    gpa += chunk;
    n -= chunk;
  }
  return true;
}
