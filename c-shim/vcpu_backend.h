// The vendor interface: everything vm.c needs from SVM (today) or VMX (later). A backend turns its
// vendor's exits into the neutral exit record and copies state between its vendor structure and
// the vCPU area (docs/architecture.md, "vCPU state area"). Chosen at run time by probe().
#pragma once
#include <stdint.h>

struct vcpu;                                    // the backend's own per-vCPU state

enum entry_mode { ENTRY_REAL16 = 0, ENTRY_PROTECTED32 = 2 };   // vmMode(): the vCPU area's mode encoding

struct vcpu_setup {
    uint64_t ram_host;                          // host-physical address of guest-physical 0
    uint64_t ram_bytes;                         // guest RAM is exactly [0, ram_bytes)
    uint64_t entry;                             // first RIP
    uint32_t mode;                              // enum entry_mode
};

struct vcpu_exit {                              // the neutral exit record
    uint32_t reason;
    uint64_t qualification;
    uint64_t address;
};

enum exit_reason {                              // docs/architecture.md, "Neutral exit record"
    EXIT_CPUID = 1, EXIT_IO, EXIT_MSR_READ, EXIT_MSR_WRITE, EXIT_HLT, EXIT_HYPERCALL,
    EXIT_MEMORY_FAULT, EXIT_SHUTDOWN, EXIT_EXCEPTION, EXIT_INTERRUPT, EXIT_ENTRY_FAILED,
    EXIT_UNSUPPORTED, EXIT_REASON_COUNT
};

// vCPU area layout (docs/architecture.md)
#define AREA_SIZE 512
#define AREA_RAX 0x00
#define AREA_RCX 0x08
#define AREA_RDX 0x10
#define AREA_RBX 0x18
#define AREA_RSP 0x20
#define AREA_RIP 0x80
#define AREA_RFLAGS 0x88
#define AREA_NEXT_RIP 0x90
#define AREA_CR0 0x98
#define AREA_CR2 0xA0
#define AREA_CR3 0xA8
#define AREA_CR4 0xB0
#define AREA_EFER 0xB8
#define AREA_PAT 0xC0
#define AREA_MODE 0xC8
#define AREA_CPL 0xCC
#define AREA_INJECT 0xD0

struct vcpu_backend {
    const char *name;
    int (*probe)(void);                                          // 1: this CPU can run it
    int (*enable)(void);                                         // after take-over; 1 ok
    struct vcpu *(*create)(const struct vcpu_setup *setup);      // NULL if out of memory
    void (*destroy)(struct vcpu *v);
    void (*read_state)(struct vcpu *v, uint8_t *area);           // vendor state -> area
    void (*write_state)(struct vcpu *v, uint8_t *area);          // area -> vendor state, injection
    void (*run)(struct vcpu *v, uint8_t *area, struct vcpu_exit *exit);   // enter; on exit, area + record
};

extern const struct vcpu_backend svm_backend;
