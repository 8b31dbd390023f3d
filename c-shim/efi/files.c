#include "efi/files.h"
#include "efi/sections.h"

#define DIR_LEN 6                               // the length of "\\wisp\\"
#define NAME_MAX 128                            // the core's IMAGE_NAME_CAP (as-src/vm/config.ts)

static efi_file *root;

efi_status files_open_volume(efi_handle image) {
    efi_loaded_image *loaded;
    efi_simple_file_system *fs;
    efi_status s = efi_bs->handle_protocol(image, &efi_loaded_image_guid, (void **)&loaded);
    if (s) return s;
    s = efi_bs->handle_protocol(loaded->device_handle, &efi_simple_file_system_guid, (void **)&fs);
    if (s) return s;
    return fs->open_volume(fs, &root);
}

static int name_ok(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '-' || c == '_';
}

efi_status files_read(const char *name, uint64_t name_len, void *buf, uint64_t max, uint64_t *size) {
    char16 path[DIR_LEN + NAME_MAX + 1] = {'\\', 'w', 'i', 's', 'p', '\\'};
    *size = 0;
    if (sections_active()) return sections_read(name, name_len, buf, max, size);   // the appliance
    if (!root) return EFI_NOT_FOUND;
    if (name_len == 0 || name_len > NAME_MAX || name[0] == '.') return EFI_INVALID_PARAMETER;
    for (uint64_t i = 0; i < name_len; i++) {
        if (!name_ok(name[i])) return EFI_INVALID_PARAMETER;
        path[DIR_LEN + i] = (char16)name[i];
    }
    path[DIR_LEN + name_len] = 0;
    efi_file *f;
    efi_status s = root->open(root, &f, path, EFI_FILE_MODE_READ, 0);
    if (s) return s;
    uint64_t end = 0;
    s = f->set_position(f, EFI_FILE_POSITION_END);
    if (!s) s = f->get_position(f, &end);
    if (!s) s = f->set_position(f, 0);
    if (!s) {
        *size = end;
        if (end > max) {
            s = EFI_BUFFER_TOO_SMALL;
        } else {
            uint64_t got = end;
            s = f->read(f, &got, buf);
            if (!s && got != end) s = EFI_ERR(7);      // EFI_DEVICE_ERROR (UEFI spec Appendix D)
        }
    }
    f->close(f);
    return s;
}
