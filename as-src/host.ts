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

/** The host's wall-clock time: seconds since 1970-01-01 00:00:00 UTC (the CMOS RTC's source). */
@external("env", "hostUnixTime")
export declare function hostUnixTime(): u64;

// Boot images (as-src/README.md, "Loaders"): files the shim has opened for this VM, by image id
// (0 kernel or flat image, 1 initrd, 2.. Multiboot modules). They are far larger than this
// instance's memory, so the core reads headers piecewise and has the shim copy the bulk.

/** Size in bytes of image `image`; 0xffffffffffffffff when the VM has no such image. */
@external("env", "imageSize")
export declare function imageSize(image: u32): u64;

/** Copies len bytes at offset of the image into linear memory: 1 ok, 0 (nothing copied) if the
 * range is not entirely inside the file. */
@external("env", "imageRead")
export declare function imageRead(image: u32, offset: u64, ptr: usize, len: u32): u32;

/** Copies len bytes at offset of the image straight into guest-physical memory at gpa: 1 ok, 0
 * (nothing copied) if the file range or the guest range is out of bounds. */
@external("env", "imageLoad")
export declare function imageLoad(image: u32, offset: u64, len: u64, gpa: u64): u32;

// Blue-pill only (passthrough.ts): the real local APIC of the CPU that exited, INIT/STARTUP
// delivery, and the probe of wisp's protected memory.

/** Reads size (4) bytes of the real local APIC register at offset (0..0xfff). */
@external("env", "hostApicRead")
export declare function hostApicRead(offset: u32, size: u32): u64;

/** Writes the low size bytes of value to the real local APIC register at offset (0..0xfff). */
@external("env", "hostApicWrite")
export declare function hostApicWrite(offset: u32, size: u32, value: u64): void;

/** An INIT (kind 0) or STARTUP (kind 1, vector) IPI for the virtual CPUs: flags bits 0-1 the ICR's
 * destination shorthand, bit 2 logical destination mode; destination the ICR's destination field. */
@external("env", "hostStartupIpi")
export declare function hostStartupIpi(kind: u32, flags: u32, destination: u32, vector: u32): void;

/** Stores at out the guest-physical address of an 8-byte canary inside wisp's protected memory and
 * its current value (two u64); returns 1, or 0 when there is none (not a blue-pill instance). */
@external("env", "hostCanary")
export declare function hostCanary(out: usize): u32;

/** IA32_APIC_BASE of the CPU that exited: sets its enable bit (11) as in value; the base, the BSP
 * bit and x2APIC mode stay as they are (the core has checked value against them). */
@external("env", "hostApicEnable")
export declare function hostApicEnable(value: u64): void;
