// Instances of the core: one short-lived one for the configuration parser, then one per VM.
#include "vm/vm.h"
#include "host/alloc.h"
#include "host/console.h"

w2c_core *instance_alloc(struct w2c_env *env) {
    w2c_core *instance = wisp_alloc(sizeof *instance, 16);
    if (!instance) return 0;
    env->instance = instance;
    instance->w2c_env_instance = env;          // what wasm2c_core_instantiate is then given
    return instance;
}

// Safe after a trap too, even inside wasm2c_core_instantiate: the struct starts zeroed.
void instance_free(w2c_core *instance) {
    if (!instance) return;
    wasm2c_core_free(instance);
    wisp_free(instance, sizeof *instance);
}

int instance_range_ok(w2c_core *instance, uint64_t offset, uint64_t length) {
    uint64_t size = w2c_core_memory(instance)->size;
    return offset <= size && length <= size - offset;
}

// Prints [offset, offset+length) of the instance's memory if it is inside it.
void instance_print_string(w2c_core *instance, uint32_t offset, uint32_t length) {
    if (instance_range_ok(instance, offset, length))
        wisp_console_write((const char *)w2c_core_memory(instance)->data + offset, length);
    else
        con_str("(message outside the instance's memory)");
}
