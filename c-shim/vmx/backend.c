// The VMX implementation of the vendor interface (vcpu_backend.h).
#include "vmx/vmx.h"
#include "host/alloc.h"

#define PAGE 4096                               // VMCS region: 4 KiB aligned (25.2)
#define IO_BITMAPS_BYTES (8 * 1024)             // 25.6.4

static void destroy(struct vcpu *v) {
    if (!v) return;
    vmcs_forget(v);
    ept_free(v->ept_root);
    wisp_free(v->io_bitmaps, IO_BITMAPS_BYTES);
    wisp_free(v->msr_bitmap, PAGE);
    wisp_free(v->msr_lists, PAGE);
    wisp_free(v->vmcs, PAGE);
    wisp_free(v, sizeof *v);
}

// Before ExitBootServices: memory only. The VMCS is filled in at the first run (vmcs.c), in VMX
// operation and with the host's own descriptor tables in place.
static struct vcpu *create(const struct vcpu_setup *s) {
    struct vcpu *v = wisp_alloc(sizeof *v, 16);
    if (!v) return 0;
    v->ram_host = s->ram_host;
    v->ram_bytes = s->ram_bytes;
    v->entry = s->entry;
    v->mode = s->mode;
    v->vmcs = alloc_page();
    v->io_bitmaps = io_bitmaps_create();
    v->msr_bitmap = msr_bitmap_create();
    v->msr_lists = msr_lists_create();
    v->ept_root = ept_build(s->ram_host, s->ram_bytes);
    if (!v->vmcs || !v->io_bitmaps || !v->msr_bitmap || !v->msr_lists || !v->ept_root) { destroy(v); return 0; }
    return v;
}

const struct vcpu_backend vmx_backend = {
    .name = "Intel VT-x",
    .probe = vmx_probe,
    .enable = vmx_enable,
    .create = create,
    .destroy = destroy,
    .read_state = vmx_read_state,
    .write_state = vmx_write_state,
    .run = vmx_run,
    .load_entry_state = vmx_load_entry_state,
};
