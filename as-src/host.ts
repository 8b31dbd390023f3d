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
