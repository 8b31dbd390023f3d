// wisp.efi and wisp-test.efi: every exit goes to the core.
#include "vm/vm.h"

uint32_t vm_handle_exit(w2c_core *instance, uint8_t *area, const struct vcpu_exit *exit) {
    (void)area;
    return w2c_core_handleExit(instance, exit->reason, exit->qualification, exit->address);
}
