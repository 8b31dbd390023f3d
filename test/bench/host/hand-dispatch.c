/*
 * The hand-written baseline dispatcher (hand-dispatch.h). Only the CPUID path is measured; the
 * other reasons have small stand-ins so the switch has the core's shape.
 */
#include "hand-dispatch.h"

enum { RAX, RCX, RDX, RBX };
enum { RESULT_RUNNING, RESULT_EXIT, RESULT_HALT, RESULT_FAULT, RESULT_SHUTDOWN };

#define SIGNATURE 0x70736977u      /* "wisp" */
#define HYPERCALL_ABI_VERSION (1u << 16)
#define RFLAGS_IF (1u << 9)
#define LOCAL_APIC_TIMER_KHZ 1000000u   /* the core's local APIC timer clock, 1 GHz */

static uint32_t end_vm(struct hand_vm *vm, uint32_t kind, uint64_t value) {
  vm->result_kind = kind;
  vm->result_value = value;
  return 1;
}

__attribute__((noinline)) static uint32_t fault(struct hand_vm *vm) {
  return end_vm(vm, RESULT_FAULT, vm->current_reason);
}

static uint32_t skip_instruction(struct hand_vm *vm) {
  uint64_t next = vm->vcpu.next_rip;
  if (next == 0)
    return fault(vm);
  vm->vcpu.rip = next;
  return 0;
}

/* The core's CPUID policy (as-src/cpu/cpuid.ts), for a VM whose TSC rate is not set (as in the bench):
 * leaves 0x15/0x16 then pass through like any other host leaf. */
static void cpuid_policy(uint32_t leaf, uint32_t subleaf, uint64_t cr4, uint32_t out[4]) {
  if (leaf >= 0x40000000 && leaf <= 0x400000ff) {
    out[0] = out[1] = out[2] = out[3] = 0;
    if (leaf == 0x40000000) {
      out[0] = 0x40000010;
      out[1] = out[2] = out[3] = SIGNATURE;
    } else if (leaf == 0x40000001) {
      out[0] = HYPERCALL_ABI_VERSION;
    } else if (leaf == 0x40000010) {
      out[1] = LOCAL_APIC_TIMER_KHZ;
    }
    return;
  }
  if (leaf == 0x8000000a || leaf == 0x8000001f) {
    out[0] = out[1] = out[2] = out[3] = 0;
    return;
  }
  bench_cpuid(leaf, subleaf, out);
  if (leaf == 1) {
    out[2] = (out[2] | (1u << 31)) & ~(1u << 5) & ~(1u << 21);
    out[2] = (out[2] & ~(1u << 27)) | ((uint32_t)(cr4 >> 18) & 1) << 27;   /* OSXSAVE = CR4.OSXSAVE */
    out[3] &= ~((1u << 7) | (1u << 14) | (1u << 12));  /* MCE, MCA, MTRR: not emulated */
  } else if (leaf == 0x80000001) {
    out[2] &= ~(1u << 2);
  }
}

static uint32_t handle_cpuid(struct hand_vm *vm) {
  uint32_t out[4];
  cpuid_policy((uint32_t)vm->vcpu.gpr[RAX], (uint32_t)vm->vcpu.gpr[RCX], vm->vcpu.cr4, out);
  vm->vcpu.gpr[RAX] = out[0];
  vm->vcpu.gpr[RBX] = out[1];
  vm->vcpu.gpr[RCX] = out[2];
  vm->vcpu.gpr[RDX] = out[3];
  return skip_instruction(vm);
}

/* Stand-ins for the paths the bench does not take. */
__attribute__((noinline)) static uint32_t handle_io(struct hand_vm *vm, uint64_t qualification) {
  if ((qualification & 0xffff) == 0xf4)
    return end_vm(vm, RESULT_EXIT, vm->vcpu.gpr[RAX]);
  return skip_instruction(vm);
}

__attribute__((noinline)) static uint32_t handle_msr(struct hand_vm *vm, int write) {
  if (write)
    return skip_instruction(vm);
  vm->vcpu.gpr[RAX] = 0;
  vm->vcpu.gpr[RDX] = 0;
  return skip_instruction(vm);
}

__attribute__((noinline)) static uint32_t handle_hypercall(struct hand_vm *vm) {
  vm->vcpu.gpr[RAX] = vm->vcpu.gpr[RAX] == 0 ? HYPERCALL_ABI_VERSION : ~0ull;
  return skip_instruction(vm);
}

static uint32_t handle_hlt(struct hand_vm *vm) {
  if ((vm->vcpu.rflags & RFLAGS_IF) == 0)
    return end_vm(vm, RESULT_HALT, 0);
  return skip_instruction(vm);
}

uint32_t hand_handle_exit(struct hand_vm *vm, uint32_t reason, uint64_t qualification,
                          uint64_t address) {
  (void)address;
  vm->stats[reason < 13 ? reason : 0]++;
  if (vm->result_kind != RESULT_RUNNING)
    return 1;
  vm->current_reason = reason;
  switch (reason) {
  case 1: return handle_cpuid(vm);
  case 2: return handle_io(vm, qualification);
  case 3: return handle_msr(vm, 0);
  case 4: return handle_msr(vm, 1);
  case 5: return handle_hlt(vm);
  case 6: return handle_hypercall(vm);
  case 7: return fault(vm);                       /* memory fault */
  case 8: return end_vm(vm, RESULT_SHUTDOWN, 0);
  case 9: return fault(vm);                       /* exception */
  case 10: return 0;                              /* interrupt: the host handled it */
  case 11: return fault(vm);                      /* entry failed */
  case 12: return fault(vm);                      /* unsupported */
  default: return fault(vm);
  }
}
