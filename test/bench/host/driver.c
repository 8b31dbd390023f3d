/*
 * Host (Linux) driver for the core built by wasm2c with wisp's freestanding runtime, the same objects
 * as in wisp.efi but linked into a process:
 *   driver core N    N CPUID exits through the core's handleExit
 *   driver hand N    N CPUID exits through the hand-written C dispatcher (hand-dispatch.c)
 *   driver check     both give the same registers for a set of CPUID leaves
 *   driver trap      TEST_TRAP (a test build of the core) traps out of bounds, control comes back
 *                    with that trap code, and a fresh instance then works
 * callgrind.ts builds and runs it. Exit status 0 on success.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "hand-dispatch.h"
#include "trap.h"

/* ---- what the shim provides in wisp.efi, done with libc ---- */

void *wisp_alloc(uint64_t bytes, uint64_t align) {
  uint64_t rounded = (bytes + align - 1) / align * align;
  void *p = aligned_alloc(align, rounded);
  if (p)
    memset(p, 0, rounded);
  return p;
}

void wisp_free(void *p, uint64_t bytes) {
  (void)bytes;
  free(p);
}

void wisp_console_write(const char *text, uint64_t length) {
  fwrite(text, 1, length, stdout);
}

/* ---- the core's imports (module env) ---- */

struct w2c_env {
  wasm_rt_memory_t *memory;        /* the instance's memory, for checking offsets from it */
  uint8_t guest[1 << 16];          /* guest-physical 0.. */
  uint64_t tsc;
};

static uint8_t *linear(struct w2c_env *env, uint32_t offset, uint64_t length) {
  uint64_t size = env->memory->size;
  if (offset > size || length > size - offset)
    wasm_rt_trap(WASM_RT_TRAP_OOB);
  return env->memory->data + offset;
}

/* A fixed, cheap CPUID (an AMD Zen 4 leaf 1) so both dispatchers do the same host work. */
__attribute__((noinline)) void bench_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t out[4]) {
  (void)leaf;
  (void)subleaf;
  out[0] = 0x00a10f11;
  out[1] = 0x00020800;
  out[2] = 0x7ef8320b;
  out[3] = 0x178bfbff;
}

void w2c_env_hostCpuid(struct w2c_env *env, u32 leaf, u32 subleaf, u32 out) {
  uint32_t values[4];
  bench_cpuid(leaf, subleaf, values);
  memcpy(linear(env, out, sizeof values), values, sizeof values);
}

u64 w2c_env_hostTsc(struct w2c_env *env) {
  return env->tsc += 1000;
}

void w2c_env_consoleWrite(struct w2c_env *env, u32 ptr, u32 len) {
  fwrite(linear(env, ptr, len), 1, len, stdout);
}

u32 w2c_env_guestRead(struct w2c_env *env, u64 gpa, u32 ptr, u32 len) {
  if (gpa > sizeof env->guest || len > sizeof env->guest - gpa)
    return 0;
  memcpy(linear(env, ptr, len), env->guest + gpa, len);
  return 1;
}

u32 w2c_env_guestWrite(struct w2c_env *env, u64 gpa, u32 ptr, u32 len) {
  if (gpa > sizeof env->guest || len > sizeof env->guest - gpa)
    return 0;
  memcpy(env->guest + gpa, linear(env, ptr, len), len);
  return 1;
}

/* ---- a VM's instance, as the shim sets one up ---- */

enum { VCPU_RAX = 0x00, VCPU_RCX = 0x08, VCPU_RDX = 0x10, VCPU_RBX = 0x18, VCPU_RIP = 0x80,
       VCPU_NEXT_RIP = 0x90, VCPU_SIZE = 512 };

static const char config[] = "[vm bench]\n"
                             "image = bench.bin\n"
                             "memory = 1\n"
                             "load = 0x1000\n"
                             "mode = protected32\n";

static struct w2c_env env;

static void fail(const char *what) {
  printf("FAIL: %s\n", what);
  exit(1);
}

/* Instantiates and sets up VM 0 of the configuration; returns the vCPU area's offset. Traps unwind
 * to the caller's trap point. */
static uint32_t start_vm(w2c_core *core) {
  memset(core, 0, sizeof *core);   /* so wasm2c_core_free is safe even after a failed start */
  wasm2c_core_instantiate(core, &env);
  env.memory = w2c_core_memory(core);
  uint32_t input = w2c_core_inputBuffer(core, sizeof config - 1);
  if (input == 0)
    fail("inputBuffer");
  memcpy(linear(&env, input, sizeof config - 1), config, sizeof config - 1);
  if (w2c_core_vmSetup(core, sizeof config - 1, 0, 1 << 20) != 0)
    fail("vmSetup");
  uint32_t vcpu = w2c_core_vcpuStateOffset(core);
  linear(&env, vcpu, VCPU_SIZE);   /* the shim checks every offset an instance gives it */
  return vcpu;
}

static uint64_t get64(w2c_core *core, uint32_t offset) {
  uint64_t v;
  memcpy(&v, w2c_core_memory(core)->data + offset, 8);
  return v;
}

static void set64(w2c_core *core, uint32_t offset, uint64_t v) {
  memcpy(w2c_core_memory(core)->data + offset, &v, 8);
}

/* The measured loops: one CPUID exit (leaf 1) per iteration, registers reset as the guest would. */
static uint64_t run_core(uint64_t n) {
  w2c_core core;
  wisp_trap_point point;
  wisp_current_trap_point = &point;
  int trap = wisp_setjmp(&point);
  if (trap) {
    printf("trap: %s\n", wisp_trap_name(trap));
    exit(1);
  }
  uint32_t vcpu = start_vm(&core);
  set64(&core, vcpu + VCPU_NEXT_RIP, 0x1002);
  uint64_t ended = 0;
  for (uint64_t i = 0; i < n; i++) {
    uint8_t *area = core.w2c_memory.data + vcpu; /* fetched per exit: data may move between calls */
    memcpy(area + VCPU_RAX, &(uint64_t){1}, 8);
    memcpy(area + VCPU_RCX, &(uint64_t){0}, 8);
    ended += w2c_core_handleExit(&core, 1, 0, 0);
  }
  wisp_current_trap_point = NULL;
  wasm2c_core_free(&core);
  return ended;
}

static struct hand_vm hand_vm;

static uint64_t run_hand(uint64_t n) {
  hand_vm.vcpu.next_rip = 0x1002;
  uint64_t ended = 0;
  for (uint64_t i = 0; i < n; i++) {
    hand_vm.vcpu.gpr[0] = 1;
    hand_vm.vcpu.gpr[1] = 0;
    ended += hand_handle_exit(&hand_vm, 1, 0, 0);
  }
  return ended;
}

/* Both dispatchers agree on the CPUID leaves the policy treats differently. */
static int check(void) {
  static const uint32_t leaves[] = {0, 1, 7, 0x40000000, 0x40000001, 0x40000002, 0x80000001,
                                    0x8000000a};
  w2c_core core;
  wisp_trap_point point;
  wisp_current_trap_point = &point;
  if (wisp_setjmp(&point))
    fail("trap during check");
  uint32_t vcpu = start_vm(&core);
  int bad = 0;
  for (unsigned i = 0; i < sizeof leaves / sizeof leaves[0]; i++) {
    struct hand_vm vm = {0};
    vm.vcpu.gpr[0] = leaves[i];
    vm.vcpu.next_rip = 0x1002;
    set64(&core, vcpu + VCPU_RAX, leaves[i]);
    set64(&core, vcpu + VCPU_RCX, 0);
    set64(&core, vcpu + VCPU_NEXT_RIP, 0x1002);
    uint32_t a = w2c_core_handleExit(&core, 1, 0, 0);
    uint32_t b = hand_handle_exit(&vm, 1, 0, 0);
    uint64_t core_regs[5] = {get64(&core, vcpu + VCPU_RAX), get64(&core, vcpu + VCPU_RBX),
                             get64(&core, vcpu + VCPU_RCX), get64(&core, vcpu + VCPU_RDX),
                             get64(&core, vcpu + VCPU_RIP)};
    uint64_t hand_regs[5] = {vm.vcpu.gpr[0], vm.vcpu.gpr[3], vm.vcpu.gpr[1], vm.vcpu.gpr[2],
                             vm.vcpu.rip};
    if (a != b || memcmp(core_regs, hand_regs, sizeof core_regs) != 0) {
      printf("leaf %#x: core %u %llx %llx %llx %llx rip %llx, hand %u %llx %llx %llx %llx rip %llx\n",
             leaves[i], a, (unsigned long long)core_regs[0], (unsigned long long)core_regs[1],
             (unsigned long long)core_regs[2], (unsigned long long)core_regs[3],
             (unsigned long long)core_regs[4], b, (unsigned long long)hand_regs[0],
             (unsigned long long)hand_regs[1], (unsigned long long)hand_regs[2],
             (unsigned long long)hand_regs[3], (unsigned long long)hand_regs[4]);
      bad = 1;
    }
  }
  wisp_current_trap_point = NULL;
  wasm2c_core_free(&core);
  printf(bad ? "check: dispatchers differ\n" : "check: ok\n");
  return bad;
}

/* TEST_TRAP must come back as an out-of-bounds trap; a fresh instance must then work. */
static int trap_check(void) {
  w2c_core core;
  wisp_trap_point point;
  volatile int stage = 0;          /* read after a trap: must not live in a register */
  wisp_current_trap_point = &point;
  int trap = wisp_setjmp(&point);
  if (trap == 0) {
    uint32_t vcpu = start_vm(&core);
    stage = 1;
    set64(&core, vcpu + VCPU_RAX, 0x7e57);
    set64(&core, vcpu + VCPU_NEXT_RIP, 0x1003);
    uint32_t r = w2c_core_handleExit(&core, 6, 0, 0);
    printf("trap: none (handleExit returned %u, rax %#llx)\n", r,
           (unsigned long long)get64(&core, vcpu + VCPU_RAX));
    return 1;
  }
  printf("trap: %d %s (stage %d)\n", trap, wisp_trap_name(trap), stage);
  wasm2c_core_free(&core);
  if (trap != WASM_RT_TRAP_OOB || stage != 1)
    return 1;

  trap = wisp_setjmp(&point);      /* the same point guards the next instance */
  if (trap) {
    printf("fresh: trap %s\n", wisp_trap_name(trap));
    return 1;
  }
  uint32_t vcpu = start_vm(&core);
  set64(&core, vcpu + VCPU_RAX, 1);
  set64(&core, vcpu + VCPU_NEXT_RIP, 0x1002);
  uint32_t r = w2c_core_handleExit(&core, 1, 0, 0);
  uint64_t ecx = get64(&core, vcpu + VCPU_RCX), rip = get64(&core, vcpu + VCPU_RIP);
  wisp_current_trap_point = NULL;
  wasm2c_core_free(&core);
  int ok = r == 0 && rip == 0x1002 && (ecx >> 31) == 1;
  printf("fresh: %s (handleExit %u, rip %#llx, ecx %#llx)\n", ok ? "ok" : "wrong", r,
         (unsigned long long)rip, (unsigned long long)ecx);
  return !ok;
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "core") == 0)
    printf("core: %llu ended\n", (unsigned long long)run_core(strtoull(argv[2], NULL, 0)));
  else if (argc == 3 && strcmp(argv[1], "hand") == 0)
    printf("hand: %llu ended\n", (unsigned long long)run_hand(strtoull(argv[2], NULL, 0)));
  else if (argc == 2 && strcmp(argv[1], "check") == 0)
    return check();
  else if (argc == 2 && strcmp(argv[1], "trap") == 0)
    return trap_check();
  else {
    fprintf(stderr, "usage: %s core N | hand N | check | trap\n", argv[0]);
    return 2;
  }
  return 0;
}
