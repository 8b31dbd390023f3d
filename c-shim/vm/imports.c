// The host functions the core imports (module "env"). Nothing from an instance is trusted: every
// (offset, length) is checked against that instance's memory (a violation traps the instance), every
// guest-physical range against its VM's RAM (outside: the call returns 0, docs/architecture.md).
#include "vm/vm.h"
#include "host/clock.h"
#include "host/console.h"
#include "host/cpu.h"

static uint8_t *linear(struct w2c_env *env, uint32_t offset, uint64_t length) {
    if (!instance_range_ok(env->instance, offset, length)) wasm_rt_trap(WASM_RT_TRAP_OOB);
    return w2c_core_memory(env->instance)->data + offset;
}

static uint8_t *guest(struct w2c_env *env, uint64_t gpa, uint64_t length) {
    const struct vm *vm = env->vm;
    if (vm && vm->passthrough) return bluepill_guest_memory(gpa, length);
    if (!vm || !vm->ram || gpa > vm->memory_bytes || length > vm->memory_bytes - gpa) return 0;
    return vm->ram + gpa;
}

static void copy(uint8_t *dst, const uint8_t *src, uint64_t n) {
    for (uint64_t i = 0; i < n; i++) dst[i] = src[i];
}

void w2c_env_consoleWrite(struct w2c_env *env, uint32_t ptr, uint32_t len) {
    wisp_console_write((const char *)linear(env, ptr, len), len);
}

uint32_t w2c_env_guestRead(struct w2c_env *env, uint64_t gpa, uint32_t ptr, uint32_t len) {
    uint8_t *dst = linear(env, ptr, len), *src = guest(env, gpa, len);
    if (!src) return 0;
    copy(dst, src, len);
    return 1;
}

uint32_t w2c_env_guestWrite(struct w2c_env *env, uint64_t gpa, uint32_t ptr, uint32_t len) {
    uint8_t *src = linear(env, ptr, len), *dst = guest(env, gpa, len);
    if (!dst) return 0;
    copy(dst, src, len);
    return 1;
}

void w2c_env_hostCpuid(struct w2c_env *env, uint32_t leaf, uint32_t subleaf, uint32_t out) {
    uint32_t r[4];
    uint8_t *dst = linear(env, out, sizeof r);
    cpuid(leaf, subleaf, r);
    copy(dst, (const uint8_t *)r, sizeof r);
}

uint64_t w2c_env_hostTsc(struct w2c_env *env) {
    (void)env;
    return rdtsc();
}

uint64_t w2c_env_hostUnixTime(struct w2c_env *env) {
    (void)env;
    return clock_unix_time();
}

// Boot images (vm_images.c): ids 0 kernel, 1 initrd, 2.. Multiboot modules. Every file range and
// guest range is checked here; a bad one copies nothing and returns 0.
static const struct vm_image *image_of(struct w2c_env *env, uint32_t image) {
    const struct vm *vm = env->vm;
    if (!vm || image >= vm->image_count || image >= MAX_IMAGES || !vm->images[image].data) return 0;
    return &vm->images[image];
}

static int file_range_ok(const struct vm_image *img, uint64_t offset, uint64_t len) {
    return offset <= img->size && len <= img->size - offset;
}

uint64_t w2c_env_imageSize(struct w2c_env *env, uint32_t image) {
    const struct vm_image *img = image_of(env, image);
    return img ? img->size : ~0ull;             // all ones: no such image (as-src/host.ts)
}

uint32_t w2c_env_imageRead(struct w2c_env *env, uint32_t image, uint64_t offset, uint32_t ptr, uint32_t len) {
    uint8_t *dst = linear(env, ptr, len);       // outside the instance's memory: a core bug, it traps
    const struct vm_image *img = image_of(env, image);
    if (!img || !file_range_ok(img, offset, len)) return 0;
    copy(dst, img->data + offset, len);
    return 1;
}

uint32_t w2c_env_imageLoad(struct w2c_env *env, uint32_t image, uint64_t offset, uint64_t len, uint64_t gpa) {
    const struct vm_image *img = image_of(env, image);
    if (!img || !file_range_ok(img, offset, len)) return 0;
    uint8_t *dst = guest(env, gpa, len);
    if (!dst) return 0;
    copy(dst, img->data + offset, len);
    return 1;
}
