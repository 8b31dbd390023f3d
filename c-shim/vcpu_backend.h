// The vendor interface: everything vm_run.c and vm_prepare.c need from SVM or VMX. A backend turns its
// vendor's exits into the neutral exit record and copies state between its vendor structure and
// the vCPU area (docs/architecture.md, "vCPU state area"). Chosen at run time by probe().
#pragma once
#include <stdint.h>

struct vcpu;                                    // the backend's own per-vCPU state

// vmMode(): the vCPU area's mode encoding. LONG64: flat 64-bit segments, and CR0/CR3/CR4/EFER/RIP/
// RSI as the core's loader left them in the area (Linux boot protocol, "64-bit Boot Protocol").
enum entry_mode { ENTRY_REAL16 = 0, ENTRY_PROTECTED32 = 2, ENTRY_LONG64 = 3 };

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
    EXIT_UNSUPPORTED, EXIT_INTERRUPT_WINDOW, EXIT_WBINVD, EXIT_NMI_WINDOW, EXIT_REASON_COUNT
};
// The core's statistics (statsOffset): u64 counts by exit reason, then the refused MSR accesses.
#define STAT_MSR_REFUSED EXIT_REASON_COUNT
#define STATS_COUNT (EXIT_REASON_COUNT + 1)

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
#define AREA_SEG_BASE 0xD8                      // u64 each: ES, CS, SS, DS, FS, GS (x86 segment order)
#define AREA_INTERRUPTIBILITY 0x108             // u32: bit 0 interrupt shadow, bit 1 NMI blocked
#define AREA_INTERRUPT_WINDOW 0x10C             // u32, set by the core: bit 0 interrupt window, bit 1 NMI window
#define AREA_TSC_OFFSET 0x110                   // u64, set by the core: guest TSC = host TSC + offset
#define AREA_TSC_AUX 0x118                      // u64 (31:0 used), set by the core: the guest's IA32_TSC_AUX
#define AREA_ENTRY_GDTR_BASE 0x1F0              // u64, set by the core's loader for the first entry
#define AREA_ENTRY_GDTR_LIMIT 0x1F8             // u64 (16 bits used); 0: keep the backend's GDTR
#define INTERRUPTIBILITY_SHADOW (1u << 0)
#define INTERRUPTIBILITY_NMI_BLOCKED (1u << 1)
#define WINDOW_INTERRUPT (1u << 0)              // exit once the guest can take an external interrupt
#define WINDOW_NMI (1u << 1)                    // exit once NMI blocking has ended (the guest's IRET)

// What handleExit returns (docs/architecture.md, "Neutral exit record").
enum exit_decision { DECISION_RESUME = 0, DECISION_ENDED = 1, DECISION_IDLE = 2 };

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
