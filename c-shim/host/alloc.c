// First-fit allocator over a sorted table of free ranges; frees coalesce with their neighbours.
// Not interrupt-safe: only the main flow allocates.
#include "host/alloc.h"

#define MAX_RANGES 64
#define GRANULE 16u

static struct range { uint64_t start, end; } free_ranges[MAX_RANGES];
static int range_count;

static void remove_at(int i) {
    for (; i + 1 < range_count; i++) free_ranges[i] = free_ranges[i + 1];
    range_count--;
}

static int insert_at(int i, uint64_t start, uint64_t end) {
    if (range_count == MAX_RANGES) return 0;
    for (int j = range_count; j > i; j--) free_ranges[j] = free_ranges[j - 1];
    free_ranges[i].start = start;
    free_ranges[i].end = end;
    range_count++;
    return 1;
}

void alloc_init(uint64_t base, uint64_t bytes) {
    range_count = 0;
    insert_at(0, base, base + bytes);
}

static void zero(void *p, uint64_t n) {
    volatile uint64_t *q = p;                       // volatile: no call to memset
    for (uint64_t i = 0; i < n / 8; i++) q[i] = 0;
}

void *wisp_alloc(uint64_t bytes, uint64_t align) {
    if (align < GRANULE) align = GRANULE;
    if ((align & (align - 1)) || bytes == 0 || bytes > (1ull << 40)) return 0;
    bytes = (bytes + GRANULE - 1) & ~(uint64_t)(GRANULE - 1);
    for (int i = 0; i < range_count; i++) {
        struct range r = free_ranges[i];
        uint64_t start = (r.start + align - 1) & ~(align - 1);
        if (start < r.start || start + bytes > r.end || start + bytes < start) continue;
        uint64_t end = start + bytes;
        if (start > r.start && end < r.end) {       // split in two: keep head, add tail
            if (!insert_at(i + 1, end, r.end)) continue;
            free_ranges[i].end = start;
        } else if (start > r.start) {
            free_ranges[i].end = start;
        } else if (end < r.end) {
            free_ranges[i].start = end;
        } else {
            remove_at(i);
        }
        zero((void *)start, bytes);
        return (void *)start;
    }
    return 0;
}

void wisp_free(void *p, uint64_t bytes) {
    if (!p || !bytes) return;
    uint64_t start = (uint64_t)p;
    uint64_t end = start + ((bytes + GRANULE - 1) & ~(uint64_t)(GRANULE - 1));
    int i = 0;
    while (i < range_count && free_ranges[i].start < start) i++;
    int merged = 0;
    if (i > 0 && free_ranges[i - 1].end == start) {
        free_ranges[i - 1].end = end;
        merged = 1;
        if (i < range_count && free_ranges[i].start == end) {
            free_ranges[i - 1].end = free_ranges[i].end;
            remove_at(i);
        }
    } else if (i < range_count && free_ranges[i].start == end) {
        free_ranges[i].start = start;
        merged = 1;
    }
    if (!merged) insert_at(i, start, end);          // table full: the bytes are lost, not reused
}

void *alloc_page(void) { return wisp_alloc(4096, 4096); }   // 4 KiB: APM vol. 2, 5.3 page size

uint64_t alloc_free_bytes(void) {
    uint64_t n = 0;
    for (int i = 0; i < range_count; i++) n += free_ranges[i].end - free_ranges[i].start;
    return n;
}
