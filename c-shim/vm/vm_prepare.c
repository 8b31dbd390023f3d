// Before ExitBootServices, per VM: guest RAM from the firmware, the flat image loaded into it, and
// the vendor structures (VMCB, nested page table, permission maps). A VM that cannot be prepared
// gets result ERROR; the others still run.
#include "vm/vm.h"
#include "payload.h"
#include "efi/efi.h"
#include "efi/files.h"
#include "host/console.h"

#define PAGE 4096ull                            // UEFI spec 7.2 AllocatePages: 4 KiB pages
#define ALIGN_2M (2ull << 20)                   // guest RAM 2 MiB-aligned: nested 2 MiB pages (APM vol. 2, 15.25.3)
#define MAX_GUEST_RAM (64ull << 30)

static void fail(struct vm *vm, const char *why) {
    con_str("wisp: VM ");
    wisp_console_write(vm->name, vm->name_len);
    con_str(": ");
    con_str(why);
    con_nl();
    vm->prepared = 0;
    vm->result_kind = RESULT_ERROR;
}

static int is_default_image(const struct vm *vm) {
    const char *d = DEFAULT_IMAGE_NAME;
    uint32_t i = 0;
    for (; i < vm->image_len && d[i]; i++) if (vm->image[i] != d[i]) return 0;
    return i == vm->image_len && !d[i];
}

static void zero(uint8_t *p, uint64_t n) {
    volatile uint64_t *q = (volatile uint64_t *)p;
    for (uint64_t i = 0; i < n / 8; i++) q[i] = 0;
}

static int load_image(struct vm *vm, const struct wisp_config *cfg) {
    uint64_t room = vm->memory_bytes - vm->load;
    uint64_t size = 0;
    efi_status s = cfg->builtin ? EFI_NOT_FOUND
                                : files_read(vm->image, vm->image_len, vm->ram + vm->load, room, &size);
    if (s == EFI_NOT_FOUND && is_default_image(vm)) {
        size = wisp_default_guest_size;
        if (size > room) s = EFI_BUFFER_TOO_SMALL;
        else {
            for (uint64_t i = 0; i < size; i++) vm->ram[vm->load + i] = wisp_default_guest[i];
            s = EFI_SUCCESS;
        }
    }
    if (s == EFI_BUFFER_TOO_SMALL) {
        con_str("wisp: VM ");
        wisp_console_write(vm->name, vm->name_len);
        con_str(": image ");
        wisp_console_write(vm->image, vm->image_len);
        con_str(" (");
        con_dec(size);
        con_str(" bytes) at load ");
        con_hex(vm->load);
        con_str(" does not fit in ");
        con_dec(vm->memory_bytes >> 20);
        con_str(" MiB of memory\n");
        vm->prepared = 0;
        vm->result_kind = RESULT_ERROR;
        return 0;
    }
    if (s) {
        con_str("wisp: VM ");
        wisp_console_write(vm->name, vm->name_len);
        con_str(": cannot read \\wisp\\");
        wisp_console_write(vm->image, vm->image_len);
        con_str(" (EFI status ");
        con_hex(s);
        con_str(")\n");
        vm->prepared = 0;
        vm->result_kind = RESULT_ERROR;
        return 0;
    }
    return 1;
}

int vm_prepare(struct vm *vm, const struct wisp_config *cfg) {
    vm->prepared = 0;
    if (vm->memory_bytes == 0 || vm->memory_bytes > MAX_GUEST_RAM || (vm->memory_bytes & (PAGE - 1))) {
        fail(vm, "memory size out of range");
        return 0;
    }
    if (vm->load >= vm->memory_bytes) {
        fail(vm, "load address outside its memory");
        return 0;
    }
    if (vm->mode != MODE_REAL && vm->mode != MODE_PROTECTED32 && vm->mode != MODE_LONG64) {
        fail(vm, "unknown entry mode");
        return 0;
    }
    uint64_t pages = vm->memory_bytes / PAGE + ALIGN_2M / PAGE;
    uint64_t base = 0;
    if (efi_bs->allocate_pages(EFI_ALLOCATE_ANY_PAGES, EFI_LOADER_DATA, pages, &base)) {
        fail(vm, "not enough firmware memory for its RAM");
        return 0;
    }
    vm->ram_pages = pages;
    vm->ram = (uint8_t *)((base + ALIGN_2M - 1) & ~(ALIGN_2M - 1));
    zero(vm->ram, vm->memory_bytes);
    if (vm->kind == KIND_FLAT ? !load_image(vm, cfg) : !vm_read_images(vm)) {
        vm->prepared = 0;
        vm->result_kind = RESULT_ERROR;
        return 0;
    }
    struct vcpu_setup setup = {
        .ram_host = (uint64_t)vm->ram, .ram_bytes = vm->memory_bytes, .entry = vm->entry, .mode = vm->mode,
    };
    vm->vcpu = vcpu_backend->create(&setup);
    if (!vm->vcpu) {
        fail(vm, "no host memory for its VMCB and nested page table");
        return 0;
    }
    vm->prepared = 1;
    return 1;
}
