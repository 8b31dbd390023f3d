/* Freestanding assert for generated code: a failure reports and halts (c-shim/runtime/wasm_rt.c). */
#ifndef WISP_ASSERT_H
#define WISP_ASSERT_H

__attribute__((noreturn)) void wisp_assert_failed(const char *expression, const char *file, int line);

#ifdef NDEBUG
#define assert(e) ((void)0)
#else
#define assert(e) ((e) ? (void)0 : wisp_assert_failed(#e, __FILE__, __LINE__))
#endif

#endif /* WISP_ASSERT_H */
