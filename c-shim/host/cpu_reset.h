// Before each VM: the guest-visible CPU state that VM entry does not switch, back to its reset
// values (cpu_reset.c). 0: no host memory for the clean XSAVE area (the VM must not start).
#pragma once

int cpu_reset_guest_state(void);

// Before every entry: the guest's IA32_TSC_AUX (the vCPU area's tscAux, bits 31:0) into the CPU,
// which neither SVM nor VMX switches; written only when it differs from what the CPU holds, and
// only on a CPU that has the MSR.
#include <stdint.h>
extern uint32_t cpu_tsc_aux_loaded;
void cpu_write_tsc_aux(uint32_t value);
static inline void cpu_load_guest_tsc_aux(uint32_t value) {
    if (value != cpu_tsc_aux_loaded) cpu_write_tsc_aux(value);
}
