/*
 * A hand-written C exit dispatcher equivalent to the core's handleExit (as-src/exit.ts): the
 * baseline that the AssemblyScript -> Wasm -> wasm2c core is measured against. Same 13-reason
 * switch, same statistics counting and ended-VM check, same CPUID policy (as-src/cpu/cpuid.ts) on a
 * plain C struct instead of linear memory.
 */
#ifndef WISP_BENCH_HAND_DISPATCH_H
#define WISP_BENCH_HAND_DISPATCH_H

#include <stdint.h>

struct hand_vcpu {                 /* the layout of the core's vCPU area (docs/architecture.md) */
  uint64_t gpr[16];                /* rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8..r15 */
  uint64_t rip, rflags, next_rip, cr0, cr2, cr3, cr4, efer, pat;
  uint32_t mode, cpl;
  uint64_t inject;
};

struct hand_vm {
  struct hand_vcpu vcpu;
  uint64_t stats[13];              /* exits by reason; slot 0: unknown reasons */
  uint32_t result_kind;            /* 0 running */
  uint64_t result_value;
  uint32_t current_reason;
};

uint32_t hand_handle_exit(struct hand_vm *vm, uint32_t reason, uint64_t qualification,
                          uint64_t address);

/* The host's CPUID, provided by the bench driver (the same function serves the core's import). */
void bench_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t out[4]);

#endif
