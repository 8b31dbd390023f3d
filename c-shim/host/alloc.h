// The host memory pool: one block reserved from the firmware before ExitBootServices, handed out
// by wisp_alloc (instances' linear memories, VMCBs, page tables) and returned by wisp_free.
#pragma once
#include <stdint.h>

void alloc_init(uint64_t base, uint64_t bytes);
void *wisp_alloc(uint64_t bytes, uint64_t align);       // zeroed; NULL when the pool is exhausted
void wisp_free(void *p, uint64_t bytes);
void *alloc_page(void);                                 // one zeroed 4 KiB page, or NULL
uint64_t alloc_free_bytes(void);
