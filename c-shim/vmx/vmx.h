// Shared between the files of the VMX backend.
#pragma once
#include <stdint.h>
#include "vcpu_backend.h"

struct msr_entry {                              // VM-entry/exit MSR areas (25.7.2, 25.8.2): 16 bytes each
    uint32_t index, reserved;
    uint64_t value;
};

struct vcpu {
    uint8_t *vmcs;                              // 4 KiB VMCS region (25.2)
    uint64_t *ept_root;
    uint8_t *io_bitmaps;                        // 8 KiB: bitmap A (ports 0-0x7FFF), then B
    uint8_t *msr_bitmap;                        // 4 KiB
    struct msr_entry *msr_lists;                // one page: the guest's list, then the host's
    uint64_t ram_host, ram_bytes, entry;
    uint32_t mode;                              // MODE_*, for the first VMCS set-up
    int loaded;                                 // VMCS cleared, loaded and filled in
    int launched;                               // VMLAUNCH done: VMRESUME from now on
    int failed;                                 // a VMCS field could not be written
    uint32_t entry_controls, proc_controls;
    int virtual_nmis;                           // pin controls have NMI exiting and virtual NMIs
    // The guest's state as of the last exit: write_state writes back only what changed.
    uint64_t rip, rsp, rflags, efer, pat, cr2, tsc_offset;
    uint32_t instruction_length;                // VM-exit instruction length (25.9.4)
    uint32_t idt_vectoring, idt_vectoring_error;   // an event the exit interrupted (25.9.3)
};

struct vmx_caps {                               // detect.c: what this CPU allows (Appendix A)
    uint32_t revision;
    uint64_t pin, proc, proc2, exit, entry;     // allowed-0 settings in 31:0, allowed-1 in 63:32
    uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
    uint64_t ept_vpid;
    int vpid;                                   // VPIDs used (with all-context INVVPID)
};
extern struct vmx_caps vmx_caps;

int vmx_probe(void);                            // detect.c
int vmx_enable(void);                           // enable.c
uint32_t vmx_adjust(uint64_t allowed, uint32_t wanted);   // detect.c: allowed-0 set, allowed-1 cleared

uint64_t *ept_build(uint64_t ram_host, uint64_t ram_bytes);      // ept.c
void ept_free(uint64_t *root);
uint8_t *io_bitmaps_create(void);                              // bitmaps.c
uint8_t *msr_bitmap_create(void);
struct msr_entry *msr_lists_create(void);
#define MSR_LIST_COUNT 5                        // KERNEL_GS_BASE, STAR, LSTAR, CSTAR, SFMASK
#define MSR_LIST_HOST_OFFSET 16                 // the host's list: entries 16.. of the page

int vmcs_load(struct vcpu *v);                  // vmcs.c: make v's VMCS current (first time: fill it in)
void vmcs_forget(struct vcpu *v);
void vmx_load_entry_state(struct vcpu *v, const uint8_t *area);   // vmcs.c               // VMCLEAR before the region is freed
void vmx_read_state(struct vcpu *v, uint8_t *area);      // state.c
void vmx_write_state(struct vcpu *v, uint8_t *area);
void vmx_run(struct vcpu *v, uint8_t *area, struct vcpu_exit *exit);     // exit.c
int vmx_handle_cr_write(struct vcpu *v, uint8_t *area);                   // cr_access.c; 1 handled
int vmx_handle_xsetbv(struct vcpu *v, uint8_t *area);                     // xsetbv.c; 1 handled
void vmx_skip_instruction(struct vcpu *v);                                // state.c: RIP past the exiting one
int guest_fetch(struct vcpu *v, uint64_t linear, uint8_t *out, uint32_t n);  // guest_fetch.c; 1 ok
void vmx_inject_now(struct vcpu *v, uint32_t info, uint32_t error);   // state.c: an event for the next entry
void vmx_set_efer(struct vcpu *v, uint64_t efer);          // state.c: guest EFER and "IA-32e mode guest"
void vmx_interrupt_window(struct vcpu *v, uint32_t windows);   // state.c: exit when the guest can take an interrupt or NMI

// vmentry.S: guest GPRs (all but RSP, which the VMCS holds) from the area, VMLAUNCH or VMRESUME,
// back to the area on exit. 0: a VM exit happened; 1: VMfailValid; 2: VMfailInvalid.
int vmx_enter(uint8_t *area, int launched);
extern char vmx_exit_point[];
