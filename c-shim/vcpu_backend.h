// The vendor interface: everything vm/vm_run.c and vm/vm_prepare.c need from SVM or VMX. A backend turns its
// vendor's exits into the neutral exit record and copies state between its vendor structure and
// the vCPU area (docs/architecture.md, "vCPU state area"). Chosen at run time by probe().
#pragma once
#include <stdint.h>

struct vcpu;                                    // the backend's own per-vCPU state

// The numbers shared with the core (exit reasons, the vCPU area's offsets and flags, decisions,
// results, modes) are generated from as-src/abi.ts into out/gen/abi.h (build/abi.ts).
#include "abi.h"

struct vcpu_setup {
    uint64_t ram_host;                          // host-physical address of guest-physical 0
    uint64_t ram_bytes;                         // guest RAM is exactly [0, ram_bytes)
    uint64_t entry;                             // first RIP
    uint32_t mode;                              // MODE_REAL, MODE_PROTECTED32 or MODE_LONG64 (LONG64: flat
                                                // 64-bit segments, and CR0/CR3/CR4/EFER/RIP/RSI as the
                                                // core's loader left them in the area)
};

struct vcpu_exit {                              // the neutral exit record
    uint32_t reason;
    uint64_t qualification;
    uint64_t address;
};

struct vcpu_backend {
    const char *name;
    int (*probe)(void);                                          // 1: this CPU can run it
    int (*enable)(void);                                         // after take-over; 1 ok
    struct vcpu *(*create)(const struct vcpu_setup *setup);      // NULL if out of memory
    void (*destroy)(struct vcpu *v);
    void (*read_state)(struct vcpu *v, uint8_t *area);           // vendor state -> area
    // area -> vendor state, injection, and the area's interruptWindow bits: WINDOW_INTERRUPT
    // armed, the backend makes the guest exit with EXIT_INTERRUPT_WINDOW as soon as it can take an
    // external interrupt (SVM: V_IRQ + VINTR intercept; VMX: interrupt-window exiting);
    // WINDOW_NMI armed, with EXIT_NMI_WINDOW once NMI blocking has ended (SVM: the IRET,
    // intercepted and single-stepped; VMX: NMI-window exiting); disarmed, it stops asking.
    void (*write_state)(struct vcpu *v, uint8_t *area);
    void (*run)(struct vcpu *v, uint8_t *area, struct vcpu_exit *exit);   // enter; on exit, area + record
    // Once before the first entry, after the core's loader (loadGuest) ran: the entry state it left
    // in the area (mode, CR0/CR3/CR4/EFER, RIP, RSP, RAX, RFLAGS, entry GDTR) into the vendor state,
    // with flat segments for LONG64 (64-bit code) and PROTECTED32.
    void (*load_entry_state)(struct vcpu *v, const uint8_t *area);
};

extern const struct vcpu_backend svm_backend, vmx_backend;
