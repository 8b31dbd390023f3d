// efi_main: console, CPU check, configuration, per-VM preparation, ExitBootServices, take-over,
// then the VMs one after the other (docs/architecture.md, "Boot flow").
#include "vm/vm.h"
#include "version.h"
#include "payload.h"
#include "efi/efi.h"
#include "efi/files.h"
#include "efi/sections.h"
#include "efi/exit_boot.h"
#include "host/acpi_poweroff.h"
#include "host/alloc.h"
#include "host/clock.h"
#include "host/console.h"
#include "host/cpu.h"
#include "host/lapic.h"
#include "host/serial.h"
#include "host/takeover.h"

#define PAGE 4096ull                            // UEFI spec 7.2 AllocatePages
#define POOL_BYTES (32ull << 20)                // instances' memories, VMCBs, page tables
#define CONFIG_MAX (64u << 10)
#define MEMORY_MAP_BYTES (64u << 10)
#define DEBUG_EXIT_PORT 0xF4                    // QEMU isa-debug-exit (iobase=0xf4)
#define BOCHS_SHUTDOWN_PORT 0x8900              // Bochs: the string "Shutdown" written here ends it
#define EFI_UNSUPPORTED EFI_ERR(3)              // UEFI spec Appendix D
#define EFI_LOAD_ERROR EFI_ERR(1)
#define EFI_OUT_OF_RESOURCES EFI_ERR(9)

// The vendor backends, tried in order; the first whose probe() succeeds runs every VM.
static const struct vcpu_backend *const backends[] = { &svm_backend, &vmx_backend };
const struct vcpu_backend *vcpu_backend;
static struct wisp_config config;

static void firmware_stall(uint64_t us) { efi_bs->stall(us); }

static int load_config(efi_handle image) {
    char *text = wisp_alloc(CONFIG_MAX, 16);
    if (!text) return 0;
    uint64_t size = 0;
    efi_status s = sections_open(image) ? EFI_SUCCESS : files_open_volume(image);   // appliance: no file system
    if (s == EFI_SUCCESS) s = files_read("wisp.cfg", 8, text, CONFIG_MAX, &size);
    else s = EFI_NOT_FOUND;
    if (s == EFI_BUFFER_TOO_SMALL) {
        con_str("wisp: \\wisp\\wisp.cfg is larger than 64 KiB\n");
        return 0;
    }
    if (s != EFI_SUCCESS) {
        con_str("wisp: no \\wisp\\wisp.cfg; using the built-in configuration and guest\n");
        size = wisp_default_config_size;
        if (size > CONFIG_MAX) return 0;
        for (uint64_t i = 0; i < size; i++) text[i] = (char)wisp_default_config[i];
        config.builtin = 1;
    }
    config.text = text;
    config.text_len = size;
    return 1;
}

efi_status efi_main(efi_handle image, efi_system_table *system_table) {
    efi_bs = system_table->boot_services;
    serial_init();
    efi_bs->set_watchdog_timer(0, 0, 0, 0);     // UEFI spec 7.5: timeout 0 disables the watchdog
    con_str("\nwisp " WISP_VERSION "\n");

    for (unsigned i = 0; i < sizeof backends / sizeof backends[0] && !vcpu_backend; i++)
        if (backends[i]->probe()) vcpu_backend = backends[i];
    if (!vcpu_backend) {
        con_str("wisp: this CPU has no AMD SVM with nested paging and no Intel VT-x with EPT and "
                "unrestricted guest; nothing to do\n");
        return EFI_UNSUPPORTED;
    }

    uint64_t pool = 0;
    if (efi_bs->allocate_pages(EFI_ALLOCATE_ANY_PAGES, EFI_LOADER_DATA, POOL_BYTES / PAGE, &pool)) {
        con_str("wisp: cannot reserve the host memory pool\n");
        return EFI_OUT_OF_RESOURCES;
    }
    alloc_init(pool, POOL_BYTES);

    if (!load_config(image) || config_parse(&config) != 0) {
        efi_bs->free_pages(pool, POOL_BYTES / PAGE);
        return EFI_LOAD_ERROR;                  // nothing started: back to the firmware
    }
    for (uint32_t i = 0; i < config.vm_count; i++) vm_prepare(&config.vms[i], &config);

    lapic_init();
    if (!lapic_calibrate(firmware_stall)) con_str("wisp: LAPIC timer calibration failed\n");
    if (!tsc_calibrate(firmware_stall)) con_str("wisp: TSC calibration failed\n");
    int can_power_off = acpi_poweroff_prepare(system_table);
    if (config.on_end == ON_END_MIRROR && !can_power_off) con_str("wisp: no ACPI S5 found: cannot power off\n");
    void *map = wisp_alloc(MEMORY_MAP_BYTES, 16);
    uint64_t max_physical = 0;
    if (!map || !efi_exit_boot_services(image, map, MEMORY_MAP_BYTES, &max_physical)) {
        con_str("wisp: ExitBootServices failed\n");
        return EFI_LOAD_ERROR;
    }
    // No firmware service from here on.
    if (!host_take_over(max_physical) || !vcpu_backend->enable()) {
        con_str("wisp: take-over failed; halting\n");
        halt_forever();
    }
    clock_init();
    con_str("wisp: ");
    con_str(vcpu_backend->name);
    con_str(", host timer ");
    con_dec(TIMER_HZ);
    con_str(" Hz (");
    con_dec(lapic_counts_per_10ms);
    con_str(" LAPIC counts per 10 ms), TSC ");
    con_dec(tsc_khz);
    con_str(" kHz\n");

    for (uint32_t i = 0; i < config.vm_count; i++) {
        struct vm *vm = &config.vms[i];
        if (vm->prepared) vm_run(vm, &config);
        if (vm->vcpu) vcpu_backend->destroy(vm->vcpu);
        vm->vcpu = 0;
    }
    uint32_t failed = 0;
    if (config.on_end == ON_END_MIRROR) vm_end_mirror(&config);  // returns only if it could not end QEMU
    vm_print_summary(&config, &failed);
    if (config.debug_exit) {
        outl(DEBUG_EXIT_PORT, failed);          // QEMU exits with (failed << 1) | 1
        // Bochs has no isa-debug-exit: it ends here, and the runner reads the summary line.
        for (const char *p = "Shutdown"; *p; p++) outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*p);
    }
    con_str("wisp: all VMs ended; halting\n");
    halt_forever();
}
