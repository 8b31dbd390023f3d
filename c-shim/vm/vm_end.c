// `on-end = mirror` (docs/architecture.md, "Ending"): wisp ends the way plain QEMU with -no-reboot
// and isa-debug-exit would have ended for the same guest, so `wisp run` can hand QEMU's status on.
// For one VM; with several, the last one's result counts.
#include "vm/vm.h"
#include "host/acpi_poweroff.h"
#include "host/console.h"
#include "host/cpu.h"

#define DEBUG_EXIT_PORT 0xF4                    // QEMU isa-debug-exit (iobase=0xf4): status (V << 1) | 1
#define STOPPED_BY_WISP 0x7E                    // status (0x7e << 1) | 1 = 253: wisp had to stop the VM

void vm_end_mirror(const struct wisp_config *cfg) {
    const struct vm *vm = &cfg->vms[cfg->vm_count ? cfg->vm_count - 1 : 0];
    switch (cfg->vm_count ? vm->result_kind : RESULT_ERROR) {
    case RESULT_EXIT:                           // the guest wrote V to port 0xf4
        outl(DEBUG_EXIT_PORT, (uint32_t)vm->result_value);
        break;
    case RESULT_POWEROFF:
    case RESULT_RESET:                          // with -no-reboot QEMU ends on a reset too
    case RESULT_SHUTDOWN:                       // a triple fault is a reset
        con_str("wisp: powering off\n");
        acpi_poweroff();
        con_str("wisp: ACPI power-off did not work\n");
        break;
    default:                                    // fault, trap, error, halt: wisp stopped it
        outl(DEBUG_EXIT_PORT, STOPPED_BY_WISP);
        break;
    }
}
