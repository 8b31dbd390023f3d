// The configuration, parsed by the core itself in a short-lived instance (the same parser runs in
// Node for `wisp config check`). Everything read back is checked against the instance's memory.
#include "vm/vm.h"
#include "host/alloc.h"
#include "host/console.h"
#include "runtime/trap.h"

#define MIB (1ull << 20)

static int copy_string(w2c_core *in, uint32_t off, uint32_t len, char *dst, uint32_t *dst_len) {
    if (len == 0 || len > NAME_MAX_BYTES || !instance_range_ok(in, off, len)) return 0;
    const uint8_t *src = w2c_core_memory(in)->data + off;
    for (uint32_t i = 0; i < len; i++) dst[i] = (char)src[i];
    *dst_len = len;
    return 1;
}

// Kernel VMs (Linux, Multiboot): the file of each image id. Flat VMs keep using vm->image.
static int read_image_names(w2c_core *in, struct vm *vm) {
    vm->kind = KIND_FLAT;
    vm->image_count = 0;
#if CORE_EXPORT_vmKind && CORE_EXPORT_vmImageCount && CORE_EXPORT_vmFileOffset && CORE_EXPORT_vmFileLength
    vm->kind = w2c_core_vmKind(in, vm->index);
    if (vm->kind == KIND_FLAT) return 1;
    uint32_t n = w2c_core_vmImageCount(in, vm->index);
    if (n == 0 || n > MAX_IMAGES) return 0;
    for (uint32_t id = 0; id < n; id++) {
        struct vm_image *img = &vm->images[id];
        uint32_t len = w2c_core_vmFileLength(in, vm->index, id);
        img->name_len = 0;
        if (len == 0 && id != 0) continue;     // an unused id (no initrd)
        if (!copy_string(in, w2c_core_vmFileOffset(in, vm->index, id), len, img->name, &img->name_len)) return 0;
    }
    vm->image_count = n;
#else
    (void)in;
#endif
    return 1;
}

// Copies the configuration text into the instance's input buffer; 0 if it does not fit.
int config_copy_in(w2c_core *in, const struct wisp_config *cfg) {
    uint32_t off = w2c_core_inputBuffer(in, (uint32_t)cfg->text_len);
    if (off == 0 || !instance_range_ok(in, off, cfg->text_len)) return 0;
    uint8_t *dst = w2c_core_memory(in)->data + off;
    for (uint64_t i = 0; i < cfg->text_len; i++) dst[i] = (uint8_t)cfg->text[i];
    return 1;
}

static int read_config(w2c_core *in, struct wisp_config *cfg) {
    wasm2c_core_instantiate(in, in->w2c_env_instance);
    if (!config_copy_in(in, cfg)) {
        con_str("wisp: configuration: too large for the parser's input buffer\n");
        return 0;
    }
    int32_t n = (int32_t)w2c_core_parseConfig(in, (uint32_t)cfg->text_len);
    if (n < 0) {
        con_str("wisp: configuration error: ");
        instance_print_string(in, w2c_core_messageOffset(in), w2c_core_messageLength(in));
        con_nl();
        return 0;
    }
    if (n == 0 || n > MAX_VMS) {
        con_str("wisp: configuration: ");
        con_dec((uint64_t)n);
        con_str(" VMs; wisp runs 1 to 16\n");
        return 0;
    }
    cfg->vm_count = (uint32_t)n;
    cfg->debug_exit = w2c_core_debugExitEnabled(in) != 0;
    cfg->on_end = cfg->debug_exit ? ON_END_SUMMARY : ON_END_HALT;
#if CORE_EXPORT_onEnd
    cfg->on_end = w2c_core_onEnd(in);           // debug-exit = on is on-end = summary
    cfg->debug_exit = cfg->on_end == ON_END_SUMMARY;
#endif
    for (uint32_t i = 0; i < cfg->vm_count; i++) {
        struct vm *vm = &cfg->vms[i];
        vm->index = i;
        if (!copy_string(in, w2c_core_vmNameOffset(in, i), w2c_core_vmNameLength(in, i), vm->name, &vm->name_len) ||
            !copy_string(in, w2c_core_vmImageOffset(in, i), w2c_core_vmImageLength(in, i), vm->image, &vm->image_len)) {
            con_str("wisp: configuration: a VM name or image name is empty, too long or outside the parser's memory\n");
            return 0;
        }
        vm->memory_bytes = (uint64_t)w2c_core_vmMemoryMiB(in, i) * MIB;
        vm->load = w2c_core_vmLoadAddress(in, i);
        vm->entry = w2c_core_vmEntry(in, i);
        vm->mode = w2c_core_vmMode(in, i);
        vm->expect_kind = w2c_core_vmExpectKind(in, i);
        vm->expect_value = w2c_core_vmExpectValue(in, i);
        if (!read_image_names(in, vm)) {
            con_str("wisp: configuration: a VM's kernel, initrd or module names are too many, too long or outside the parser's memory\n");
            return 0;
        }
    }
    return 1;
}

int config_parse(struct wisp_config *cfg) {
    struct w2c_env env = {0};
    w2c_core *volatile in = instance_alloc(&env);
    if (!in) { con_str("wisp: no memory for the configuration parser\n"); return -1; }
    wisp_trap_point point, *outer = wisp_current_trap_point;
    wisp_current_trap_point = &point;
    volatile int ok = 0;
    int trap = wisp_setjmp(&point);
    if (trap == 0) {
        ok = read_config(in, cfg);
    } else {
        con_str("wisp: the configuration parser trapped: ");
        con_str(wisp_trap_name(trap));
        con_nl();
    }
    wisp_current_trap_point = outer;
    instance_free(in);
    return ok ? 0 : -1;
}
