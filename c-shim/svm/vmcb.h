// VMCB field offsets: APM vol. 2 (rev. 3.42), Appendix B, Table B-1 (control area) and
// Table B-2 (state save area, at 0x400).
#pragma once
#include <stdint.h>

#define VMCB_INTERCEPT_CR 0x000                 // u32: CR reads 15:0, writes 31:16
#define VMCB_INTERCEPT_EXCEPTIONS 0x008         // u32: one bit per vector
#define VMCB_INTERCEPT_MISC1 0x00C              // u32
#define VMCB_INTERCEPT_MISC2 0x010              // u32
#define VMCB_IOPM_BASE 0x040                    // u64
#define VMCB_MSRPM_BASE 0x048                   // u64
#define VMCB_TSC_OFFSET 0x050                   // u64: added to the TSC the guest reads (APM vol. 2, 15.30.5)
#define VMCB_ASID 0x058                         // u32
#define VMCB_TLB_CONTROL 0x05C                  // u8
#define VMCB_VINTR 0x060                        // u64: V_TPR, V_IRQ, ..., V_INTR_MASKING bit 24
#define VMCB_INTERRUPT_SHADOW 0x068             // u64: bit 0 the guest is in an interrupt shadow
#define VMCB_EXITCODE 0x070                     // u64
#define VMCB_EXITINFO1 0x078                    // u64
#define VMCB_EXITINFO2 0x080                    // u64
#define VMCB_EXITINTINFO 0x088                  // u64
#define VMCB_NP_ENABLE 0x090                    // u64: bit 0
#define VMCB_EVENTINJ 0x0A8                     // u64
#define VMCB_N_CR3 0x0B0                        // u64
#define VMCB_CLEAN 0x0C0                        // u32: clean bits (we keep 0: all dirty)
#define VMCB_NRIP 0x0C8                         // u64: next sequential RIP (NRIP save)

#define VMCB_ES 0x400                           // segments: u16 selector, u16 attrib, u32 limit, u64 base
#define VMCB_CS 0x410
#define VMCB_SS 0x420
#define VMCB_DS 0x430
#define VMCB_FS 0x440
#define VMCB_GS 0x450
#define VMCB_GDTR 0x460
#define VMCB_LDTR 0x470
#define VMCB_IDTR 0x480
#define VMCB_TR 0x490
#define VMCB_CPL 0x4CB                          // u8
#define VMCB_EFER 0x4D0
#define VMCB_CR4 0x548
#define VMCB_CR3 0x550
#define VMCB_CR0 0x558
#define VMCB_DR7 0x560
#define VMCB_DR6 0x568
#define VMCB_RFLAGS 0x570
#define VMCB_RIP 0x578
#define VMCB_RSP 0x5D8
#define VMCB_RAX 0x5F8
#define VMCB_CR2 0x640
#define VMCB_G_PAT 0x668

#define SEG_SELECTOR 0                          // offsets inside a segment field
#define SEG_ATTRIB 2
#define SEG_LIMIT 4
#define SEG_BASE 8
#define SEG_ATTRIB_L (1u << 9)                  // attrib 11:8 = descriptor bits 55:52 (AVL, L, D/B, G)
#define SEG_ATTRIB_DB (1u << 10)

// Intercept bits: APM vol. 2, Appendix B, Table B-1
#define MISC1_INTR (1u << 0)
#define MISC1_NMI (1u << 1)
#define MISC1_VINTR (1u << 4)
#define MISC1_IRET (1u << 20)
#define MISC1_CPUID (1u << 18)
#define MISC1_INVD (1u << 22)
#define MISC1_HLT (1u << 24)
#define MISC1_INVLPGA (1u << 26)
#define MISC1_IOIO_PROT (1u << 27)
#define MISC1_MSR_PROT (1u << 28)
#define MISC1_SHUTDOWN (1u << 31)
#define MISC2_VMRUN (1u << 0)
#define MISC2_VMMCALL (1u << 1)
#define MISC2_VMLOAD (1u << 2)
#define MISC2_VMSAVE (1u << 3)
#define MISC2_STGI (1u << 4)
#define MISC2_CLGI (1u << 5)
#define MISC2_SKINIT (1u << 6)
#define MISC2_WBINVD (1u << 9)

#define VINTR_MASKING (1ull << 24)              // APM vol. 2, 15.21.1 V_INTR_MASKING
#define VINTR_V_IRQ (1ull << 8)                 // APM vol. 2, 15.21.4: a virtual interrupt is pending
#define VINTR_PRIO_MAX (0xFull << 16)           // V_INTR_PRIO 19:16
#define VINTR_IGN_TPR (1ull << 20)              // V_IGN_TPR: the pending virtual interrupt ignores V_TPR
#define INTERRUPT_SHADOW_ACTIVE (1ull << 0)     // APM vol. 2, Appendix B, Table B-1 offset 0x68
#define NP_ENABLE (1ull << 0)                   // APM vol. 2, 15.25.3
#define TLB_FLUSH_ALL 1                         // APM vol. 2, 15.16.1 TLB_CONTROL = 1
#define EVENT_VALID (1ull << 31)                // APM vol. 2, 15.20 EVENTINJ.V (same layout as EXITINTINFO, 15.7.2)
                                                // EVENTINJ.TYPE (bits 10:8) is the area's INJECT_KIND_* (abi.h)
#define DB_VECTOR 1                             // #DB (APM vol. 2, 8.2.2)
#define DR6_BS (1ull << 14)                     // APM vol. 2, 13.1.1.3: single-step
#define RFLAGS_TF (1ull << 8)                   // APM vol. 2, 3.1.6

// Exit codes: APM vol. 2, Appendix C, Table C-1
#define VMEXIT_EXCP_BASE 0x40
#define VMEXIT_INTR 0x60
#define VMEXIT_NMI 0x61
#define VMEXIT_VINTR 0x64
#define VMEXIT_IRET 0x74
#define VMEXIT_CPUID 0x72
#define VMEXIT_INVD 0x76
#define VMEXIT_HLT 0x78
#define VMEXIT_IOIO 0x7B
#define VMEXIT_MSR 0x7C
#define VMEXIT_SHUTDOWN 0x7F
#define VMEXIT_VMRUN 0x80
#define VMEXIT_VMMCALL 0x81
#define VMEXIT_VMLOAD 0x82
#define VMEXIT_VMSAVE 0x83
#define VMEXIT_STGI 0x84
#define VMEXIT_CLGI 0x85
#define VMEXIT_SKINIT 0x86
#define VMEXIT_INVLPGA 0x7A
#define VMEXIT_WBINVD 0x89
#define VMEXIT_NPF 0x400
#define VMEXIT_INVALID 0xFFFFFFFFFFFFFFFFull    // -1: VMRUN found invalid guest state
#define VMEXIT_INVALID_32 0xFFFFFFFFull         // the same as QEMU 7.2 stores it (a 32-bit -1)

#define GUEST_ASID 1                            // non-zero (APM vol. 2, 15.16); every guest uses it
#define MSR_VM_CR 0xC0010114u                   // APM vol. 2, 15.30.1 VM_CR
#define VM_CR_SVMDIS (1ull << 4)
#define MSR_VM_HSAVE_PA 0xC0010117u             // APM vol. 2, 15.30.4 VM_HSAVE_PA

static inline uint64_t vmcb_get64(const uint8_t *vmcb, uint32_t off) { return *(const volatile uint64_t *)(vmcb + off); }
static inline void vmcb_set64(uint8_t *vmcb, uint32_t off, uint64_t v) { *(volatile uint64_t *)(vmcb + off) = v; }
static inline void vmcb_set32(uint8_t *vmcb, uint32_t off, uint32_t v) { *(volatile uint32_t *)(vmcb + off) = v; }
static inline void vmcb_set_segment(uint8_t *vmcb, uint32_t seg, uint16_t sel, uint16_t attrib,
                                    uint32_t limit, uint64_t base) {
    *(volatile uint16_t *)(vmcb + seg + SEG_SELECTOR) = sel;
    *(volatile uint16_t *)(vmcb + seg + SEG_ATTRIB) = attrib;
    *(volatile uint32_t *)(vmcb + seg + SEG_LIMIT) = limit;
    *(volatile uint64_t *)(vmcb + seg + SEG_BASE) = base;
}
