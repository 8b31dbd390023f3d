// Files in \wisp\ on the volume wisp.efi was loaded from.
#pragma once
#include <stdint.h>
#include "efi/efi.h"

efi_status files_open_volume(efi_handle image);           // LoadedImage -> DeviceHandle -> SimpleFileSystem
// Reads \wisp\<name> (ASCII) into buf, at most max bytes. *size = the file's size (even when it
// does not fit: then EFI_BUFFER_TOO_SMALL and nothing is read). EFI_NOT_FOUND if absent.
efi_status files_read(const char *name, uint64_t name_len, void *buf, uint64_t max, uint64_t *size);
