// wisp-floor.efi (bench): the floor to compare the core against. A CPUID exit is handled entirely
// here in minimal C; every other exit goes to the core.
#include "vm/vm.h"
#include "host/cpu.h"

uint32_t vm_handle_exit(w2c_core *instance, uint8_t *area, const struct vcpu_exit *exit) {
    if (exit->reason == EXIT_CPUID) {
        uint64_t *gpr = (uint64_t *)area;
        uint32_t r[4];
        cpuid((uint32_t)gpr[AREA_RAX / 8], (uint32_t)gpr[AREA_RCX / 8], r);
        gpr[AREA_RAX / 8] = r[0];
        gpr[AREA_RBX / 8] = r[1];
        gpr[AREA_RCX / 8] = r[2];
        gpr[AREA_RDX / 8] = r[3];
        gpr[AREA_RIP / 8] += 2;                 // CPUID is 0F A2 (APM vol. 3, CPUID)
        return 0;
    }
    return w2c_core_handleExit(instance, exit->reason, exit->qualification, exit->address);
}
