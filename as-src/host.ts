// Functions the shim (or the Node test harness) provides to the core: module "env".
// Pointers are offsets into this instance's linear memory; the host bounds-checks them.

/** Bytes to the host console. */
@external("env", "consoleWrite")
export declare function consoleWrite(ptr: usize, len: u32): void;

/** Copies guest-physical memory into linear memory: 1 ok, 0 outside the VM's memory. */
@external("env", "guestRead")
export declare function guestRead(gpa: u64, ptr: usize, len: u32): u32;

/** Copies linear memory into guest-physical memory: 1 ok, 0 outside the VM's memory. */
@external("env", "guestWrite")
export declare function guestWrite(gpa: u64, ptr: usize, len: u32): u32;

/** The host CPU's CPUID: four u32 (eax, ebx, ecx, edx) stored at out. */
@external("env", "hostCpuid")
export declare function hostCpuid(leaf: u32, subleaf: u32, out: usize): void;

/** The host's time-stamp counter. */
@external("env", "hostTsc")
export declare function hostTsc(): u64;
