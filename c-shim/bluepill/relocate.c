// wisp-driver.efi is loaded into boot-services memory, which the OS takes back after
// ExitBootServices. The hypervisor part therefore runs from a copy in reserved memory: the whole
// loaded image (SizeOfImage from ImageBase), with its base relocations applied again for the new
// address (PE/COFF specification, 6.6 "The .reloc Section": IMAGE_REL_BASED_DIR64 = 10, padding
// IMAGE_REL_BASED_ABSOLUTE = 0). Called first thing, so no pointer into the image was stored at run
// time before the copy (those would not be relocated).
#include "bluepill/bluepill.h"
#include "host/console.h"

#define PAGE 4096ull                            // UEFI spec 7.2 AllocatePages
#define PE_OFFSET 0x3C                          // PE/COFF spec 3.1: offset of the signature
#define COFF_HEADER 24                          // "PE\0\0" + COFF file header (PE/COFF spec 3.3)
#define OPT_MAGIC_PE32PLUS 0x20B                // PE/COFF spec 3.4
#define OPT_DATA_DIRECTORIES 112                // PE32+ optional header: data directories (3.4.3)
#define DIR_BASE_RELOC 5                        // PE/COFF spec 3.4.3: Base Relocation Table
#define REL_ABSOLUTE 0
#define REL_DIR64 10

static int apply_relocations(uint8_t *copy, uint64_t bytes, int64_t delta) {
    uint32_t pe = *(uint32_t *)(copy + PE_OFFSET);
    if (pe > bytes - COFF_HEADER - OPT_DATA_DIRECTORIES - 8 * (DIR_BASE_RELOC + 1)) return 0;
    uint8_t *opt = copy + pe + COFF_HEADER;
    if (*(uint16_t *)opt != OPT_MAGIC_PE32PLUS) return 0;
    uint32_t rva = *(uint32_t *)(opt + OPT_DATA_DIRECTORIES + 8 * DIR_BASE_RELOC);
    uint32_t size = *(uint32_t *)(opt + OPT_DATA_DIRECTORIES + 8 * DIR_BASE_RELOC + 4);
    if (rva > bytes || size > bytes - rva) return 0;
    for (uint32_t at = 0; at + 8 <= size;) {
        uint32_t page = *(uint32_t *)(copy + rva + at), block = *(uint32_t *)(copy + rva + at + 4);
        if (block < 8 || block > size - at) return 0;
        for (uint32_t e = 8; e + 2 <= block; e += 2) {
            uint16_t entry = *(uint16_t *)(copy + rva + at + e);
            uint64_t where = (uint64_t)page + (entry & 0xFFF);
            if ((entry >> 12) == REL_ABSOLUTE) continue;
            if ((entry >> 12) != REL_DIR64 || where > bytes - 8) return 0;
            *(uint64_t *)(copy + where) += (uint64_t)delta;
        }
        at += block;
    }
    return 1;
}

int bluepill_relocate(efi_handle image, struct bp_image *out) {
    efi_loaded_image *li = 0;
    if (efi_bs->handle_protocol(image, &efi_loaded_image_guid, (void **)&li) != EFI_SUCCESS || !li) return 0;
    uint64_t base = (uint64_t)li->image_base, bytes = li->image_size;
    uint64_t pages = (bytes + PAGE - 1) / PAGE, copy = 0;
    if (efi_bs->allocate_pages(EFI_ALLOCATE_ANY_PAGES, EFI_RESERVED_MEMORY_TYPE, pages, &copy) != EFI_SUCCESS) return 0;
    for (uint64_t i = 0; i < bytes; i++) ((volatile uint8_t *)copy)[i] = ((const uint8_t *)base)[i];
    if (!apply_relocations((uint8_t *)copy, bytes, (int64_t)(copy - base))) {
        efi_bs->free_pages(copy, pages);
        return 0;
    }
    out->loaded_base = base;
    out->loaded_bytes = bytes;
    out->copy = copy;
    out->copy_bytes = pages * PAGE;
    return 1;
}
