// exit.S: ending the VM through the debug-exit port: wisp ends the VM with result "exit V" for a
// byte V written to port 0xf4 (docs/architecture.md, "Results"; under QEMU without wisp, its
// isa-debug-exit device at the same port).
//
// Provides: DEBUG_EXIT_PORT; debug_exit (jump to it): AL to the port, then HLT with interrupts off
// should the write ever return. Mode: GUEST_BITS (its bytes are the same in 16-, 32- and 64-bit
// code). Clobbers: does not return.

#ifndef GUEST_LIB_EXIT_S
#define GUEST_LIB_EXIT_S
#include "width.S"

#define DEBUG_EXIT_PORT     0xf4

        GUEST_LIB_BEGIN
debug_exit:
        outb %al, $DEBUG_EXIT_PORT
        cli                             // not reached while the debug-exit port works
1:      hlt
        jmp 1b
        GUEST_LIB_END

#endif
