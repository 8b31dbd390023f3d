// One CPU under blue-pill: its state becomes the guest's (bluepill_host_main), then the host loop.
// Exits go to this CPU's core instance, one CPU at a time (core_lock: the trap point and the
// console are shared); the host never takes an interrupt (GIF stays clear, svm/vmrun.S).
//
// INIT and STARTUP IPIs (the core's hostStartupIpi): a CPU that received a real INIT would drop
// out of the hypervisor, so the target's guest gets them virtually. The sender marks the target
// and sends it an NMI; its NMI exit puts its guest into wait-for-SIPI (Intel SDM vol. 3A, 9.4.4;
// AMD APM vol. 2, 15.13.3 for the INIT that SVM does not virtualize), and a STARTUP starts the guest
// in real mode at vector << 12 (SDM vol. 3A, 9.4.4.1 "Typical BSP Initialization Sequence").
#include "bluepill/bluepill.h"
#include "svm/vmcb.h"
#include "host/console.h"
#include "host/cpu.h"
#include "host/gdt.h"
#include "host/idt.h"
#include "host/lapic.h"
#include "runtime/trap.h"

struct bp_cpu *bp_cpus;
uint32_t bp_cpu_count;
uint64_t bp_protected[2][2];
volatile uint64_t *bp_canary;
uint64_t bluepill_host_cr3;

extern const char *const exit_reason_names[EXIT_REASON_COUNT];    // vm/vm_report.c

// EVENTINJ (APM vol. 2, 15.20): vector, type (bits 10:8: 2 NMI, 3 exception), valid (bit 31)
#define INJECT_NMI (2ull | 2ull << 8 | 1ull << 31)
#define INJECT_UD (6ull | 3ull << 8 | 1ull << 31)
// Local APIC ICR (SDM vol. 3A, 11.6.1 Figure 11-12)
#define APIC_ICR_LOW 0x300
#define APIC_ICR_HIGH 0x310
#define ICR_DELIVERY_NMI (4u << 8)
#define ICR_LEVEL_ASSERT (1u << 14)
#define ICR_DELIVERY_PENDING (1u << 12)
#define CR0_INIT 0x60000010ull                  // CD, NW, ET after INIT (APM vol. 2, 14.1.3 Table 14-1)

static volatile uint32_t core_lock;

static void lock(void) { while (__atomic_exchange_n(&core_lock, 1, __ATOMIC_ACQUIRE)) pause(); }
static void unlock(void) { __atomic_store_n(&core_lock, 0, __ATOMIC_RELEASE); }

// A segment register of the firmware as VMCB fields, from its descriptor in the firmware's GDT
// (SDM vol. 3A, 3.4.5 Figure 3-8).
static void capture_segment(uint8_t *vmcb, uint32_t field, uint16_t selector, uint64_t gdt_base) {
    uint64_t d = (selector & ~7u) ? *(const uint64_t *)(gdt_base + (selector & ~7u)) : 0;
    uint16_t attrib = (uint16_t)(((d >> 40) & 0xFF) | ((d >> 52) & 0xF) << 8);
    uint32_t limit = (uint32_t)((d & 0xFFFF) | ((d >> 32) & 0xF0000));
    if (d & (1ull << 55)) limit = limit << 12 | 0xFFF;          // G: 4 KiB granularity
    uint64_t base = ((d >> 16) & 0xFFFFFF) | ((d >> 56) & 0xFF) << 24;
    vmcb_set_segment(vmcb, field, selector, attrib, limit, base);
}

struct __attribute__((packed)) table_register { uint16_t limit; uint64_t base; };

static void capture_guest(struct bp_cpu *cpu, uint64_t guest_rsp, uint64_t guest_rip) {
    uint8_t *vmcb = cpu->vcpu.vmcb;
    vmcb_set32(vmcb, VMCB_INTERCEPT_MISC1, MISC1_NMI | MISC1_CPUID | MISC1_INVD | MISC1_INVLPGA | MISC1_MSR_PROT |
                                           MISC1_SHUTDOWN);   // INVD, WBINVD: as in svm/vmcb.c
    vmcb_set32(vmcb, VMCB_INTERCEPT_MISC2, MISC2_VMRUN | MISC2_VMMCALL | MISC2_VMLOAD | MISC2_VMSAVE |
                                           MISC2_STGI | MISC2_CLGI | MISC2_SKINIT | MISC2_WBINVD);
    vmcb_set64(vmcb, VMCB_IOPM_BASE, (uint64_t)cpu->vcpu.iopm);     // all zero: no port exits
    vmcb_set64(vmcb, VMCB_MSRPM_BASE, (uint64_t)cpu->vcpu.msrpm);
    vmcb_set32(vmcb, VMCB_ASID, GUEST_ASID);
    vmcb_set64(vmcb, VMCB_VINTR, 0);            // no V_INTR_MASKING: physical interrupts go to the guest
    vmcb_set64(vmcb, VMCB_NP_ENABLE, NP_ENABLE);
    vmcb_set64(vmcb, VMCB_N_CR3, (uint64_t)cpu->vcpu.npt_root);

    // FS, GS, TR, LDTR (with their hidden parts), KernelGSBase, STAR, LSTAR, CSTAR, SFMASK and the
    // SYSENTER MSRs (APM vol. 2, 15.5.2): VMSAVE takes them straight from this CPU.
    __asm__ volatile("vmsave %%rax" ::"a"((uint64_t)vmcb) : "memory");
    struct table_register gdtr, idtr;
    __asm__ volatile("sgdt %0; sidt %1" : "=m"(gdtr), "=m"(idtr));
    uint16_t cs, ss, ds, es;
    __asm__ volatile("mov %%cs, %0; mov %%ss, %1; mov %%ds, %2; mov %%es, %3" : "=r"(cs), "=r"(ss), "=r"(ds), "=r"(es));
    capture_segment(vmcb, VMCB_CS, cs, gdtr.base);
    capture_segment(vmcb, VMCB_SS, ss, gdtr.base);
    capture_segment(vmcb, VMCB_DS, ds, gdtr.base);
    capture_segment(vmcb, VMCB_ES, es, gdtr.base);
    vmcb_set_segment(vmcb, VMCB_GDTR, 0, 0, gdtr.limit, gdtr.base);
    vmcb_set_segment(vmcb, VMCB_IDTR, 0, 0, idtr.limit, idtr.base);
    uint64_t dr6, dr7;
    __asm__ volatile("mov %%dr6, %0; mov %%dr7, %1" : "=r"(dr6), "=r"(dr7));
    vmcb_set64(vmcb, VMCB_CR0, read_cr0());
    vmcb_set64(vmcb, VMCB_CR2, read_cr2());
    vmcb_set64(vmcb, VMCB_CR3, read_cr3());
    vmcb_set64(vmcb, VMCB_CR4, read_cr4());
    vmcb_set64(vmcb, VMCB_EFER, rdmsr(MSR_EFER));       // SVME already set
    vmcb_set64(vmcb, VMCB_DR6, dr6);
    vmcb_set64(vmcb, VMCB_DR7, dr7);
    vmcb_set64(vmcb, VMCB_G_PAT, rdmsr(MSR_PAT));
    vmcb_set64(vmcb, VMCB_RFLAGS, *(const uint64_t *)guest_rsp);   // pushed by bluepill_launch
    vmcb_set64(vmcb, VMCB_RSP, guest_rsp);
    vmcb_set64(vmcb, VMCB_RIP, guest_rip);
    vmcb_set64(vmcb, VMCB_RAX, 0);
}

// The guest state after INIT and a STARTUP IPI with this vector: real mode at vector << 12, CR0 with
// CD and NW as INIT leaves it (APM vol. 2, 14.1.3 Table 14-1), no event pending, GPRs zero.
static void startup_state(uint8_t *vmcb, uint8_t *area, uint32_t vector) {
    vmcb_reset_state(vmcb, 0, (uint16_t)(vector << 8), (uint64_t)vector << 12, 0);
    vmcb_set64(vmcb, VMCB_CR0, CR0_INIT);
    vmcb_set64(vmcb, VMCB_CR2, 0);
    vmcb_set64(vmcb, VMCB_RSP, 0);
    vmcb_set64(vmcb, VMCB_RAX, 0);
    vmcb_set64(vmcb, VMCB_EVENTINJ, 0);
    vmcb_set64(vmcb, VMCB_EXITINTINFO, 0);
    vmcb_set64(vmcb, VMCB_INTERRUPT_SHADOW, 0);
    *(volatile uint8_t *)(vmcb + VMCB_CPL) = 0;
    for (uint32_t off = 0; off < 0x80; off += 8) *(uint64_t *)(area + off) = 0;
    *(uint64_t *)(area + AREA_INJECT) = 0;
}

// Sends an NMI to the CPU with this APIC ID through this CPU's local APIC (SDM vol. 3A, 11.6.1).
static void send_nmi(uint32_t apic_id) {
    uint64_t apic = lapic_base();
    while (mmio_read32(apic + APIC_ICR_LOW) & ICR_DELIVERY_PENDING) pause();
    mmio_write32(apic + APIC_ICR_HIGH, apic_id << 24);
    mmio_write32(apic + APIC_ICR_LOW, ICR_DELIVERY_NMI | ICR_LEVEL_ASSERT);
}

// An INIT or STARTUP IPI for a CPU that is not wisp's guest is not delivered: started for real, that
// CPU would run outside the hypervisor, with access to wisp's memory. Said once per kind.
static void unmatched_ipi(uint32_t kind, uint32_t apic_id) {
    static uint32_t said[2];
    if (said[kind & 1]++) return;
    con_str("wisp: blue-pill: ");
    con_str(kind == 0 ? "INIT" : "STARTUP");
    con_str(" IPI for APIC ID ");
    con_dec(apic_id);
    con_str(", a CPU wisp does not run, not delivered\n");
}

void bluepill_startup_ipi(struct bp_cpu *from, uint32_t kind, uint32_t flags, uint32_t destination, uint32_t vector) {
    uint32_t shorthand = flags & 3, matched = 0;
    if (flags & 4 && shorthand == 0) {          // logical destination: not used for INIT/STARTUP by
        con_str("wisp: blue-pill: INIT/STARTUP IPI in logical destination mode ignored\n");   // Linux or EDK2
        return;
    }
    for (uint32_t i = 0; i < bp_cpu_count; i++) {
        struct bp_cpu *t = &bp_cpus[i];
        int hit = shorthand == 0 ? t->apic_id == destination : shorthand == 1 ? t == from
                : shorthand == 2 ? 1 : t != from;
        if (!hit) continue;
        matched = 1;
        if (t == from) continue;                // INIT to itself: not supported (it would reset wisp's CPU)
        if (!t->launched) {                     // a CPU wisp does not run: a real IPI would start it
            unmatched_ipi(kind, t->apic_id);    // outside wisp, with access to wisp's memory
            continue;
        }
        if (kind == 0) {                        // INIT
            t->sipi_pending = 0;
            __atomic_store_n(&t->init_pending, 1, __ATOMIC_SEQ_CST);
            send_nmi(t->apic_id);
        } else if (t->init_pending || t->waiting_for_sipi) {   // STARTUP: only after an INIT
            t->sipi_vector = vector;
            __atomic_store_n(&t->sipi_pending, 1, __ATOMIC_SEQ_CST);
        }
    }
    if (!matched && shorthand == 0) unmatched_ipi(kind, destination);
}

// The guest's INIT: it waits for a STARTUP IPI (here, on the host); then it starts in real mode.
// NMIs sent meanwhile (another INIT) are still pending: a short STGI lets the host's IDT take and
// drop them (host/idt.c) so that they do not reach the started guest.
static void wait_for_sipi(struct bp_cpu *cpu, uint8_t *area) {
    cpu->waiting_for_sipi = 1;
    while (!__atomic_load_n(&cpu->sipi_pending, __ATOMIC_SEQ_CST)) {
        if (cpu->init_pending) cpu->init_pending = 0;
        pause();
    }
    uint32_t vector = cpu->sipi_vector;
    cpu->sipi_pending = 0;
    cpu->waiting_for_sipi = 0;
    __asm__ volatile("stgi; nop; clgi" ::: "memory");
    startup_state(cpu->vcpu.vmcb, area, vector);
    svm_read_state(&cpu->vcpu, area);
    cpu->vcpu.first_run = 1;                    // INIT flushes the TLBs (SDM vol. 3A, 9.1.1): so does the next entry
}

static uint8_t *area_of(struct bp_cpu *cpu) { return w2c_core_memory(cpu->instance)->data + cpu->area_offset; }

// One exit to the core. 0 resume; anything else: this CPU's guest cannot go on.
static uint32_t core_exit(struct bp_cpu *cpu, const struct vcpu_exit *exit, uint64_t rip) {
    lock();
    wisp_trap_point point;
    wisp_current_trap_point = &point;
    volatile uint32_t decision = DECISION_ENDED;
    int trap = wisp_setjmp(&point);
    if (trap == 0) {
        decision = w2c_core_handlePassthroughExit(cpu->instance, exit->reason, exit->qualification, exit->address);
    } else {
        con_str("wisp: blue-pill CPU ");
        con_dec(cpu->index);
        con_str(": the core trapped: ");
        con_str(wisp_trap_name(trap));
        con_str(" (exit ");
        con_str(exit->reason < EXIT_REASON_COUNT ? exit_reason_names[exit->reason] : "?");
        con_str(", guest RIP ");
        con_hex(rip);
        con_str(")\n");
    }
    wisp_current_trap_point = 0;
    unlock();
    return decision;
}

static __attribute__((noreturn)) void stop(struct bp_cpu *cpu) {
    lock();
    con_str("wisp: blue-pill CPU ");
    con_dec(cpu->index);
    con_str(": its guest cannot continue; this CPU stops\n");
    unlock();
    halt_forever();
}

static __attribute__((noreturn)) void host_loop(struct bp_cpu *cpu) {
    uint8_t *vmcb = cpu->vcpu.vmcb;
    for (;;) {
        uint8_t *area = area_of(cpu);
        struct vcpu_exit exit;
        vmcb[VMCB_TLB_CONTROL] = cpu->vcpu.first_run ? TLB_FLUSH_ALL : 0;
        cpu->vcpu.first_run = 0;
        svm_write_state(&cpu->vcpu, area);
        svm_vmrun(area, (uint64_t)vmcb, (uint64_t)cpu->host_state, 1);
        svm_read_state(&cpu->vcpu, area);
        uint64_t code = vmcb_get64(vmcb, VMCB_EXITCODE);
        if (code == VMEXIT_NMI) {
            if (__atomic_exchange_n(&cpu->init_pending, 0, __ATOMIC_SEQ_CST)) wait_for_sipi(cpu, area);
            else *(uint64_t *)(area + AREA_INJECT) = INJECT_NMI;     // the guest's own NMI
            continue;
        }
        if (code == VMEXIT_VMRUN || (code >= VMEXIT_VMLOAD && code <= VMEXIT_SKINIT) || code == VMEXIT_INVLPGA) {
            *(uint64_t *)(area + AREA_INJECT) = INJECT_UD;          // no SVM for the guest: #UD
            continue;
        }
        svm_translate_exit(&cpu->vcpu, area, &exit);
        if (core_exit(cpu, &exit, *(uint64_t *)(area + AREA_RIP)) != DECISION_RESUME) stop(cpu);
    }
}

void bluepill_host_main(struct bp_cpu *cpu, uint64_t guest_rsp, uint64_t guest_rip) {
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);   // APM vol. 2, 15.4 Enabling SVM
    wrmsr(MSR_VM_HSAVE_PA, (uint64_t)cpu->hsave);
    capture_guest(cpu, guest_rsp, guest_rip);
    // From here on the firmware's tables are the guest's: the host has its own.
    gdt_setup(&cpu->gdt, cpu->double_fault_stack_top);
    idt_load();
    write_cr3(bluepill_host_cr3);
    __asm__ volatile("vmsave %%rax" ::"a"((uint64_t)cpu->host_state) : "memory");
    uint8_t *area = area_of(cpu);
    for (uint32_t off = 0; off < 0x80; off += 8) *(uint64_t *)(area + off) = 0;
    svm_read_state(&cpu->vcpu, area);
    cpu->launched = 1;
    host_loop(cpu);
}
