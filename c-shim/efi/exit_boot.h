#pragma once
#include <stdint.h>
#include "efi/efi.h"
// GetMemoryMap + ExitBootServices (one retry with a fresh map key). Returns 1 on success, with the
// highest physical address the memory map describes. map_buffer: room for the map.
int efi_exit_boot_services(efi_handle image, void *map_buffer, uint64_t map_bytes, uint64_t *max_physical);
