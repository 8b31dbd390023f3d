/*
 * Checks c-shim/runtime against wasm2c output of runtime-check.wat (`wasm2c -n shape`): data
 * segments, memory.grow (which moves the memory), the funcref table, and that each kind of trap comes
 * back to the trap point with its code while the instance stays usable for the next guarded call.
 * Exit status 0 when every check passes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shape.h"
#include "trap.h"

void *wisp_alloc(uint64_t bytes, uint64_t align) {
  (void)align;                     /* malloc's 16 bytes suffice for the runtime's uses here */
  return calloc(1, bytes);
}

void wisp_free(void *p, uint64_t bytes) {
  (void)bytes;
  free(p);
}

void wisp_console_write(const char *text, uint64_t length) {
  fwrite(text, 1, length, stdout);
}

struct w2c_env { int console_calls; };

void w2c_env_consoleWrite(struct w2c_env *env, u32 ptr, u32 len) {
  (void)ptr;
  (void)len;
  env->console_calls++;
}

void w2c_env_abort(struct w2c_env *env, u32 a, u32 b, u32 c, u32 d) {
  (void)env, (void)a, (void)b, (void)c, (void)d;
  wasm_rt_trap(WASM_RT_TRAP_HOST_ABORT);
}

static int failures;

#define CHECK(c)                                                    \
  do {                                                              \
    if (!(c)) {                                                     \
      printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c);           \
      failures++;                                                   \
    }                                                               \
  } while (0)

static struct w2c_env env;
static w2c_shape shape;
static wisp_trap_point point;

enum { PAGE = 65536 };

static void expect_trap(const char *what, int got, int want) {
  printf("%-28s %s\n", what, got ? wisp_trap_name(got) : "no trap");
  CHECK(got == want);
}

int main(void) {
  wisp_current_trap_point = &point;
  volatile int code = wisp_setjmp(&point);
  if (code) {
    printf("unexpected trap: %s\n", wisp_trap_name(code));
    return 1;
  }
  wasm2c_shape_instantiate(&shape, &env);
  wasm_rt_memory_t *memory = w2c_shape_memory(&shape);
  CHECK(memcmp(memory->data + 16, "hello wisp", 10) == 0);
  w2c_shape_hello(&shape);
  CHECK(env.console_calls == 1);
  CHECK(w2c_shape_size(&shape) == 1);
  CHECK(w2c_shape_grow(&shape, 2) == 1);
  CHECK(w2c_shape_size(&shape) == 3 && memory->size == 3 * PAGE);
  CHECK(memcmp(memory->data + 16, "hello wisp", 10) == 0);
  CHECK(w2c_shape_oob(&shape, 3 * PAGE - 4) == 0);
  CHECK(w2c_shape_grow(&shape, 100000) == 0xffffffffu);
  CHECK(w2c_shape_clz(&shape, 1) == 63);
  CHECK(w2c_shape_ctz(&shape, 8) == 3);
  CHECK(w2c_shape_callInd(&shape, 0, 41) == 42);
  CHECK(w2c_shape_callInd(&shape, 1, 5) == 20);
  w2c_shape_copy(&shape, 17, 16, 10);
  CHECK(memcmp(memory->data + 16, "hhello wisp", 11) == 0);

  /* Each trap comes back here with its code. */
  struct { const char *what; int want; } cases[] = {
      {"load past the end", WASM_RT_TRAP_OOB},
      {"fill past the end", WASM_RT_TRAP_OOB},
      {"divide by zero", WASM_RT_TRAP_DIV_BY_ZERO},
      {"call_indirect out of table", WASM_RT_TRAP_CALL_INDIRECT},
      {"unreachable", WASM_RT_TRAP_UNREACHABLE},
  };
  for (volatile unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    code = wisp_setjmp(&point);
    if (code == 0) {
      switch (i) {
      case 0: w2c_shape_oob(&shape, 3 * PAGE - 3); break;
      case 1: w2c_shape_fill(&shape, 3 * PAGE - 5, 6); break;
      case 2: w2c_shape_callInd(&shape, 1, 0); break;
      case 3: w2c_shape_callInd(&shape, 7, 0); break;
      case 4: w2c_shape_unreach(&shape); break;
      }
    }
    expect_trap(cases[i].what, code, cases[i].want);
  }

  /* After the traps the same trap point still guards calls. */
  code = wisp_setjmp(&point);
  if (code == 0)
    CHECK(w2c_shape_callInd(&shape, 0, 1) == 2);
  CHECK(code == 0);
  wasm2c_shape_free(&shape);
  wisp_current_trap_point = NULL;
  printf("%s (%d failures)\n", failures ? "FAILED" : "runtime check: ok", failures);
  return failures != 0;
}
