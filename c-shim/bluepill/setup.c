// bluepill_setup, run from the relocated copy (bluepill.h): the pool, the CPUs, one core instance
// per CPU, the shared nested page table, the host's page tables and IDT. Nothing here changes how
// the firmware runs; bluepill_launch does, CPU by CPU.
#include "bluepill/bluepill.h"
#include "svm/vmcb.h"
#include "host/alloc.h"
#include "host/console.h"
#include "host/cpu.h"
#include "host/idt.h"
#include "host/lapic.h"
#include "host/paging.h"
#include "runtime/trap.h"

#define PAGE 4096ull                            // UEFI spec 7.2 AllocatePages
#define POOL_BYTES (16ull << 20)                // nested page table (2 MiB), host page tables, instances
#define HOST_STACK_BYTES (32u << 10)
#define DOUBLE_FAULT_STACK_BYTES (8u << 10)
#define IOPM_BYTES (12 * 1024)                  // APM vol. 2, 15.10.1
#define MSRPM_BYTES (8 * 1024)                  // APM vol. 2, 15.11
#define CANARY 0x7073697770736977ull            // "wispwisp"
#define EFI_UNSUPPORTED EFI_ERR(3)              // UEFI spec Appendix D
#define EFI_OUT_OF_RESOURCES EFI_ERR(9)

static struct vm bluepill_vm = { .name = "blue-pill", .name_len = 9, .passthrough = 1 };

// The MSR exits (APM vol. 2, 15.11 Table 15-5: two bits per MSR, read then write; MSRs 0-1FFFh from
// byte 0, C001_0000h-C001_1FFFh from byte 0x1000): reads and writes of VM_CR and VM_HSAVE_PA, writes
// of IA32_APIC_BASE (as-src/vm/passthrough.ts), nothing else.
#define MSRPM_READ 1u
#define MSRPM_WRITE 2u
static void msrpm_intercept(uint8_t *msrpm, uint32_t msr, uint32_t what) {
    uint32_t bit = msr < 0x2000 ? msr * 2 : 0x1000 * 8 + (msr - 0xC0010000u) * 2;
    msrpm[bit / 8] |= (uint8_t)(what << (bit % 8));
}

static int instance_setup(struct bp_cpu *cpu) {
    cpu->env.vm = &bluepill_vm;
    w2c_core *volatile in = instance_alloc(&cpu->env);
    if (!in) return 0;
    wisp_trap_point point;
    wisp_current_trap_point = &point;
    int ok = 0;
    if (wisp_setjmp(&point) == 0) {
        wasm2c_core_instantiate(in, in->w2c_env_instance);
        w2c_core_bluepillSetup(in, lapic_base());
        uint32_t area = w2c_core_vcpuStateOffset(in);
        ok = !(area & 7) && instance_range_ok(in, area, AREA_SIZE);
        cpu->area_offset = area;
    } else {
        con_str("wisp: blue-pill: the core trapped while it was set up\n");
    }
    wisp_current_trap_point = 0;
    if (!ok) { instance_free(in); return 0; }
    cpu->instance = in;
    return 1;
}

static int cpu_setup(struct bp_cpu *cpu, uint64_t *npt, uint8_t *iopm, uint8_t *msrpm) {
    uint8_t *stack = wisp_alloc(HOST_STACK_BYTES, 16), *df = wisp_alloc(DOUBLE_FAULT_STACK_BYTES, 16);
    cpu->vcpu.vmcb = alloc_page();
    cpu->hsave = alloc_page();                  // 4 KiB aligned (APM vol. 2, 15.30.4)
    cpu->host_state = alloc_page();
    if (!stack || !df || !cpu->vcpu.vmcb || !cpu->hsave || !cpu->host_state) return 0;
    cpu->stack_top = (uint64_t)stack + HOST_STACK_BYTES;
    cpu->double_fault_stack_top = (uint64_t)df + DOUBLE_FAULT_STACK_BYTES;
    cpu->vcpu.npt_root = npt;
    cpu->vcpu.iopm = iopm;
    cpu->vcpu.msrpm = msrpm;
    cpu->vcpu.first_run = 1;
    return instance_setup(cpu);
}

efi_status bluepill_setup(efi_system_table *st, const struct bp_image *image, struct bp_plan *plan) {
    efi_bs = st->boot_services;
    if (!svm_probe()) {
        con_str("wisp: blue-pill needs AMD SVM with nested paging (Intel VT-x: not in this version); "
                "the firmware continues without wisp\n");
        return EFI_UNSUPPORTED;
    }
    uint64_t pool = 0;
    if (efi_bs->allocate_pages(EFI_ALLOCATE_ANY_PAGES, EFI_RESERVED_MEMORY_TYPE, POOL_BYTES / PAGE, &pool)) {
        con_str("wisp: cannot reserve memory for wisp\n");
        return EFI_OUT_OF_RESOURCES;
    }
    alloc_init(pool, POOL_BYTES);
    lapic_init();                               // reads IA32_APIC_BASE only

    efi_mp_services *mp = 0;
    uint64_t count = 1, enabled = 1;
    if (efi_bs->locate_protocol(&efi_mp_services_guid, 0, (void **)&mp) != EFI_SUCCESS ||
        mp->get_number_of_processors(mp, &count, &enabled) != EFI_SUCCESS || count == 0) {
        mp = 0;
        count = 1;
        con_str("wisp: the firmware has no MP services: only this CPU becomes a guest\n");
    }
    struct bp_cpu *cpus = wisp_alloc(count * sizeof *cpus, 64);
    uint64_t *npt = npt_identity_build();
    uint8_t *iopm = wisp_alloc(IOPM_BYTES, PAGE), *msrpm = wisp_alloc(MSRPM_BYTES, PAGE);
    volatile uint64_t *canary = alloc_page();
    uint64_t host_cr3 = paging_build(0);
    if (!cpus || !npt || !iopm || !msrpm || !canary || !host_cr3) goto no_memory;
    msrpm_intercept(msrpm, MSR_VM_CR, MSRPM_READ | MSRPM_WRITE);   // the guest sees no SVM (CPUID hides it)
    msrpm_intercept(msrpm, MSR_VM_HSAVE_PA, MSRPM_READ | MSRPM_WRITE);
    msrpm_intercept(msrpm, MSR_APIC_BASE, MSRPM_WRITE);           // the APIC stays where wisp watches it
    *canary = CANARY;

    uint32_t bsp = 0;
    for (uint32_t i = 0; i < count; i++) {
        struct bp_cpu *c = &cpus[i];
        c->index = i;
        efi_processor_information info;
        if (mp && mp->get_processor_info(mp, i, &info) == EFI_SUCCESS) {
            c->apic_id = (uint32_t)info.processor_id;
            if (info.status_flag & 1) bsp = i;  // StatusFlag bit 0: the BSP (PI spec vol. 2, 13.4.3)
        } else {
            uint32_t r[4];
            cpuid(1, 0, r);
            c->apic_id = r[1] >> 24;
        }
        if (!cpu_setup(c, npt, iopm, msrpm)) goto no_memory;
    }
    // Wisp's memory, as the guest sees it: nothing (reads all ones, writes dropped by the core).
    // The local APIC's page: read-only, so that the guest's IPIs exit (devices/host-apic.ts).
    if (!npt_identity_set(npt, pool, POOL_BYTES, NPT_IDENTITY_NONE) ||
        !npt_identity_set(npt, image->copy, image->copy_bytes, NPT_IDENTITY_NONE) ||
        !npt_identity_set(npt, lapic_base(), PAGE, NPT_IDENTITY_READ)) goto no_memory;
    idt_build();
    bp_cpus = cpus;
    bp_cpu_count = (uint32_t)count;
    bp_protected[0][0] = pool;
    bp_protected[0][1] = POOL_BYTES;
    bp_protected[1][0] = image->copy;
    bp_protected[1][1] = image->copy_bytes;
    bp_canary = canary;
    bluepill_host_cr3 = host_cr3;

    con_str("wisp: blue-pill: ");
    con_dec(count);
    con_str(count == 1 ? " CPU" : " CPUs");
    con_str("; wisp's memory ");
    con_hex(image->copy);
    con_str("+");
    con_hex(image->copy_bytes);
    con_str(" and ");
    con_hex(pool);
    con_str("+");
    con_hex(POOL_BYTES);
    con_str(" is reserved and hidden from the guest\n");
    plan->mp = mp;
    plan->cpus = cpus;
    plan->cpu_count = (uint32_t)count;
    plan->bsp = bsp;
    plan->host_main = bluepill_host_main;
    return EFI_SUCCESS;

no_memory:
    con_str("wisp: blue-pill: out of memory in its pool; the firmware continues without wisp\n");
    efi_bs->free_pages(pool, POOL_BYTES / PAGE);
    return EFI_OUT_OF_RESOURCES;
}
