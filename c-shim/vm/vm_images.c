// Boot images of kernel VMs (Linux: kernel + initrd; Multiboot: kernel + modules): each file in
// \wisp\ read whole into its own firmware allocation before ExitBootServices (tens of MiB: far more
// than the host pool). The core's loader then reads headers with imageRead and copies the bulk
// with imageLoad (imports.c), so nothing here looks inside a file.
#include "vm/vm.h"
#include "efi/efi.h"
#include "efi/files.h"
#include "efi/sections.h"
#include "host/console.h"

#define PAGE 4096ull                            // UEFI spec 7.2 AllocatePages: 4 KiB pages
#define MAX_IMAGE_BYTES (1ull << 30)            // 1 GiB: larger is surely a mistake

static int image_error(struct vm *vm, const struct vm_image *img, const char *why, uint64_t status) {
    con_str("wisp: VM ");
    wisp_console_write(vm->name, vm->name_len);
    con_str(": cannot read \\wisp\\");
    wisp_console_write(img->name, img->name_len);
    con_str(": ");
    con_str(why);
    if (status) {
        con_str(" (EFI status ");
        con_hex(status);
        con_str(")");
    }
    con_nl();
    return 0;
}

static int read_one(struct vm *vm, struct vm_image *img) {
    if (sections_active()) {                    // the appliance: used in place in wisp's own image
        uint32_t role = vm->kind == KIND_LINUX ? (uint32_t)(img - vm->images) + 1 : ROLE_BY_NAME;
        const uint8_t *data;
        if (!sections_find(img->name, img->name_len, role, &data, &img->size))
            return image_error(vm, img, "not usable in the appliance (see above)", 0);
        img->data = (uint8_t *)data;            // read-only use by imageRead/imageLoad
        return 1;
    }
    uint64_t size = 0;
    uint8_t probe;
    efi_status s = files_read(img->name, img->name_len, &probe, 0, &size);   // size only
    if (s == EFI_SUCCESS && size == 0) return image_error(vm, img, "the file is empty", 0);
    if (s != EFI_BUFFER_TOO_SMALL) return image_error(vm, img, s == EFI_NOT_FOUND ? "no such file" : "error", s == EFI_NOT_FOUND ? 0 : s);
    if (size > MAX_IMAGE_BYTES) return image_error(vm, img, "larger than 1 GiB", 0);
    uint64_t base = 0, pages = (size + PAGE - 1) / PAGE;
    if (efi_bs->allocate_pages(EFI_ALLOCATE_ANY_PAGES, EFI_LOADER_DATA, pages, &base))
        return image_error(vm, img, "not enough firmware memory to hold it", 0);
    s = files_read(img->name, img->name_len, (void *)base, size, &size);
    if (s) {
        efi_bs->free_pages(base, pages);
        return image_error(vm, img, "read error", s);
    }
    img->data = (uint8_t *)base;
    img->size = size;
    return 1;
}

int vm_read_images(struct vm *vm) {
    for (uint32_t id = 0; id < vm->image_count; id++) {
        struct vm_image *img = &vm->images[id];
        img->data = 0;
        img->size = 0;
        if (img->name_len && !read_one(vm, img)) return 0;
    }
    return 1;
}
