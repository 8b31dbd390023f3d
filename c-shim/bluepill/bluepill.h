// Blue-pill (docs/deployment.md, "Firmware driver and blue-pill"): wisp-driver.efi turns the running
// firmware into a guest on every CPU and returns; the OS the firmware then boots runs as that guest.
//
// The loaded image (boot-services memory, which the OS reclaims) copies itself into reserved memory
// (relocate.c) and sets up from the copy (setup.c): a pool in reserved memory for everything else,
// one core instance per CPU, one nested page table for all of them that maps guest-physical to the
// same host-physical addresses except wisp's memory (not present) and the local APIC (read-only).
// Back in the loaded image (entry.c) each CPU runs bluepill_launch (launch.S): its state becomes its
// guest's, it moves onto wisp's stack, descriptor tables and page tables in the copy, and enters
// the guest, which returns from bluepill_launch. Only the loaded image's code runs as guest code
// afterwards; it must not touch wisp's memory (which reads as all ones to a guest).
#pragma once
#include <stdint.h>
#include "vm/vm.h"
#include "svm/svm.h"
#include "host/gdt.h"
#include "efi/efi.h"

struct bp_cpu {
    uint64_t stack_top;                         // offset 0: launch.S moves onto it
    uint32_t index, apic_id;
    struct host_gdt gdt;
    struct vcpu vcpu;                           // svm.h: VMCB, NPT (shared), permission maps (shared)
    uint8_t *host_state;                        // VMSAVE/VMLOAD area of the host's FS, GS, TR...
    uint8_t *hsave;                             // VM_HSAVE_PA (APM vol. 2, 15.30.4)
    uint64_t double_fault_stack_top;
    struct w2c_env env;                         // the import context of this CPU's instance
    w2c_core *instance;
    uint32_t area_offset;
    volatile uint32_t launched;                 // the host ran; its guest is about to start
    // INIT and STARTUP IPIs sent to this CPU's guest (cpu.c)
    volatile uint32_t init_pending, sipi_pending, sipi_vector, waiting_for_sipi;
};

typedef void (*bp_host_main_fn)(struct bp_cpu *cpu, uint64_t guest_rsp, uint64_t guest_rip);

struct bp_plan {                                // what the copy's setup hands the loaded image
    efi_mp_services *mp;                        // NULL: the firmware has no MP services (one CPU)
    struct bp_cpu *cpus;
    uint32_t cpu_count, bsp;
    bp_host_main_fn host_main;                  // bluepill_host_main, in the copy
};

struct bp_image {                               // relocate.c
    uint64_t loaded_base, loaded_bytes;         // where the firmware loaded wisp-driver.efi
    uint64_t copy, copy_bytes;                  // the relocated copy in reserved memory
};

typedef efi_status (*bp_setup_fn)(efi_system_table *st, const struct bp_image *image, struct bp_plan *plan);

int bluepill_relocate(efi_handle image, struct bp_image *out);                     // relocate.c
efi_status bluepill_setup(efi_system_table *st, const struct bp_image *image, struct bp_plan *plan);   // setup.c
void bluepill_host_main(struct bp_cpu *cpu, uint64_t guest_rsp, uint64_t guest_rip);   // cpu.c
uint64_t bluepill_launch(struct bp_cpu *cpu, bp_host_main_fn host_main);           // launch.S: 1 as the guest

// cpu.c: the CPUs and wisp's memory, for the core's imports (imports.c in this directory)
extern struct bp_cpu *bp_cpus;
extern uint32_t bp_cpu_count;
extern uint64_t bp_protected[2][2];             // [base, bytes] of the pool and of the copy
extern volatile uint64_t *bp_canary;
extern uint64_t bluepill_host_cr3;              // the host's identity page tables (host/paging.c)
void bluepill_startup_ipi(struct bp_cpu *from, uint32_t kind, uint32_t flags, uint32_t destination, uint32_t vector);
