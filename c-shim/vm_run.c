// After take-over, per VM: a fresh instance of the core, vmSetup, the run loop, the result. Every
// call into the instance is under one trap point: a trap stops this VM (result TRAP), frees its
// instance, and the next VM runs.
#include "vm.h"
#include "host/alloc.h"
#include "host/console.h"
#include "runtime/trap.h"

int config_copy_in(w2c_core *in, const struct wisp_config *cfg);   // core_config.c
extern const char *const exit_reason_names[EXIT_REASON_COUNT];    // vm_report.c

static const char handle_exit_name[] = "handleExit";

struct progress {                               // what was going on when a trap hit
    const char *export_name;
    uint32_t reason;
    uint64_t rip;
};

static void run_loop(struct vm *vm, w2c_core *in, uint32_t area_offset, volatile struct progress *p) {
    const struct vcpu_backend *b = vcpu_backend;
    wasm_rt_memory_t *mem = w2c_core_memory(in);
    struct vcpu_exit exit;
    b->read_state(vm->vcpu, mem->data + area_offset);
    p->export_name = handle_exit_name;
    for (;;) {
        // The area's offset was checked once; the memory only grows, but it may move when it does.
        uint8_t *area = mem->data + area_offset;
        b->write_state(vm->vcpu, area);
        b->run(vm->vcpu, area, &exit);
        p->reason = exit.reason;
        p->rip = *(uint64_t *)(area + AREA_RIP);
        if (vm_handle_exit(in, area, &exit)) break;
        if (exit.reason == EXIT_ENTRY_FAILED) {     // the core chose to resume what cannot be entered
            vm->result_kind = RESULT_ERROR;
            return;
        }
    }
    p->export_name = "resultKind";
    vm->result_kind = w2c_core_resultKind(in);
    vm->result_value = w2c_core_resultValue(in);
}

static int setup(struct vm *vm, w2c_core *in, const struct wisp_config *cfg, uint32_t *area_offset,
                 volatile uint32_t *stats_offset, volatile struct progress *p) {
    p->export_name = "instantiate";
    wasm2c_core_instantiate(in, in->w2c_env_instance);
    p->export_name = "statsOffset";
    *stats_offset = w2c_core_statsOffset(in);
    p->export_name = "inputBuffer";
    if (!config_copy_in(in, cfg)) return 0;
    p->export_name = "vmSetup";
    if (w2c_core_vmSetup(in, (uint32_t)cfg->text_len, vm->index, vm->memory_bytes) != 0) return 0;
    p->export_name = "vcpuStateOffset";
    *area_offset = w2c_core_vcpuStateOffset(in);
    if ((*area_offset & 7) || !instance_range_ok(in, *area_offset, AREA_SIZE)) {
        con_str("wisp: VM ");
        wisp_console_write(vm->name, vm->name_len);
        con_str(": the core's vCPU area is outside its memory\n");
        return 0;
    }
    return 1;
}

void vm_run(struct vm *vm, const struct wisp_config *cfg) {
    con_str("wisp: VM ");
    wisp_console_write(vm->name, vm->name_len);
    con_str(": starting\n");
    struct w2c_env env = { .vm = vm };
    w2c_core *volatile in = instance_alloc(&env);
    if (!in) {
        con_str("wisp: VM ");
        wisp_console_write(vm->name, vm->name_len);
        con_str(": no host memory for its instance\n");
        vm->result_kind = RESULT_ERROR;
        return;
    }
    volatile struct progress progress = { "instantiate", 0, 0 };
    volatile uint32_t stats_offset = 0xFFFFFFFFu;
    uint32_t area_offset = 0;
    vm->result_kind = RESULT_ERROR;
    wisp_trap_point point, *outer = wisp_current_trap_point;
    wisp_current_trap_point = &point;
    int trap = wisp_setjmp(&point);
    if (trap == 0) {
        int ok = setup(vm, in, cfg, &area_offset, &stats_offset, &progress);
        if (ok) {
            run_loop(vm, in, area_offset, &progress);
        } else {
            con_str("wisp: VM ");
            wisp_console_write(vm->name, vm->name_len);
            con_str(": could not be set up (");
            con_str(progress.export_name);
            con_str(")\n");
        }
    } else {
        vm->result_kind = RESULT_TRAP;
        vm->result_value = 0;
        con_str("wisp: VM ");
        wisp_console_write(vm->name, vm->name_len);
        con_str(" trapped: ");
        con_str(wisp_trap_name(trap));
        con_str(" in ");
        con_str(progress.export_name);
        if (progress.export_name == handle_exit_name) {
            con_str(" (exit ");
            con_str(progress.reason < EXIT_REASON_COUNT ? exit_reason_names[progress.reason] : "?");
            con_str(", guest RIP ");
            con_hex(progress.rip);
            con_str(")");
        }
        con_nl();
    }
    wisp_current_trap_point = outer;
    vm_print_result(vm);
    vm_print_stats(vm, in, stats_offset);
    instance_free(in);
}
