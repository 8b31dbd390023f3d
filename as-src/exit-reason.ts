// Reasons of the neutral exit record (docs/architecture.md, "Neutral exit record").

export const EXIT_CPUID: u32 = 1;
export const EXIT_IO: u32 = 2;
export const EXIT_MSR_READ: u32 = 3;
export const EXIT_MSR_WRITE: u32 = 4;
export const EXIT_HLT: u32 = 5;
export const EXIT_HYPERCALL: u32 = 6;
export const EXIT_MEMORY_FAULT: u32 = 7;
export const EXIT_SHUTDOWN: u32 = 8;
export const EXIT_EXCEPTION: u32 = 9;
export const EXIT_INTERRUPT: u32 = 10;
export const EXIT_ENTRY_FAILED: u32 = 11;
export const EXIT_UNSUPPORTED: u32 = 12;
export const EXIT_INTERRUPT_WINDOW: u32 = 13;
export const EXIT_WBINVD: u32 = 14;
export const EXIT_NMI_WINDOW: u32 = 15;
/** Number of exit-reason slots in the statistics table; slot 0 counts reasons outside 1..15. */
export const EXIT_REASON_SLOTS: u32 = 16;
/** The statistics slot after the reasons: MSR accesses refused with #GP (msr.ts). */
export const STAT_MSR_REFUSED: u32 = EXIT_REASON_SLOTS;
export const STATS_SLOTS: u32 = EXIT_REASON_SLOTS + 1;
