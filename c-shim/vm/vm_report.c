// What a VM's end looks like on the console: its result, its exit statistics, and the summary.
#include "vm/vm.h"
#include "host/console.h"

const char *const exit_reason_names[EXIT_REASON_COUNT] = {
    "NONE", "CPUID", "IO", "MSR_READ", "MSR_WRITE", "HLT", "HYPERCALL", "MEMORY_FAULT", "SHUTDOWN",
    "EXCEPTION", "INTERRUPT", "ENTRY_FAILED", "UNSUPPORTED", "INTERRUPT_WINDOW", "WBINVD", "NMI_WINDOW",
    "INVALID_OPCODE",
};

static const char *const result_names[] = {
    "running", "exit", "halt", "fault", "shutdown", "trap", "error", "reset", "poweroff",
};

static void print_kind(uint32_t kind, uint64_t value) {
    con_str(kind < sizeof result_names / sizeof result_names[0] ? result_names[kind] : "unknown");
    if (kind == RESULT_EXIT) {
        con_str(" ");
        con_dec(value);
    }
}

static void print_name(const struct vm *vm) {
    con_str("wisp: VM ");
    wisp_console_write(vm->name, vm->name_len);
}

void vm_print_result(const struct vm *vm) {
    print_name(vm);
    con_str(" ended: ");
    print_kind(vm->result_kind, vm->result_value);
    con_nl();
}

// The u64[STATS_COUNT] at statsOffset(), read with bounds checks (the instance may have trapped,
// but its memory is still there until instance_free): the exits by reason, then refused MSRs.
void vm_print_stats(const struct vm *vm, w2c_core *in, uint32_t stats_offset) {
    if (!in || !instance_range_ok(in, stats_offset, STATS_COUNT * 8)) return;
    const uint8_t *base = w2c_core_memory(in)->data + stats_offset;
    if ((uint64_t)base & 7) return;
    const uint64_t *counts = (const uint64_t *)base;
    print_name(vm);
    con_str(" exits:");
    int any = 0;
    for (int r = 0; r < STATS_COUNT; r++) {
        if (!counts[r]) continue;
        con_str(any ? ", " : " ");
        con_str(r < EXIT_REASON_COUNT ? exit_reason_names[r] : "MSR_REFUSED");   // RDMSR/WRMSR answered with #GP
        con_str(" ");
        con_dec(counts[r]);
        any = 1;
    }
    if (!any) con_str(" none");
    con_nl();
}

static int as_expected(const struct vm *vm) {
    if (vm->result_kind != vm->expect_kind) return 0;
    return vm->result_kind != RESULT_EXIT || vm->result_value == vm->expect_value;
}

void vm_print_summary(const struct wisp_config *cfg, uint32_t *not_as_expected) {
    uint32_t good = 0;
    for (uint32_t i = 0; i < cfg->vm_count; i++) {
        const struct vm *vm = &cfg->vms[i];
        int ok = as_expected(vm);
        good += ok;
        print_name(vm);
        con_str(": ");
        print_kind(vm->result_kind, vm->result_value);
        con_str(" (expected ");
        print_kind(vm->expect_kind, vm->expect_value);
        con_str(ok ? ") ok\n" : ") FAILED\n");
    }
    con_str("wisp: ");
    con_dec(cfg->vm_count);
    con_str(" VMs, ");
    con_dec(good);
    con_str(" as expected\n");
    *not_as_expected = cfg->vm_count - good;
}
