#include "efi/exit_boot.h"

#define PAGE 4096ull                            // UEFI spec 7.2: NumberOfPages counts 4 KiB pages

int efi_exit_boot_services(efi_handle image, void *map_buffer, uint64_t map_bytes, uint64_t *max_physical) {
    // A failed ExitBootServices may have changed the map: fetch it again and retry once
    // (UEFI spec 7.4 ExitBootServices: EFI_INVALID_PARAMETER means MapKey is stale).
    for (int attempt = 0; attempt < 2; attempt++) {
        uint64_t size = map_bytes, key = 0, descriptor_size = 0;
        uint32_t version = 0;
        if (efi_bs->get_memory_map(&size, map_buffer, &key, &descriptor_size, &version)) return 0;
        uint64_t top = 0;
        for (uint64_t off = 0; descriptor_size && off + descriptor_size <= size; off += descriptor_size) {
            const efi_memory_descriptor *d = (const efi_memory_descriptor *)((uint8_t *)map_buffer + off);
            uint64_t end = d->physical_start + d->number_of_pages * PAGE;
            if (end > top) top = end;
        }
        efi_status s = efi_bs->exit_boot_services(image, key);
        if (s == EFI_SUCCESS) {
            efi_bs = 0;
            *max_physical = top;
            return 1;
        }
        if (s != EFI_INVALID_PARAMETER) return 0;
    }
    return 0;
}
