// Shared between the files of the SVM backend.
#pragma once
#include <stdint.h>
#include "vcpu_backend.h"

struct vcpu {
    uint8_t *vmcb;                              // 4 KiB, page-aligned (APM vol. 2, 15.5.1)
    uint64_t *npt_root;
    uint8_t *iopm, *msrpm;
    uint64_t ram_bytes;
    int first_run;
    // NMI blocking (APM vol. 2, 8.2.3: from an NMI's delivery to the next IRET), which SVM does not
    // track for an injected NMI: set when EVENTINJ delivers one (state.c), cleared when the guest's
    // next IRET has completed: while blocked, IRETs are intercepted and single-stepped (exit.c),
    // and the trap after one is the moment NMIs are unblocked (with the NMI window armed, its exit).
    int nmi_blocked;
    int iret_step;                              // RFLAGS.TF is ours for the IRET at RIP
    uint64_t iret_step_tf;                      // the guest's own TF before the IRET
};

extern int svm_has_nrip;                        // detect.c: CPUID 0x8000000A EDX bit 3
int svm_probe(void);
int svm_enable(void);
extern uint64_t svm_host_state_pa;              // enable.c: the page VMSAVE/VMLOAD keep host state in

uint64_t *npt_build(uint64_t ram_host, uint64_t ram_bytes);     // npt.c
void npt_free(uint64_t *root, uint64_t ram_bytes);
uint8_t *iopm_create(void);                     // permission_maps.c
uint8_t *msrpm_create(void);

void vmcb_init(uint8_t *vmcb, const struct vcpu_setup *s, struct vcpu *v);   // vmcb.c
void vmcb_reset_state(uint8_t *vmcb, int protected_mode, uint16_t cs_selector, uint64_t cs_base, uint64_t rip);
void svm_read_state(struct vcpu *v, uint8_t *area);       // state.c
void svm_write_state(struct vcpu *v, uint8_t *area);
void vmcb_load_entry_state(uint8_t *vmcb, const uint8_t *area);  // vmcb.c, MODE_LONG64
void svm_run(struct vcpu *v, uint8_t *area, struct vcpu_exit *exit);        // exit.c
void svm_translate_exit(struct vcpu *v, uint8_t *area, struct vcpu_exit *exit);

// vmrun.S: load guest GPRs from the area, VMLOAD/VMRUN/VMSAVE, store them back, VMLOAD host state.
void svm_vmrun(uint8_t *area, uint64_t vmcb_pa, uint64_t host_state_pa, uint64_t keep_gif_clear);

// npt_identity.c (blue-pill): guest-physical = host-physical for the first 512 GiB, 2 MiB pages,
// with 4 KiB pages where npt_identity_set changes a range (flags: NPT_IDENTITY_* below).
#define NPT_IDENTITY_NONE 0                     // not present: every access is a nested page fault
#define NPT_IDENTITY_READ 1                     // present, read-only: writes fault
uint64_t *npt_identity_build(void);
int npt_identity_set(uint64_t *root, uint64_t gpa, uint64_t bytes, int flags);
