// The SVM implementation of the vendor interface (vcpu_backend.h).
#include "svm/svm.h"
#include "svm/vmcb.h"
#include "host/alloc.h"

#define PAGE 4096                               // VMCB: one 4 KiB-aligned page (APM vol. 2, 15.5.1)
#define IOPM_BYTES (12 * 1024)                  // APM vol. 2, 15.10.1
#define MSRPM_BYTES (8 * 1024)                  // APM vol. 2, 15.11

static void destroy(struct vcpu *v) {
    if (!v) return;
    npt_free(v->npt_root, v->ram_bytes);
    wisp_free(v->iopm, IOPM_BYTES);
    wisp_free(v->msrpm, MSRPM_BYTES);
    wisp_free(v->vmcb, PAGE);
    wisp_free(v, sizeof *v);
}

static void load_entry_state(struct vcpu *v, const uint8_t *area) { vmcb_load_entry_state(v->vmcb, area); }

static struct vcpu *create(const struct vcpu_setup *s) {
    struct vcpu *v = wisp_alloc(sizeof *v, 16);
    if (!v) return 0;
    v->ram_bytes = s->ram_bytes;
    v->first_run = 1;
    v->vmcb = alloc_page();
    v->iopm = iopm_create();
    v->msrpm = msrpm_create();
    v->npt_root = npt_build(s->ram_host, s->ram_bytes);
    if (!v->vmcb || !v->iopm || !v->msrpm || !v->npt_root) { destroy(v); return 0; }
    vmcb_init(v->vmcb, s, v);
    return v;
}

const struct vcpu_backend svm_backend = {
    .name = "AMD SVM",
    .probe = svm_probe,
    .enable = svm_enable,
    .create = create,
    .destroy = destroy,
    .read_state = svm_read_state,
    .write_state = svm_write_state,
    .run = svm_run,
    .load_entry_state = load_entry_state,
};
