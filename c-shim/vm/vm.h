// A VM as the shim sees it: its configuration (from the core's parser), host resources, result.
#pragma once
#include <stdint.h>
#include "core.h"
#include "core_exports.h"                       // CORE_EXPORT_<name>: what this core exports (build/wasm2c.ts)
#include "vcpu_backend.h"

#define MAX_VMS 16
#define NAME_MAX_BYTES 128                      // the core's IMAGE_NAME_CAP (as-src/vm/config.ts)

#define MAX_IMAGES 18                           // image ids: 0 kernel, 1 initrd, 2.. up to 16 Multiboot modules

// A boot image (kernel, initrd, module) read from \wisp\ into its own firmware allocation before
// ExitBootServices; the core's loader copies from it with imageRead/imageLoad (imports.c).
struct vm_image {
    char name[NAME_MAX_BYTES];
    uint32_t name_len;                          // 0: the id is unused (a Multiboot VM has no initrd)
    uint8_t *data;
    uint64_t size;
};


struct vm {
    uint32_t index;
    char name[NAME_MAX_BYTES];
    uint32_t name_len;
    char image[NAME_MAX_BYTES];
    uint32_t image_len;
    uint64_t memory_bytes, load, entry;
    uint32_t mode;
    uint32_t kind;                              // KIND_* (abi.h): vmKind()
    uint32_t image_count;                       // image ids in use (kernel VMs only)
    struct vm_image images[MAX_IMAGES];
    uint32_t expect_kind;
    uint64_t expect_value;
    uint8_t *ram;                               // host address of guest-physical 0 (identity-mapped)
    uint64_t ram_pages;                         // as allocated from the firmware
    struct vcpu *vcpu;
    int prepared;                               // 0: could not be prepared; result ERROR
    uint32_t result_kind;
    uint64_t result_value;
    int passthrough;                            // the blue-pill guest: guest-physical = host-physical
};

struct wisp_config {
    const char *text;                           // kept for vmSetup in each VM's instance
    uint64_t text_len;
    uint32_t vm_count;
    int debug_exit;
    uint32_t on_end;                            // ON_END_* (abi.h): onEnd()
    int builtin;                                // no wisp.cfg: the built-in configuration and guest
    struct vm vms[MAX_VMS];
};

// The import context of an instance (wasm2c passes it to every env.* function).
struct w2c_env {
    w2c_core *instance;
    struct vm *vm;                              // NULL in the parser's instance: no guest memory
};

extern const struct vcpu_backend *vcpu_backend;

int config_parse(struct wisp_config *cfg);                     // core_config.c; 0 ok
int vm_prepare(struct vm *vm, const struct wisp_config *cfg);  // vm_prepare.c, before ExitBootServices
int vm_read_images(struct vm *vm);                             // vm_images.c, before ExitBootServices
void vm_run(struct vm *vm, const struct wisp_config *cfg);     // vm_run.c, after take-over
void vm_print_summary(const struct wisp_config *cfg, uint32_t *not_as_expected);   // vm_report.c
void vm_print_result(const struct vm *vm);
void vm_end_mirror(const struct wisp_config *cfg);             // vm_end.c: on-end = mirror
void vm_print_stats(const struct vm *vm, w2c_core *instance, uint32_t stats_offset);

// Blue-pill (bluepill/): the host address of guest-physical [gpa, gpa + length) of the blue-pill
// guest, or NULL when it touches wisp's own memory.
uint8_t *bluepill_guest_memory(uint64_t gpa, uint64_t length);

// Instances: allocated from the host pool, freed with instance_free (instance.c).
w2c_core *instance_alloc(struct w2c_env *env);
void instance_free(w2c_core *instance);
int instance_range_ok(w2c_core *instance, uint64_t offset, uint64_t length);
void instance_print_string(w2c_core *instance, uint32_t offset, uint32_t length);

// The exit handler: variant/core_exit.c (everything to the core) or variant/floor_exit.c
// (CPUID in C, the bench's floor); exactly one is linked. 1: the VM has ended.
uint32_t vm_handle_exit(w2c_core *instance, uint8_t *area, const struct vcpu_exit *exit);
