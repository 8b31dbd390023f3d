// The one-file appliance (`wisp pack`, docs/deployment.md): the configuration and the guests' images
// carried as PE sections of wisp's own image. When wisp's image has a .wispcfg section, everything
// comes from sections and wisp touches no file system.
#pragma once
#include <stdint.h>
#include "efi/efi.h"

enum section_role { ROLE_BY_NAME = 0, ROLE_KERNEL = 1, ROLE_INITRD = 2 };   // ROLE_* = Linux image id + 1

// Finds the PE sections of the running image (EFI_LOADED_IMAGE_PROTOCOL.ImageBase); 1 when it is
// an appliance (has .wispcfg). Boot services only.
int sections_open(efi_handle image);
int sections_active(void);

// files_read's contract for an appliance: "wisp.cfg" is .wispcfg; any other name the .wimgN section
// whose header carries that name (its CRC-32 checked once the bytes are read).
efi_status sections_read(const char *name, uint64_t name_len, void *buf, uint64_t max, uint64_t *size);

// A kernel VM's image in place (no copy): by name in a .wimgN section, else a Linux kernel's or
// initrd's role in .linux / .initrd (the Unified Kernel Image sections). 1 ok; 0 after a message.
int sections_find(const char *name, uint64_t name_len, uint32_t role, const uint8_t **data, uint64_t *size);
