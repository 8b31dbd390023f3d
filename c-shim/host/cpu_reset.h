// Before each VM: the guest-visible CPU state that VM entry does not switch, back to its reset
// values (cpu_reset.c). 0: no host memory for the clean XSAVE area (the VM must not start).
#pragma once

int cpu_reset_guest_state(void);
