// VMCS field encodings, control bits and exit reasons. Section numbers: Intel SDM vol. 3C
// (order no. 326019, 2023 editions: chapter 25 VMCS, 27 VM entries, 28 VM exits, 29 EPT,
// 31 VMX instructions; Appendix A capability MSRs, B field encodings, C exit reasons).
#pragma once
#include <stdint.h>

// Field encodings (Appendix B)
#define VMCS_VPID 0x0000                        // B.1.1 16-bit control
#define VMCS_GUEST_ES 0x0800                    // B.1.2 16-bit guest selectors: ES, CS, SS, DS, FS, GS, LDTR, TR
#define VMCS_GUEST_CS 0x0802
#define VMCS_GUEST_SS 0x0804
#define VMCS_GUEST_DS 0x0806
#define VMCS_GUEST_FS 0x0808
#define VMCS_GUEST_GS 0x080A
#define VMCS_GUEST_LDTR 0x080C
#define VMCS_GUEST_TR 0x080E
#define VMCS_HOST_ES 0x0C00                     // B.1.3 16-bit host selectors
#define VMCS_HOST_CS 0x0C02
#define VMCS_HOST_SS 0x0C04
#define VMCS_HOST_DS 0x0C06
#define VMCS_HOST_FS 0x0C08
#define VMCS_HOST_GS 0x0C0A
#define VMCS_HOST_TR 0x0C0C
#define VMCS_IO_BITMAP_A 0x2000                 // B.2.1 64-bit control
#define VMCS_IO_BITMAP_B 0x2002
#define VMCS_MSR_BITMAP 0x2004
#define VMCS_EXIT_MSR_STORE 0x2006
#define VMCS_EXIT_MSR_LOAD 0x2008
#define VMCS_ENTRY_MSR_LOAD 0x200A
#define VMCS_TSC_OFFSET 0x2010                  // B.2.1: added to the TSC the guest reads (25.3)
#define VMCS_EPTP 0x201A
#define VMCS_GUEST_PHYSICAL 0x2400              // B.2.2 64-bit read-only
#define VMCS_LINK_POINTER 0x2800                // B.2.3 64-bit guest
#define VMCS_GUEST_DEBUGCTL 0x2802
#define VMCS_GUEST_PAT 0x2804
#define VMCS_GUEST_EFER 0x2806
#define VMCS_HOST_PAT 0x2C00                    // B.2.4 64-bit host
#define VMCS_HOST_EFER 0x2C02
#define VMCS_PIN_CONTROLS 0x4000                // B.3.1 32-bit control
#define VMCS_PROC_CONTROLS 0x4002
#define VMCS_EXCEPTION_BITMAP 0x4004
#define VMCS_PF_ERROR_MASK 0x4006
#define VMCS_PF_ERROR_MATCH 0x4008
#define VMCS_CR3_TARGET_COUNT 0x400A
#define VMCS_EXIT_CONTROLS 0x400C
#define VMCS_EXIT_MSR_STORE_COUNT 0x400E
#define VMCS_EXIT_MSR_LOAD_COUNT 0x4010
#define VMCS_ENTRY_CONTROLS 0x4012
#define VMCS_ENTRY_MSR_LOAD_COUNT 0x4014
#define VMCS_ENTRY_INTERRUPTION 0x4016
#define VMCS_ENTRY_ERROR_CODE 0x4018
#define VMCS_ENTRY_INSTRUCTION_LENGTH 0x401A
#define VMCS_PROC_CONTROLS2 0x401E
#define VMCS_INSTRUCTION_ERROR 0x4400           // B.3.2 32-bit read-only
#define VMCS_EXIT_REASON 0x4402
#define VMCS_EXIT_INTERRUPTION 0x4404
#define VMCS_EXIT_INTERRUPTION_ERROR 0x4406
#define VMCS_IDT_VECTORING 0x4408
#define VMCS_IDT_VECTORING_ERROR 0x440A
#define VMCS_EXIT_INSTRUCTION_LENGTH 0x440C
#define VMCS_GUEST_ES_LIMIT 0x4800              // B.3.3 32-bit guest: limits, then access rights
#define VMCS_GUEST_GDTR_LIMIT 0x4810
#define VMCS_GUEST_IDTR_LIMIT 0x4812
#define VMCS_GUEST_ES_ACCESS 0x4814
#define VMCS_GUEST_CS_ACCESS 0x4816
#define VMCS_GUEST_SS_ACCESS 0x4818
#define VMCS_GUEST_INTERRUPTIBILITY 0x4824
#define VMCS_GUEST_ACTIVITY 0x4826
#define VMCS_GUEST_SYSENTER_CS 0x482A
#define VMCS_HOST_SYSENTER_CS 0x4C00            // B.3.4 32-bit host
#define VMCS_CR0_MASK 0x6000                    // B.4.1 natural-width control
#define VMCS_CR4_MASK 0x6002
#define VMCS_CR0_SHADOW 0x6004
#define VMCS_CR4_SHADOW 0x6006
#define VMCS_EXIT_QUALIFICATION 0x6400          // B.4.2 natural-width read-only
#define VMCS_GUEST_CR0 0x6800                   // B.4.3 natural-width guest
#define VMCS_GUEST_CR3 0x6802
#define VMCS_GUEST_CR4 0x6804
#define VMCS_GUEST_ES_BASE 0x6806               // ES, CS, SS, DS, FS, GS, LDTR, TR bases: 2 apart
#define VMCS_GUEST_CS_BASE 0x6808
#define VMCS_GUEST_GDTR_BASE 0x6816
#define VMCS_GUEST_IDTR_BASE 0x6818
#define VMCS_GUEST_DR7 0x681A
#define VMCS_GUEST_RSP 0x681C
#define VMCS_GUEST_RIP 0x681E
#define VMCS_GUEST_RFLAGS 0x6820
#define VMCS_GUEST_PENDING_DEBUG 0x6822
#define VMCS_GUEST_SYSENTER_ESP 0x6824
#define VMCS_GUEST_SYSENTER_EIP 0x6826
#define VMCS_HOST_CR0 0x6C00                    // B.4.4 natural-width host
#define VMCS_HOST_CR3 0x6C02
#define VMCS_HOST_CR4 0x6C04
#define VMCS_HOST_FS_BASE 0x6C06
#define VMCS_HOST_GS_BASE 0x6C08
#define VMCS_HOST_TR_BASE 0x6C0A
#define VMCS_HOST_GDTR_BASE 0x6C0C
#define VMCS_HOST_IDTR_BASE 0x6C0E
#define VMCS_HOST_SYSENTER_ESP 0x6C10
#define VMCS_HOST_SYSENTER_EIP 0x6C12
#define VMCS_HOST_RSP 0x6C14
#define VMCS_HOST_RIP 0x6C16

// Pin-based controls (25.6.1)
#define PIN_EXTERNAL_INTERRUPT (1u << 0)
#define PIN_NMI_EXITING (1u << 3)               // 25.6.1: host NMIs exit (needed for virtual NMIs)
#define PIN_VIRTUAL_NMIS (1u << 5)              // 25.6.1: the CPU tracks the guest's NMI blocking
// Primary processor-based controls (25.6.2, Table "Definitions of Primary Processor-Based ...")
#define PROC_INTERRUPT_WINDOW (1u << 2)
#define PROC_TSC_OFFSETTING (1u << 3)
#define PROC_NMI_WINDOW (1u << 22)              // 25.6.2: exit once virtual-NMI blocking has ended
#define PROC_HLT (1u << 7)
#define PROC_CR3_LOAD (1u << 15)
#define PROC_CR3_STORE (1u << 16)
#define PROC_CR8_LOAD (1u << 19)
#define PROC_CR8_STORE (1u << 20)
#define PROC_UNCONDITIONAL_IO (1u << 24)
#define PROC_IO_BITMAPS (1u << 25)
#define PROC_MSR_BITMAPS (1u << 28)
#define PROC_SECONDARY (1u << 31)
// Secondary processor-based controls (25.6.2, Table "Definitions of Secondary ...")
#define PROC2_EPT (1u << 1)
#define PROC2_RDTSCP (1u << 3)
#define PROC2_VPID (1u << 5)
#define PROC2_UNRESTRICTED (1u << 7)
#define PROC2_INVPCID (1u << 12)
// VM-exit controls (25.7.1)
#define EXIT_HOST_64BIT (1u << 9)               // host address-space size
#define EXIT_ACK_INTERRUPT (1u << 15)           // kept 0: the host IDT takes the interrupt
#define EXIT_SAVE_PAT (1u << 18)
#define EXIT_LOAD_PAT (1u << 19)
#define EXIT_SAVE_EFER (1u << 20)
#define EXIT_LOAD_EFER (1u << 21)
// VM-entry controls (25.8.1)
#define ENTRY_IA32E_GUEST (1u << 9)
#define ENTRY_LOAD_PAT (1u << 14)
#define ENTRY_LOAD_EFER (1u << 15)

// Event fields: VM-entry interruption information (25.8.3), IDT-vectoring and VM-exit interruption
// information (25.9.2, 25.9.3): vector 7:0, type 10:8, error code 11, valid 31.
#define EVENT_VECTOR_TYPE_ERROR 0x00000FFFu
#define EVENT_ERROR_VALID (1u << 11)
#define EVENT_VALID (1u << 31)
#define EVENT_TYPE(e) (((e) >> 8) & 7)
#define EVENT_TYPE_HARDWARE_EXCEPTION 3
#define EVENT_TYPE_SOFTWARE_INTERRUPT 4
#define EVENT_TYPE_PRIVILEGED_SOFTWARE_EXCEPTION 5
#define EVENT_TYPE_SOFTWARE_EXCEPTION 6
// Guest interruptibility state (25.4.2): blocking by STI (bit 0) and by MOV SS (bit 1)
#define INTERRUPTIBILITY_STI_MOVSS 3u
#define INTERRUPTIBILITY_NMI (1u << 3)          // blocking by NMI

// Segment access rights in the VMCS (25.4.1): descriptor bits 47:40 in 7:0, bits 55:52 in 15:12,
// unusable at bit 16.
#define ACCESS_DPL(a) (((a) >> 5) & 3)
#define ACCESS_L (1u << 13)
#define ACCESS_DB (1u << 14)
#define ACCESS_UNUSABLE (1u << 16)

// Basic exit reasons (Appendix C); bit 31 of the exit-reason field: VM-entry failure (25.9.1)
#define EXIT_REASON_ENTRY_FAILURE (1u << 31)
#define VMX_EXIT_EXCEPTION_NMI 0
#define VMX_EXIT_EXTERNAL_INTERRUPT 1
#define VMX_EXIT_TRIPLE_FAULT 2
#define VMX_EXIT_INTERRUPT_WINDOW 7
#define VMX_EXIT_NMI_WINDOW 8
#define VMX_EXIT_CPUID 10
#define VMX_EXIT_HLT 12
#define VMX_EXIT_INVD 13
#define VMX_EXIT_VMCALL 18
#define VMX_EXIT_VMCLEAR 19                     // 19-27: VMCLEAR, VMLAUNCH, VMPTRLD, VMPTRST, VMREAD,
#define VMX_EXIT_VMXON 27                       // VMRESUME, VMWRITE, VMXOFF, VMXON
#define VMX_EXIT_CR_ACCESS 28
#define VMX_EXIT_IO 30
#define VMX_EXIT_RDMSR 31
#define VMX_EXIT_WRMSR 32
#define VMX_EXIT_INVALID_GUEST_STATE 33
#define VMX_EXIT_MSR_LOADING 34
#define VMX_EXIT_MACHINE_CHECK 41
#define VMX_EXIT_EPT_VIOLATION 48
#define VMX_EXIT_EPT_MISCONFIG 49
#define VMX_EXIT_XSETBV 55
#define VMX_EXIT_INVEPT 50
#define VMX_EXIT_INVVPID 53
#define VMX_EXIT_VMFUNC 59

// VMX capability MSRs (Appendix A) and IA32_FEATURE_CONTROL (24.7)
#define MSR_FEATURE_CONTROL 0x3Au
#define FEATURE_CONTROL_LOCK (1ull << 0)
#define FEATURE_CONTROL_VMX_OUTSIDE_SMX (1ull << 2)
#define MSR_VMX_BASIC 0x480u                    // A.1: revision 30:0, true controls bit 55
#define VMX_BASIC_TRUE_CONTROLS (1ull << 55)
#define MSR_VMX_PINBASED 0x481u                 // A.3.1
#define MSR_VMX_PROCBASED 0x482u                // A.3.2
#define MSR_VMX_EXIT 0x483u                     // A.4
#define MSR_VMX_ENTRY 0x484u                    // A.5
#define MSR_VMX_CR0_FIXED0 0x486u               // A.7
#define MSR_VMX_CR0_FIXED1 0x487u
#define MSR_VMX_CR4_FIXED0 0x488u               // A.8
#define MSR_VMX_CR4_FIXED1 0x489u
#define MSR_VMX_PROCBASED2 0x48Bu               // A.3.3
#define MSR_VMX_EPT_VPID_CAP 0x48Cu             // A.10
#define MSR_VMX_TRUE_PINBASED 0x48Du            // A.3.1 (when BASIC bit 55)
#define MSR_VMX_TRUE_PROCBASED 0x48Eu
#define MSR_VMX_TRUE_EXIT 0x48Fu
#define MSR_VMX_TRUE_ENTRY 0x490u
#define EPT_CAP_WALK4 (1ull << 6)               // A.10: page-walk length 4
#define EPT_CAP_WB (1ull << 14)                 // write-back EPT structures
#define EPT_CAP_2M (1ull << 16)                 // 2 MiB EPT pages
#define EPT_CAP_INVEPT (1ull << 20)
#define EPT_CAP_INVEPT_ALL (1ull << 26)         // all-context INVEPT
#define VPID_CAP_INVVPID (1ull << 32)
#define VPID_CAP_INVVPID_ALL (1ull << 43)       // all-context INVVPID

static inline int vmwrite(uint64_t field, uint64_t value) {   // 31.3 VMWRITE; 0 on VMfail
    uint8_t fail;
    __asm__ volatile("vmwrite %[v], %[f]; setna %[x]" : [x] "=qm"(fail) : [f] "r"(field), [v] "r"(value) : "cc", "memory");
    return !fail;
}
static inline uint64_t vmread(uint64_t field) {               // 31.3 VMREAD
    uint64_t value;
    __asm__ volatile("vmread %[f], %[v]" : [v] "=r"(value) : [f] "r"(field) : "cc");
    return value;
}
