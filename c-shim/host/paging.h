#pragma once
#include <stdint.h>
int paging_init(uint64_t max_physical);   // identity map, loaded into CR3; 0 if out of memory
uint64_t paging_build(uint64_t max_physical);   // the same, not loaded: its root, or 0
