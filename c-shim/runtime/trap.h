/*
 * Trap recovery: how the shim calls into a core instance and gets control back when it traps.
 *
 *   wisp_trap_point point;
 *   wisp_trap_point *outer = wisp_current_trap_point;
 *   wisp_current_trap_point = &point;
 *   int trap = wisp_setjmp(&point);
 *   if (trap == 0) {
 *     ... calls into the instance ...          (a trap comes back out of wisp_setjmp with its code)
 *   } else {
 *     ... wisp_trap_name(trap); the instance is unusable: wasm2c_core_free it, never call it again ...
 *   }
 *   wisp_current_trap_point = outer;
 *
 * Instantiation is a call into the instance too (it traps when memory cannot be had): zero the
 * w2c_core struct first, so wasm2c_core_free is safe after a failed one. One trap point can guard
 * many calls (a whole VM run loop): setting it is the only cost. Locals of the function holding the
 * point that change after wisp_setjmp and are read after a trap must be volatile. Traps are raised only from the thread of control that set the point (no SMP in this
 * version). Without a trap point, a trap prints its name and halts the machine.
 */
#ifndef WISP_TRAP_H
#define WISP_TRAP_H

#include <stdint.h>

/* Callee-saved registers, stack pointer and return address of the wisp_setjmp call (layout: trap.S).
 * Microsoft x64 (UEFI build) fills all 10 slots, System V (host build) 8. */
typedef struct wisp_trap_point {
  uint64_t regs[10];
} wisp_trap_point;

/* Returns 0 when called, then the value given to wisp_longjmp (never 0) when a trap unwinds to it. */
__attribute__((returns_twice)) int wisp_setjmp(wisp_trap_point *point);
__attribute__((noreturn)) void wisp_longjmp(wisp_trap_point *point, int value);
/* Stops the machine for good (UEFI: interrupts off, hlt; host build: an invalid-opcode fault). */
__attribute__((noreturn)) void wisp_halt(void);

/* Where wasm_rt_trap unwinds to; NULL when no call into an instance is guarded. */
extern wisp_trap_point *wisp_current_trap_point;

/* Largest linear memory an instance may have, in 64 KiB pages (default 4096: 256 MiB), whatever its
 * module declares; set before instantiating. Growing beyond fails as memory.grow does (-1). */
extern uint64_t wisp_memory_max_pages;

/* A readable name for a wasm_rt_trap_t code ("out of bounds memory access", ...). */
const char *wisp_trap_name(int code);

/* Provided by the shim (c-shim/host/): bytes to the console. */
void wisp_console_write(const char *text, uint64_t length);

#endif /* WISP_TRAP_H */
