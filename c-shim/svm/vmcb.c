// A fresh VMCB: the controls wisp always uses and the guest's state at entry.
#include "svm/svm.h"
#include "svm/vmcb.h"
#include "host/cpu.h"

#define CR0_PE (1ull << 0)                      // APM vol. 2, 3.1.1 CR0
#define CR0_ET (1ull << 4)
#define RFLAGS_FIXED 0x2ull                     // bit 1 reads as one (APM vol. 2, 3.1.6)
#define DR6_INIT 0xFFFF0FF0ull                  // APM vol. 2, 13.1.1.3 reset value
#define DR7_INIT 0x400ull                       // APM vol. 2, 13.1.1.5 reset value
#define GUEST_PAT 0x0007040600070406ull         // the power-on PAT (APM vol. 2, 7.8.2)
#define MC_VECTOR 18                            // #MC (APM vol. 2, 8.2.17)

// Segment attributes in VMCB form: descriptor bits 47:40 in 7:0, bits 55:52 in 11:8 (APM vol. 2, 15.5.1)
#define ATTR_CODE16 0x09B                       // P, S, type 0xB code execute/read accessed
#define ATTR_DATA16 0x093                       // P, S, type 0x3 data read/write accessed
#define ATTR_CODE32 0xC9B                       // + D/B, G
#define ATTR_DATA32 0xC93
#define ATTR_CODE64 0xA9B                       // P, S, type 0xB, L, G (APM vol. 2, 4.8.1 long-mode code)
#define ATTR_LDT 0x082                          // P, system type 2 LDT
#define ATTR_TSS16_BUSY 0x083                   // P, system type 3 busy 16-bit TSS
#define ATTR_TSS32_BUSY 0x08B                   // P, system type 0xB busy 32-bit TSS (64-bit busy TSS in long mode)
// Selectors of the Linux 64-bit boot protocol: __BOOT_CS = 0x10, __BOOT_DS = 0x18
// (Documentation/arch/x86/boot.rst, "64-bit Boot Protocol")
#define BOOT_CS 0x10
#define BOOT_DS 0x18

void vmcb_init(uint8_t *vmcb, const struct vcpu_setup *s, struct vcpu *v) {
    vmcb_set32(vmcb, VMCB_INTERCEPT_EXCEPTIONS, 1u << MC_VECTOR);
    // INVD would discard dirty cache lines of wisp and of other VMs: it exits, and the backend
    // writes the caches back instead (svm/exit.c). WBINVD exits too, as under KVM: QEMU's SVM
    // checks the WBINVD intercept for INVD as well, so only both together catch INVD everywhere.
    vmcb_set32(vmcb, VMCB_INTERCEPT_MISC1, MISC1_INTR | MISC1_VINTR | MISC1_CPUID | MISC1_INVD | MISC1_HLT |
                                           MISC1_INVLPGA | MISC1_IOIO_PROT | MISC1_MSR_PROT | MISC1_SHUTDOWN);
    // VMRUN must be intercepted (APM vol. 2, 15.5.1); the other SVM instructions would act on
    // host-physical memory or on GIF, so the guest gets none of them.
    vmcb_set32(vmcb, VMCB_INTERCEPT_MISC2, MISC2_VMRUN | MISC2_VMMCALL | MISC2_VMLOAD | MISC2_VMSAVE |
                                           MISC2_STGI | MISC2_CLGI | MISC2_SKINIT | MISC2_WBINVD);
    vmcb_set64(vmcb, VMCB_IOPM_BASE, (uint64_t)v->iopm);
    vmcb_set64(vmcb, VMCB_MSRPM_BASE, (uint64_t)v->msrpm);
    vmcb_set32(vmcb, VMCB_ASID, GUEST_ASID);
    vmcb_set64(vmcb, VMCB_VINTR, VINTR_MASKING);        // the host's RFLAGS.IF masks physical interrupts
    vmcb_set64(vmcb, VMCB_NP_ENABLE, NP_ENABLE);
    vmcb_set64(vmcb, VMCB_N_CR3, (uint64_t)v->npt_root);

    // LONG64 starts like PROTECTED32; load_entry_state finishes it.
    vmcb_reset_state(vmcb, s->mode != MODE_REAL, 0, 0, s->entry);
}

// The reset state (APM vol. 2, 14.1.3 Table 14-1) with CS at cs_selector:cs_base and RIP rip; with
// protected_mode, flat 4 GiB 32-bit segments and CR0.PE instead of real mode. Blue-pill's STARTUP
// IPIs use it too (bluepill/cpu.c).
void vmcb_reset_state(uint8_t *vmcb, int protected_mode, uint16_t cs_selector, uint64_t cs_base, uint64_t rip) {
    int pm = protected_mode;
    uint16_t code = pm ? ATTR_CODE32 : ATTR_CODE16, data = pm ? ATTR_DATA32 : ATTR_DATA16;
    uint32_t limit = pm ? 0xFFFFFFFFu : 0xFFFFu;       // flat 4 GiB, or the real-mode 64 KiB
    vmcb_set_segment(vmcb, VMCB_CS, cs_selector, code, limit, cs_base);
    vmcb_set_segment(vmcb, VMCB_DS, 0, data, limit, 0);
    vmcb_set_segment(vmcb, VMCB_ES, 0, data, limit, 0);
    vmcb_set_segment(vmcb, VMCB_SS, 0, data, limit, 0);
    vmcb_set_segment(vmcb, VMCB_FS, 0, data, limit, 0);
    vmcb_set_segment(vmcb, VMCB_GS, 0, data, limit, 0);
    vmcb_set_segment(vmcb, VMCB_GDTR, 0, 0, 0xFFFF, 0);
    vmcb_set_segment(vmcb, VMCB_IDTR, 0, 0, 0xFFFF, 0);  // real-mode IVT at 0 (APM vol. 2, 14.1.5)
    vmcb_set_segment(vmcb, VMCB_LDTR, 0, ATTR_LDT, 0xFFFF, 0);
    vmcb_set_segment(vmcb, VMCB_TR, 0, pm ? ATTR_TSS32_BUSY : ATTR_TSS16_BUSY, 0xFFFF, 0);
    vmcb_set64(vmcb, VMCB_CR0, pm ? CR0_PE | CR0_ET : CR0_ET);
    vmcb_set64(vmcb, VMCB_CR3, 0);
    vmcb_set64(vmcb, VMCB_CR4, 0);
    vmcb_set64(vmcb, VMCB_EFER, EFER_SVME);             // VMRUN requires guest EFER.SVME (APM vol. 2, 15.5.1)
    vmcb_set64(vmcb, VMCB_DR6, DR6_INIT);
    vmcb_set64(vmcb, VMCB_DR7, DR7_INIT);
    vmcb_set64(vmcb, VMCB_RFLAGS, RFLAGS_FIXED);
    vmcb_set64(vmcb, VMCB_RIP, rip);
    vmcb_set64(vmcb, VMCB_G_PAT, GUEST_PAT);
}

// After the core's loader (loadGuest): the entry state it left in the area. LONG64: flat 64-bit
// code and flat data with the Linux boot protocol's __BOOT_CS/__BOOT_DS selectors; PROTECTED32
// (Multiboot): flat 32-bit code and data. CR0/CR3/CR4/EFER, RIP, RSP, RAX, RFLAGS and the GDTR
// come from the area (the other general registers stay there: vmrun.S loads them).
void vmcb_load_entry_state(uint8_t *vmcb, const uint8_t *area) {
    const uint64_t *a = (const uint64_t *)area;
    uint32_t mode = *(const uint32_t *)(area + AREA_MODE);
    if (mode == MODE_LONG64 || mode == MODE_PROTECTED32) {
        uint16_t code = mode == MODE_LONG64 ? ATTR_CODE64 : ATTR_CODE32;
        vmcb_set_segment(vmcb, VMCB_CS, BOOT_CS, code, 0xFFFFFFFFu, 0);
        vmcb_set_segment(vmcb, VMCB_DS, BOOT_DS, ATTR_DATA32, 0xFFFFFFFFu, 0);
        vmcb_set_segment(vmcb, VMCB_ES, BOOT_DS, ATTR_DATA32, 0xFFFFFFFFu, 0);
        vmcb_set_segment(vmcb, VMCB_SS, BOOT_DS, ATTR_DATA32, 0xFFFFFFFFu, 0);
        vmcb_set_segment(vmcb, VMCB_FS, BOOT_DS, ATTR_DATA32, 0xFFFFFFFFu, 0);
        vmcb_set_segment(vmcb, VMCB_GS, BOOT_DS, ATTR_DATA32, 0xFFFFFFFFu, 0);
        vmcb_set_segment(vmcb, VMCB_TR, 0, ATTR_TSS32_BUSY, 0xFFFF, 0);
    }
    uint64_t gdtr_limit = a[AREA_ENTRY_GDTR_LIMIT / 8];
    if (gdtr_limit) vmcb_set_segment(vmcb, VMCB_GDTR, 0, 0, (uint32_t)(gdtr_limit & 0xFFFF), a[AREA_ENTRY_GDTR_BASE / 8]);
    vmcb_set64(vmcb, VMCB_CR0, a[AREA_CR0 / 8] | CR0_ET);
    vmcb_set64(vmcb, VMCB_CR3, a[AREA_CR3 / 8]);
    vmcb_set64(vmcb, VMCB_CR4, a[AREA_CR4 / 8]);
    vmcb_set64(vmcb, VMCB_EFER, a[AREA_EFER / 8] | EFER_SVME);
    vmcb_set64(vmcb, VMCB_RIP, a[AREA_RIP / 8]);
    vmcb_set64(vmcb, VMCB_RSP, a[AREA_RSP / 8]);
    vmcb_set64(vmcb, VMCB_RAX, a[AREA_RAX / 8]);
    vmcb_set64(vmcb, VMCB_RFLAGS, a[AREA_RFLAGS / 8] | RFLAGS_FIXED);
}
