// header.S: the Multiboot v1 header of the test kernels (Multiboot Specification 0.6.96, section
// 3.1), in section .multiboot, which kernel.ld puts first in the file (the header must lie in its
// first 8192 bytes). With AOUT_KLUDGE defined it carries the a.out kludge's address fields (flag
// 16, section 3.1.3), taken from kernel.ld's symbols, and the loader places the flat binary by them.
// The kernel provides `start`, entered in 32-bit protected mode (section 3.2).

#ifndef MULTIBOOT_HEADER_S
#define MULTIBOOT_HEADER_S

#define MB_MAGIC            0x1badb002  // section 3.1.1
#define MB_PAGE_ALIGN       (1 << 0)    // section 3.1.2: modules page-aligned
#define MB_MEMORY_INFO      (1 << 1)    // mem_* and mmap wanted
#define MB_AOUT_KLUDGE      (1 << 16)   // the address fields below are valid
#ifdef AOUT_KLUDGE
#define MB_FLAGS            (MB_PAGE_ALIGN | MB_MEMORY_INFO | MB_AOUT_KLUDGE)
#else
#define MB_FLAGS            (MB_PAGE_ALIGN | MB_MEMORY_INFO)
#endif
#define BOOTLOADER_MAGIC    0x2badb002  // section 3.2: EAX at entry

        .section .multiboot, "a"
        .balign 4
multiboot_header:
        .long MB_MAGIC
        .long MB_FLAGS
        .long -(MB_MAGIC + MB_FLAGS)
#ifdef AOUT_KLUDGE
        .long multiboot_header          // header_addr
        .long image_start               // load_addr: the file's first byte (kernel.ld)
        .long data_end                  // load_end_addr: the end of .data (kernel.ld)
        .long bss_end                   // bss_end_addr
        .long start                     // entry_addr
#endif

#endif
