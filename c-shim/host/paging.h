#pragma once
#include <stdint.h>
int paging_init(uint64_t max_physical);   // identity map; 0 if out of memory
