/*
 * wisp's own wasm2c runtime interface, written for the C that wabt 1.0.39's wasm2c generates
 * (pinned in package.json). Freestanding: no libc, no mmap, no signals. Linear memory comes from the
 * hypervisor's allocator and every access is bounds-checked in software (no guard pages), so the
 * configuration below is the only one this header supports.
 *
 * Only what generated code names is here: the configuration macros it tests, the value, memory and
 * table types, the trap codes, and the runtime functions it calls (c-shim/runtime/wasm_rt.c).
 */
#ifndef WISP_WASM_RT_H
#define WISP_WASM_RT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Configuration the generated code tests with #if. */
#define WASM_RT_USE_MMAP 0                 /* linear memory from wisp_alloc, not mmap */
#define WASM_RT_MEMCHECK_GUARD_PAGES 0     /* no guard pages ...                       */
#define WASM_RT_MEMCHECK_BOUNDS_CHECK 1    /* ... so every load and store is checked    */
#define WASM_RT_SKIP_SIGNAL_RECOVERY 1     /* traps are wasm_rt_trap calls, never faults */
#define WASM_RT_NONCONFORMING_UNCHECKED_STACK_EXHAUSTION 1
#define WASM_RT_STACK_DEPTH_COUNT 0        /* deep recursion overflows the host stack   */
#define WASM_RT_USE_SEGUE 0                /* GS stays the host's                       */
#define WASM_RT_ALLOW_SEGUE 0
#define WASM_RT_SEGUE_FREE_SEGMENT 0
#define WASM_RT_SANITY_CHECKS 0
#define WABT_BIG_ENDIAN 0

#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)

/* Every load and store of the generated code is a fixed-size copy through this: a builtin, so it
 * becomes one move even with -ffreestanding (which otherwise turns memcpy into a call). */
#define wasm_rt_memcpy __builtin_memcpy

#ifdef __cplusplus
extern "C" {
#endif

/* Why an instance stopped. WASM_RT_TRAP_NONE is 0 and never raised, so a trap code is never 0. */
typedef enum {
  WASM_RT_TRAP_NONE,
  WASM_RT_TRAP_OOB,                 /* out-of-bounds memory or table access */
  WASM_RT_TRAP_INT_OVERFLOW,        /* signed division overflow, float-to-int out of range */
  WASM_RT_TRAP_DIV_BY_ZERO,
  WASM_RT_TRAP_INVALID_CONVERSION,  /* float-to-int of a NaN */
  WASM_RT_TRAP_UNREACHABLE,
  WASM_RT_TRAP_CALL_INDIRECT,       /* bad table index, null entry or signature mismatch */
  WASM_RT_TRAP_UNCAUGHT_EXCEPTION,
  WASM_RT_TRAP_UNALIGNED,           /* misaligned atomic access */
  WASM_RT_TRAP_EXHAUSTION,          /* call stack exhausted (never raised: no depth counting) */
  WASM_RT_TRAP_NULL_REF,
  WASM_RT_TRAP_HOST_ABORT,          /* wisp's own: a host function stopped the instance (env.abort) */
  WASM_RT_TRAP_COUNT
} wasm_rt_trap_t;

typedef enum {
  WASM_RT_I32,
  WASM_RT_I64,
  WASM_RT_F32,
  WASM_RT_F64,
  WASM_RT_V128,
  WASM_RT_FUNCREF,
  WASM_RT_EXTERNREF,
  WASM_RT_EXNREF,
} wasm_rt_type_t;

/* A function type is a pointer to its 32-byte hash, compared with memcmp by call_indirect. */
typedef const char *wasm_rt_func_type_t;
typedef void (*wasm_rt_function_ptr_t)(void);

/* Tail-call continuation (used only by modules with tail calls). */
typedef struct wasm_rt_tailcallee_t {
  void (*fn)(void **instance_ptr, void *tail_call_stack, struct wasm_rt_tailcallee_t *next);
} wasm_rt_tailcallee_t;

typedef struct {
  wasm_rt_func_type_t func_type;
  wasm_rt_function_ptr_t func;
  wasm_rt_tailcallee_t func_tailcallee;
  void *module_instance;
} wasm_rt_funcref_t;

#define wasm_rt_funcref_null_value ((wasm_rt_funcref_t){NULL, NULL, {NULL}, NULL})

typedef void *wasm_rt_externref_t;
#define wasm_rt_externref_null_value ((wasm_rt_externref_t)NULL)

/* One linear memory. data holds size bytes (pages * 64 KiB); both change when the memory grows, so
 * a host that keeps a pointer into it must fetch data again after every call into the instance. */
typedef struct {
  uint8_t *data;
  uint64_t pages;
  uint64_t max_pages;
  uint64_t size;
  bool is64;
} wasm_rt_memory_t;

typedef struct {
  wasm_rt_funcref_t *data;
  uint32_t max_size;
  uint32_t size;
} wasm_rt_funcref_table_t;

typedef struct {
  wasm_rt_externref_t *data;
  uint32_t max_size;
  uint32_t size;
} wasm_rt_externref_table_t;

/* Does not return: unwinds to the caller's trap point (c-shim/runtime/trap.h). */
__attribute__((noreturn)) void wasm_rt_trap(wasm_rt_trap_t code);

/* Nothing to initialize: linear memory and traps need no process-wide setup. */
static inline bool wasm_rt_is_initialized(void) { return true; }

/* Allocates initial_pages zeroed pages. wisp supports only 64 KiB pages and 32-bit memories: anything
 * else, or no memory for it, traps (WASM_RT_TRAP_OOB) at instantiation. */
void wasm_rt_allocate_memory(wasm_rt_memory_t *memory, uint64_t initial_pages, uint64_t max_pages,
                             bool is64, uint32_t page_size);
/* memory.grow: the previous page count, or (uint64_t)-1 if it cannot grow. Moves data. */
uint64_t wasm_rt_grow_memory(wasm_rt_memory_t *memory, uint64_t delta);
void wasm_rt_free_memory(wasm_rt_memory_t *memory);

void wasm_rt_allocate_funcref_table(wasm_rt_funcref_table_t *table, uint32_t elements,
                                    uint32_t max_elements);
uint32_t wasm_rt_grow_funcref_table(wasm_rt_funcref_table_t *table, uint32_t delta,
                                    wasm_rt_funcref_t init);
void wasm_rt_free_funcref_table(wasm_rt_funcref_table_t *table);

#ifdef __cplusplus
}
#endif

#endif /* WISP_WASM_RT_H */
