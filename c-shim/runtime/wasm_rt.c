/*
 * The freestanding wasm2c runtime: traps, linear memory and tables for wasm2c output (wasm-rt.h).
 * Memory comes from the hypervisor's allocator; growing a memory moves it (no mmap to reserve with).
 */
#include <assert.h>
#include <string.h>

#include "trap.h"
#include "wasm-rt.h"

/* Provided by the shim (c-shim/host/alloc.c): zeroed bytes aligned to align (a power of two), or NULL
 * when there is no memory left. wisp_free gets the same byte count back. */
void *wisp_alloc(uint64_t bytes, uint64_t align);
void wisp_free(void *p, uint64_t bytes);

#define PAGE_BYTES 65536u
#define MEMORY_ALIGN 4096u

wisp_trap_point *wisp_current_trap_point;

/* Upper bound for any one linear memory, whatever the module declares: one VM's core must not be able
 * to take all of the hypervisor's memory. The shim may change it before instantiating. */
uint64_t wisp_memory_max_pages = 4096; /* 256 MiB */

static const char *const trap_names[WASM_RT_TRAP_COUNT] = {
    [WASM_RT_TRAP_NONE] = "no trap",
    [WASM_RT_TRAP_OOB] = "out of bounds memory access",
    [WASM_RT_TRAP_INT_OVERFLOW] = "integer overflow",
    [WASM_RT_TRAP_DIV_BY_ZERO] = "integer divide by zero",
    [WASM_RT_TRAP_INVALID_CONVERSION] = "invalid conversion to integer",
    [WASM_RT_TRAP_UNREACHABLE] = "unreachable executed",
    [WASM_RT_TRAP_CALL_INDIRECT] = "indirect call type mismatch",
    [WASM_RT_TRAP_UNCAUGHT_EXCEPTION] = "uncaught exception",
    [WASM_RT_TRAP_UNALIGNED] = "unaligned atomic access",
    [WASM_RT_TRAP_EXHAUSTION] = "call stack exhausted",
    [WASM_RT_TRAP_NULL_REF] = "null reference",
    [WASM_RT_TRAP_HOST_ABORT] = "aborted by a host function",
};

const char *wisp_trap_name(int code) {
  if (code <= WASM_RT_TRAP_NONE || code >= WASM_RT_TRAP_COUNT)
    return "unknown trap";
  return trap_names[code];
}

static void console_string(const char *text) {
  uint64_t length = 0;
  while (text[length])
    length++;
  wisp_console_write(text, length);
}

static void console_decimal(uint64_t value) {
  char digits[20];
  int at = sizeof digits;
  do {
    digits[--at] = (char)('0' + value % 10);
    value /= 10;
  } while (value);
  wisp_console_write(digits + at, sizeof digits - at);
}

void wasm_rt_trap(wasm_rt_trap_t code) {
  wisp_trap_point *point = wisp_current_trap_point;
  if (code <= WASM_RT_TRAP_NONE || code >= WASM_RT_TRAP_COUNT)
    code = WASM_RT_TRAP_UNREACHABLE; /* never unwind with 0: it would read as "no trap" */
  if (point)
    wisp_longjmp(point, code);
  console_string("wisp: unguarded wasm trap: ");
  console_string(wisp_trap_name(code));
  console_string("\n");
  wisp_halt();
}

void wisp_assert_failed(const char *expression, const char *file, int line) {
  console_string("wisp: assertion failed: ");
  console_string(expression);
  console_string(" at ");
  console_string(file);
  console_string(":");
  console_decimal((uint64_t)line);
  console_string("\n");
  wisp_halt();
}

void wasm_rt_allocate_memory(wasm_rt_memory_t *memory, uint64_t initial_pages, uint64_t max_pages,
                             bool is64, uint32_t page_size) {
  memory->data = NULL;
  memory->pages = 0;
  memory->size = 0;
  memory->is64 = is64;
  memory->max_pages = max_pages < wisp_memory_max_pages ? max_pages : wisp_memory_max_pages;
  if (is64 || page_size != PAGE_BYTES || initial_pages > memory->max_pages)
    wasm_rt_trap(WASM_RT_TRAP_OOB);
  uint64_t bytes = initial_pages * PAGE_BYTES;
  if (bytes) {
    memory->data = wisp_alloc(bytes, MEMORY_ALIGN);
    if (!memory->data)
      wasm_rt_trap(WASM_RT_TRAP_OOB);
  }
  memory->pages = initial_pages;
  memory->size = bytes;
}

uint64_t wasm_rt_grow_memory(wasm_rt_memory_t *memory, uint64_t delta) {
  uint64_t old_pages = memory->pages;
  if (delta == 0)
    return old_pages;
  if (delta > memory->max_pages - old_pages)
    return (uint64_t)-1;
  uint64_t new_size = (old_pages + delta) * PAGE_BYTES;
  uint8_t *data = wisp_alloc(new_size, MEMORY_ALIGN);
  if (!data)
    return (uint64_t)-1;
  memcpy(data, memory->data, memory->size); /* the rest is zero already */
  if (memory->data)
    wisp_free(memory->data, memory->size);
  memory->data = data;
  memory->pages = old_pages + delta;
  memory->size = new_size;
  return old_pages;
}

void wasm_rt_free_memory(wasm_rt_memory_t *memory) {
  if (memory->data)
    wisp_free(memory->data, memory->size);
  memory->data = NULL;
  memory->pages = 0;
  memory->size = 0;
}

static wasm_rt_funcref_t *allocate_funcrefs(uint32_t count) {
  if (!count)
    return NULL;
  uint64_t bytes = (uint64_t)count * sizeof(wasm_rt_funcref_t);
  wasm_rt_funcref_t *data = wisp_alloc(bytes, _Alignof(wasm_rt_funcref_t));
  if (!data)
    wasm_rt_trap(WASM_RT_TRAP_OOB);
  return data; /* zeroed: every entry is the null funcref */
}

void wasm_rt_allocate_funcref_table(wasm_rt_funcref_table_t *table, uint32_t elements,
                                    uint32_t max_elements) {
  table->data = allocate_funcrefs(elements);
  table->size = elements;
  table->max_size = max_elements;
}

uint32_t wasm_rt_grow_funcref_table(wasm_rt_funcref_table_t *table, uint32_t delta,
                                    wasm_rt_funcref_t init) {
  uint32_t old_size = table->size;
  if (delta == 0)
    return old_size;
  if (delta > table->max_size - old_size)
    return (uint32_t)-1;
  uint32_t new_size = old_size + delta;
  wasm_rt_funcref_t *data = wisp_alloc((uint64_t)new_size * sizeof *data, _Alignof(wasm_rt_funcref_t));
  if (!data)
    return (uint32_t)-1;
  if (old_size)
    memcpy(data, table->data, (uint64_t)old_size * sizeof *data);
  for (uint32_t i = old_size; i < new_size; i++)
    data[i] = init;
  wasm_rt_free_funcref_table(table);
  table->data = data;
  table->size = new_size;
  return old_size;
}

void wasm_rt_free_funcref_table(wasm_rt_funcref_table_t *table) {
  if (table->data)
    wisp_free(table->data, (uint64_t)table->size * sizeof *table->data);
  table->data = NULL;
  table->size = 0;
}
