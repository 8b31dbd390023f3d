// efi_driver_main: the entry point of wisp-driver.efi (a UEFI boot-service driver, loaded by the
// firmware through a Driver#### option or the UEFI Shell's `load`). This code stays in the loaded
// image: it is what the guest runs after bluepill_launch, on every CPU (bluepill.h).
#include "bluepill/bluepill.h"
#include "version.h"
#include "host/console.h"
#include "host/cpu.h"
#include "host/serial.h"

#define EFI_LOAD_ERROR EFI_ERR(1)               // UEFI spec Appendix D
#define EFI_ALREADY_STARTED EFI_ERR(20)

// Runs on each application processor, from the firmware's MP services (one at a time).
static void ap_procedure(void *argument) {
    const struct bp_plan *plan = argument;
    uint32_t r[4];
    cpuid(1, 0, r);                             // EBX bits 31:24: initial APIC ID (SDM vol. 2A, CPUID)
    for (uint32_t i = 0; i < plan->cpu_count; i++)
        if (i != plan->bsp && plan->cpus[i].apic_id == r[1] >> 24) {
            bluepill_launch(&plan->cpus[i], plan->host_main);
            return;
        }
}

efi_status efi_driver_main(efi_handle image, efi_system_table *system_table) {
    efi_bs = system_table->boot_services;
    serial_init();
    con_str("\nwisp " WISP_VERSION " firmware driver: blue-pill\n");
    uint32_t r[4];
    cpuid(0x40000000, 0, r);                    // hypervisor leaves (as-src/cpu/cpuid.ts)
    if (r[1] == WISP_SIGNATURE && r[2] == WISP_SIGNATURE && r[3] == WISP_SIGNATURE) {
        con_str("wisp: wisp already runs this machine; nothing to do\n");
        return EFI_ALREADY_STARTED;
    }
    struct bp_image copy;
    if (!bluepill_relocate(image, &copy)) {
        con_str("wisp: cannot copy wisp into reserved memory; the firmware continues without wisp\n");
        return EFI_LOAD_ERROR;
    }
    // The copy's own bluepill_setup (the same code, relocated): from there on wisp uses the copy.
    bp_setup_fn setup = (bp_setup_fn)((uint64_t)&bluepill_setup - copy.loaded_base + copy.copy);
    struct bp_plan plan = { 0 };
    efi_status s = setup(system_table, &copy, &plan);
    if (s != EFI_SUCCESS) {
        efi_bs->free_pages(copy.copy, copy.copy_bytes / 4096);
        return s;
    }
    if (plan.mp && plan.cpu_count > 1)          // single_thread = 1: one AP after the other
        plan.mp->startup_all_aps(plan.mp, ap_procedure, 1, 0, 0, &plan, 0);
    uint32_t guests = 1;
    for (uint32_t i = 0; i < plan.cpu_count; i++) guests += i != plan.bsp && plan.cpus[i].launched;
    bluepill_launch(&plan.cpus[plan.bsp], plan.host_main);
    // This CPU is a guest now: only the loaded image's memory and the stack from here on.
    con_str("wisp: blue-pill: the firmware runs as a guest on ");
    con_dec(guests);
    con_str(guests == plan.cpu_count ? " CPUs (all)\n" : " CPUs (not all: see above)\n");
    return EFI_SUCCESS;
}
