// A vCPU's VMCS: made current with VMPTRLD, and on first use filled in: controls, host state, the
// guest's state at entry. This needs VMX operation and the host's own GDT/IDT/page tables, so it
// happens at the first run, not when the VM is prepared.
#include "vmx/vmx.h"
#include "vmx/vmcs.h"
#include "host/cpu.h"
#include "host/gdt.h"

#define CR0_PE (1ull << 0)                      // SDM vol. 3A, 2.5
#define CR0_ET (1ull << 4)
#define CR0_PG (1ull << 31)
#define RFLAGS_FIXED 0x2ull                     // bit 1 reads as one (SDM vol. 1, 3.4.3)
#define DR7_INIT 0x400ull                       // SDM vol. 3B, 19.2.4 reset value
#define GUEST_PAT 0x0007040600070406ull         // the power-on PAT (SDM vol. 3A, 13.12.4)
#define GUEST_VPID 1                            // non-zero (27.2.1.1); VMs run one at a time
#define UD_VECTOR 6                             // #UD: VMMCALL on Intel (exit.c)
#define MC_VECTOR 18
#define EPTP_WB 6ull                            // 25.6.11 EPTP: memory type 2:0 write-back,
#define EPTP_WALK4 (3ull << 3)                  // page-walk length - 1 in 5:3
#define MSR_FS_BASE 0xC0000100u                 // SDM vol. 4, Table 2-2
#define MSR_GS_BASE 0xC0000101u
#define MSR_SYSENTER_CS 0x174u
#define MSR_SYSENTER_ESP 0x175u
#define MSR_SYSENTER_EIP 0x176u

// Access rights (25.4.1; checks in 27.3.1.2): real mode with unrestricted guest uses 16-bit
// accessed code and data segments with a 64 KiB limit; protected32 flat 4 GiB segments (G, D/B).
#define ACCESS_CODE16 0x009Bu                   // P, S, type 0xB execute/read accessed
#define ACCESS_DATA16 0x0093u                   // P, S, type 0x3 read/write accessed
#define ACCESS_CODE32 0xC09Bu
#define ACCESS_CODE64 0xA09Bu                   // P, S, type 0xB, L, G (SDM vol. 3A, 3.4.5)
#define ACCESS_DATA32 0xC093u
#define ACCESS_TSS16_BUSY 0x0083u               // P, system type 3 (not allowed in IA-32e mode)
#define ACCESS_TSS32_BUSY 0x008Bu               // P, system type 0xB

static struct vcpu *current_vcpu;

struct __attribute__((packed)) table_register { uint16_t limit; uint64_t base; };

static void w(struct vcpu *v, uint64_t field, uint64_t value) {
    if (!vmwrite(field, value)) v->failed = 1;
}

static void host_state(struct vcpu *v) {
    w(v, VMCS_HOST_CR0, read_cr0());
    w(v, VMCS_HOST_CR3, read_cr3());
    w(v, VMCS_HOST_CR4, read_cr4());
    w(v, VMCS_HOST_CS, GDT_CODE64);
    w(v, VMCS_HOST_SS, GDT_DATA);
    w(v, VMCS_HOST_DS, GDT_DATA);
    w(v, VMCS_HOST_ES, GDT_DATA);
    w(v, VMCS_HOST_FS, 0);
    w(v, VMCS_HOST_GS, 0);
    w(v, VMCS_HOST_TR, GDT_TSS);                // 27.2.3: TR must not be 0 (the firmware's is)
    struct table_register gdtr, idtr;
    __asm__ volatile("sgdt %0; sidt %1" : "=m"(gdtr), "=m"(idtr));
    const uint64_t *gdt = (const uint64_t *)gdtr.base;
    uint64_t lo = gdt[GDT_TSS / 8], hi = gdt[GDT_TSS / 8 + 1];   // 16-byte TSS descriptor (SDM vol. 3A, 8.2.3)
    w(v, VMCS_HOST_TR_BASE, ((lo >> 16) & 0xFFFFFF) | ((lo >> 56) << 24) | (hi << 32));
    w(v, VMCS_HOST_GDTR_BASE, gdtr.base);
    w(v, VMCS_HOST_IDTR_BASE, idtr.base);
    w(v, VMCS_HOST_FS_BASE, rdmsr(MSR_FS_BASE));
    w(v, VMCS_HOST_GS_BASE, rdmsr(MSR_GS_BASE));
    w(v, VMCS_HOST_SYSENTER_CS, rdmsr(MSR_SYSENTER_CS));
    w(v, VMCS_HOST_SYSENTER_ESP, rdmsr(MSR_SYSENTER_ESP));
    w(v, VMCS_HOST_SYSENTER_EIP, rdmsr(MSR_SYSENTER_EIP));
    w(v, VMCS_HOST_EFER, rdmsr(MSR_EFER));
    w(v, VMCS_HOST_PAT, rdmsr(MSR_PAT));
    w(v, VMCS_HOST_RIP, (uint64_t)vmx_exit_point);   // HOST_RSP: written by vmentry.S each entry
    struct msr_entry *host = v->msr_lists + MSR_LIST_HOST_OFFSET;
    for (int i = 0; i < MSR_LIST_COUNT; i++) host[i].value = rdmsr(host[i].index);
}

static void controls(struct vcpu *v) {
    const struct vmx_caps *c = &vmx_caps;
    // Virtual NMIs where the CPU has them (with NMI exiting, which they need, 26.2.1.1): the CPU
    // then blocks the guest's NMIs from an injected NMI to its IRET, and NMI-window exiting tells
    // the core when that ends (docs/architecture.md, "Neutral exit record").
    uint32_t nmi = PIN_NMI_EXITING | PIN_VIRTUAL_NMIS;
    v->virtual_nmis = ((uint32_t)(c->pin >> 32) & nmi) == nmi && ((uint32_t)(c->proc >> 32) & PROC_NMI_WINDOW);
    w(v, VMCS_PIN_CONTROLS, vmx_adjust(c->pin, PIN_EXTERNAL_INTERRUPT | (v->virtual_nmis ? nmi : 0)));
    // Only what wisp needs; CR3/CR8 exiting stays off unless the CPU forces it (allowed-0).
    v->proc_controls = vmx_adjust(c->proc, PROC_HLT | PROC_TSC_OFFSETTING | PROC_IO_BITMAPS | PROC_MSR_BITMAPS |
                                           PROC_SECONDARY);
    w(v, VMCS_PROC_CONTROLS, v->proc_controls);
    uint32_t proc2 = PROC2_EPT | PROC2_UNRESTRICTED | (c->vpid ? PROC2_VPID : 0);
    proc2 |= (PROC2_RDTSCP | PROC2_INVPCID) & (uint32_t)(c->proc2 >> 32);   // let the guest use them if the CPU can
    w(v, VMCS_PROC_CONTROLS2, vmx_adjust(c->proc2, proc2));
    if (c->vpid) w(v, VMCS_VPID, GUEST_VPID);
    w(v, VMCS_EXCEPTION_BITMAP, (1u << UD_VECTOR) | (1u << MC_VECTOR));
    w(v, VMCS_PF_ERROR_MASK, 0);
    w(v, VMCS_PF_ERROR_MATCH, 0);
    w(v, VMCS_CR3_TARGET_COUNT, 0);
    w(v, VMCS_IO_BITMAP_A, (uint64_t)v->io_bitmaps);
    w(v, VMCS_IO_BITMAP_B, (uint64_t)v->io_bitmaps + 4096);
    w(v, VMCS_MSR_BITMAP, (uint64_t)v->msr_bitmap);
    w(v, VMCS_EPTP, (uint64_t)v->ept_root | EPTP_WB | EPTP_WALK4);
    w(v, VMCS_TSC_OFFSET, v->tsc_offset = 0);
    w(v, VMCS_EXIT_CONTROLS, vmx_adjust(c->exit, EXIT_HOST_64BIT | EXIT_SAVE_EFER | EXIT_LOAD_EFER |
                                                  EXIT_SAVE_PAT | EXIT_LOAD_PAT));
    v->entry_controls = vmx_adjust(c->entry, ENTRY_LOAD_EFER | ENTRY_LOAD_PAT) & ~ENTRY_IA32E_GUEST;
    w(v, VMCS_ENTRY_CONTROLS, v->entry_controls);
    w(v, VMCS_EXIT_MSR_STORE, (uint64_t)v->msr_lists);        // the guest's values go back where
    w(v, VMCS_ENTRY_MSR_LOAD, (uint64_t)v->msr_lists);        // the next entry loads them from
    w(v, VMCS_EXIT_MSR_LOAD, (uint64_t)(v->msr_lists + MSR_LIST_HOST_OFFSET));
    w(v, VMCS_EXIT_MSR_STORE_COUNT, MSR_LIST_COUNT);
    w(v, VMCS_ENTRY_MSR_LOAD_COUNT, MSR_LIST_COUNT);
    w(v, VMCS_EXIT_MSR_LOAD_COUNT, MSR_LIST_COUNT);
    w(v, VMCS_ENTRY_INTERRUPTION, 0);
    // CR0/CR4 bits VMX operation fixes (A.7, A.8) belong to the host: the guest reads its own view
    // from the read shadows, and a write that changes such a bit exits (cr_access.c). With
    // unrestricted guest, PE and PG are the guest's (27.3.1.1).
    w(v, VMCS_CR0_MASK, (c->cr0_fixed0 | ~c->cr0_fixed1) & ~(CR0_PE | CR0_PG));
    w(v, VMCS_CR4_MASK, c->cr4_fixed0 | ~c->cr4_fixed1);
}

static void segment_selector(struct vcpu *v, int i, uint16_t selector, uint32_t access, uint32_t limit) {
    w(v, VMCS_GUEST_ES + 2 * i, selector);      // i: ES, CS, SS, DS, FS, GS, LDTR, TR
    w(v, VMCS_GUEST_ES_BASE + 2 * i, 0);
    w(v, VMCS_GUEST_ES_LIMIT + 2 * i, limit);
    w(v, VMCS_GUEST_ES_ACCESS + 2 * i, access);
}

static void segment(struct vcpu *v, int i, uint32_t access, uint32_t limit) { segment_selector(v, i, 0, access, limit); }

static void guest_state(struct vcpu *v) {
    const struct vmx_caps *c = &vmx_caps;
    int pm = v->mode != MODE_REAL;           // LONG64 starts like this too; load_entry_state finishes it
    uint32_t code = pm ? ACCESS_CODE32 : ACCESS_CODE16, data = pm ? ACCESS_DATA32 : ACCESS_DATA16;
    uint32_t limit = pm ? 0xFFFFFFFFu : 0xFFFFu;
    segment(v, 0, data, limit);
    segment(v, 1, code, limit);
    for (int i = 2; i < 6; i++) segment(v, i, data, limit);
    segment(v, 6, ACCESS_UNUSABLE, 0);          // LDTR
    segment(v, 7, pm ? ACCESS_TSS32_BUSY : ACCESS_TSS16_BUSY, 0xFFFF);
    w(v, VMCS_GUEST_GDTR_BASE, 0);
    w(v, VMCS_GUEST_GDTR_LIMIT, 0xFFFF);
    w(v, VMCS_GUEST_IDTR_BASE, 0);              // real-mode IVT at 0
    w(v, VMCS_GUEST_IDTR_LIMIT, 0xFFFF);
    uint64_t cr0 = pm ? CR0_PE | CR0_ET : CR0_ET;
    w(v, VMCS_CR0_SHADOW, cr0);
    w(v, VMCS_GUEST_CR0, (cr0 | (c->cr0_fixed0 & ~(CR0_PE | CR0_PG))) & c->cr0_fixed1);   // 27.3.1.1
    w(v, VMCS_CR4_SHADOW, 0);
    w(v, VMCS_GUEST_CR4, c->cr4_fixed0 & c->cr4_fixed1);
    w(v, VMCS_GUEST_CR3, 0);
    w(v, VMCS_GUEST_DR7, DR7_INIT);
    w(v, VMCS_GUEST_DEBUGCTL, 0);
    w(v, VMCS_GUEST_RFLAGS, RFLAGS_FIXED);
    w(v, VMCS_GUEST_RIP, v->entry);
    w(v, VMCS_GUEST_RSP, 0);
    w(v, VMCS_GUEST_PENDING_DEBUG, 0);
    w(v, VMCS_GUEST_INTERRUPTIBILITY, 0);
    w(v, VMCS_GUEST_ACTIVITY, 0);               // active
    w(v, VMCS_GUEST_SYSENTER_CS, 0);
    w(v, VMCS_GUEST_SYSENTER_ESP, 0);
    w(v, VMCS_GUEST_SYSENTER_EIP, 0);
    w(v, VMCS_GUEST_EFER, 0);
    w(v, VMCS_GUEST_PAT, GUEST_PAT);
    w(v, VMCS_LINK_POINTER, ~0ull);             // no shadow VMCS (27.3.1.5)
    v->rip = v->entry;
    v->rsp = 0;
    v->rflags = RFLAGS_FIXED;
    v->efer = 0;
    v->pat = GUEST_PAT;
}

static int vmptrld(uint64_t pa) {
    uint8_t fail;
    __asm__ volatile("vmptrld %1; setna %0" : "=qm"(fail) : "m"(pa) : "cc", "memory");
    return !fail;
}

static int vmclear(uint64_t pa) {
    uint8_t fail;
    __asm__ volatile("vmclear %1; setna %0" : "=qm"(fail) : "m"(pa) : "cc", "memory");
    return !fail;
}

int vmcs_load(struct vcpu *v) {
    if (current_vcpu == v) return !v->failed;
    uint64_t pa = (uint64_t)v->vmcs;
    if (!v->loaded) {
        *(uint32_t *)v->vmcs = vmx_caps.revision;   // 25.2: revision identifier first
        if (!vmclear(pa) || !vmptrld(pa)) { v->failed = 1; return 0; }
        current_vcpu = v;
        v->loaded = 1;
        controls(v);
        host_state(v);
        guest_state(v);
        return !v->failed;
    }
    if (!vmptrld(pa)) { v->failed = 1; return 0; }
    current_vcpu = v;
    return !v->failed;
}

void vmcs_forget(struct vcpu *v) {
    if (v->loaded) vmclear((uint64_t)v->vmcs);
    if (current_vcpu == v) current_vcpu = 0;
}

// Selectors of the Linux 64-bit boot protocol: __BOOT_CS = 0x10, __BOOT_DS = 0x18
// (Documentation/arch/x86/boot.rst, "64-bit Boot Protocol"); the same as svm/vmcb.c uses.
#define BOOT_CS 0x10
#define BOOT_DS 0x18

// After the core's loader (vcpu_backend.h, load_entry_state): flat segments for LONG64 (64-bit
// code) and PROTECTED32, then CR0/CR3/CR4/EFER, RIP, RSP, RFLAGS and the GDTR from the area (the
// general registers stay there: vmentry.S loads them).
void vmx_load_entry_state(struct vcpu *v, const uint8_t *area) {
    if (!vmcs_load(v)) return;
    const struct vmx_caps *c = &vmx_caps;
    const uint64_t *a = (const uint64_t *)area;
    uint32_t mode = *(const uint32_t *)(area + AREA_MODE);
    if (mode == MODE_LONG64 || mode == MODE_PROTECTED32) {
        for (int i = 0; i < 6; i++) segment_selector(v, i, BOOT_DS, ACCESS_DATA32, 0xFFFFFFFFu);
        segment_selector(v, 1, BOOT_CS, mode == MODE_LONG64 ? ACCESS_CODE64 : ACCESS_CODE32, 0xFFFFFFFFu);
        segment(v, 7, ACCESS_TSS32_BUSY, 0xFFFF);
    }
    uint64_t gdtr_limit = a[AREA_ENTRY_GDTR_LIMIT / 8];
    if (gdtr_limit) {
        w(v, VMCS_GUEST_GDTR_BASE, a[AREA_ENTRY_GDTR_BASE / 8]);
        w(v, VMCS_GUEST_GDTR_LIMIT, gdtr_limit & 0xFFFF);
    }
    uint64_t cr0 = a[AREA_CR0 / 8] | CR0_ET, cr4 = a[AREA_CR4 / 8];
    w(v, VMCS_CR0_SHADOW, cr0);
    w(v, VMCS_GUEST_CR0, (cr0 | (c->cr0_fixed0 & ~(CR0_PE | CR0_PG))) & c->cr0_fixed1);
    w(v, VMCS_CR4_SHADOW, cr4);
    w(v, VMCS_GUEST_CR4, (cr4 | c->cr4_fixed0) & c->cr4_fixed1);
    w(v, VMCS_GUEST_CR3, a[AREA_CR3 / 8]);
    w(v, VMCS_GUEST_RIP, v->rip = a[AREA_RIP / 8]);
    w(v, VMCS_GUEST_RSP, v->rsp = a[AREA_RSP / 8]);
    w(v, VMCS_GUEST_RFLAGS, v->rflags = a[AREA_RFLAGS / 8] | RFLAGS_FIXED);
    vmx_set_efer(v, a[AREA_EFER / 8]);
}
