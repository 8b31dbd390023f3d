// After take-over, per VM: a fresh instance of the core, vmSetup, the run loop, the result. Every
// call into the instance is under one trap point: a trap stops this VM (result TRAP), frees its
// instance, and the next VM runs.
#include "vm/vm.h"
#include "host/alloc.h"
#include "host/console.h"
#include "host/clock.h"
#include "host/cpu.h"
#include "host/cpu_reset.h"
#include "host/serial.h"
#include "runtime/trap.h"

int config_copy_in(w2c_core *in, const struct wisp_config *cfg);   // core_config.c
extern const char *const exit_reason_names[EXIT_REASON_COUNT];    // vm_report.c

static const char handle_exit_name[] = "handleExit";

struct progress {                               // what was going on when a trap hit
    const char *export_name;
    uint32_t reason;
    uint64_t rip;
};

#define CONSOLE_INPUT_MAX 256                   // bytes held here while the guest's UART is full

// Bytes typed on COM1 go to the guest's UART through the core (consoleInput), which takes what its
// receive queue has room for. The rest waits here, and while this buffer is full COM1 is not read:
// its FIFO fills and the sender (QEMU's stdio, a terminal) waits, so pasted or piped text is not lost.
static uint8_t pending_input[CONSOLE_INPUT_MAX];
static uint32_t pending_count;

static void console_input_poll(w2c_core *in) {
#if CORE_EXPORT_consoleInput
    int c;
    while (pending_count < CONSOLE_INPUT_MAX && (c = serial_getc()) >= 0) pending_input[pending_count++] = (uint8_t)c;
    if (pending_count == 0) return;
    uint32_t off = w2c_core_inputBuffer(in, pending_count);
    if (off == 0 || !instance_range_ok(in, off, pending_count)) return;
    uint8_t *dst = w2c_core_memory(in)->data + off;
    for (uint32_t i = 0; i < pending_count; i++) dst[i] = pending_input[i];
    uint32_t taken = w2c_core_consoleInput(in, off, pending_count);
    if (taken > pending_count) taken = pending_count;
    for (uint32_t i = taken; i < pending_count; i++) pending_input[i - taken] = pending_input[i];
    pending_count -= taken;
#else
    (void)in;
#endif
}

// The vCPU is idle (HLT with nothing pending): the host CPU sleeps until its next interrupt (at
// least the host timer tick, host/takeover.h), then the core is told so it can advance its timers
// and decide again; keyboard bytes that arrived on COM1 go in first.
static uint32_t wait_while_idle(w2c_core *in, uint8_t *area, volatile struct progress *p) {
    static const struct vcpu_exit tick = { EXIT_INTERRUPT, 0, 0 };
    uint32_t decision;
    p->reason = EXIT_INTERRUPT;
    do {
        host_idle();
        console_input_poll(in);
        decision = vm_handle_exit(in, area, &tick);
    } while (decision == DECISION_IDLE);
    return decision;
}

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
        cpu_load_guest_tsc_aux(*(volatile uint32_t *)(area + AREA_TSC_AUX));
        b->run(vm->vcpu, area, &exit);
        p->reason = exit.reason;
        p->rip = *(uint64_t *)(area + AREA_RIP);
        if (exit.reason == EXIT_INTERRUPT) console_input_poll(in);   // a host tick: COM1 may have input
        uint32_t decision = vm_handle_exit(in, area, &exit);
        if (exit.reason == EXIT_ENTRY_FAILED) {     // cannot be entered: ERROR (docs/architecture.md,
            vm->result_kind = RESULT_ERROR;         // "Results"), whatever the core decided
            return;
        }
        if (decision == DECISION_IDLE) decision = wait_while_idle(in, mem->data + area_offset, p);
        if (decision != DECISION_RESUME) break;     // 1: ended (any other value too: never resume on it)
    }
    p->export_name = "resultKind";
    vm->result_kind = w2c_core_resultKind(in);
    vm->result_value = w2c_core_resultValue(in);
}

// Kernel VMs: the core's loader parses the images (imageRead/imageLoad, imports.c), builds what the
// boot protocol needs in guest memory and leaves the entry state in the area; the backend takes it.
// A refused image: its message, and the VM ends with ERROR.
static int load_guest(struct vm *vm, w2c_core *in, uint32_t area_offset, volatile struct progress *p) {
#if CORE_EXPORT_loadGuest
    p->export_name = "loadGuest";
    if ((int32_t)w2c_core_loadGuest(in) != 0) {
        con_str("wisp: VM ");
        wisp_console_write(vm->name, vm->name_len);
        con_str(": ");
        instance_print_string(in, w2c_core_messageOffset(in), w2c_core_messageLength(in));
        con_nl();
        return 0;
    }
    vcpu_backend->load_entry_state(vm->vcpu, w2c_core_memory(in)->data + area_offset);
    return 1;
#else
    (void)in; (void)area_offset; (void)p;
    con_str("wisp: VM ");
    wisp_console_write(vm->name, vm->name_len);
    con_str(": this core has no kernel loader (loadGuest)\n");
    return 0;
#endif
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
#if CORE_EXPORT_setTscKhz
    p->export_name = "setTscKhz";
    w2c_core_setTscKhz(in, tsc_khz);
#endif
    p->export_name = "vcpuStateOffset";
    *area_offset = w2c_core_vcpuStateOffset(in);
    if ((*area_offset & 7) || !instance_range_ok(in, *area_offset, AREA_SIZE)) {
        con_str("wisp: VM ");
        wisp_console_write(vm->name, vm->name_len);
        con_str(": the core's vCPU area is outside its memory\n");
        return 0;
    }
    if (vm->kind != KIND_FLAT && !load_guest(vm, in, *area_offset, p)) return 0;
    // Last, right before the first entry: nothing of the VM before this one (or of the firmware)
    // stays in the CPU state that entry does not switch (host/cpu_reset.c).
    p->export_name = "cpu reset";
    if (cpu_reset_guest_state()) return 1;
    con_str("wisp: VM ");
    wisp_console_write(vm->name, vm->name_len);
    con_str(": no host memory for the clean register save area\n");
    return 0;
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
