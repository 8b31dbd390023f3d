// bluepill_launch(cpu, host_main): this CPU's current state becomes its guest's (Microsoft x64 ABI:
// rcx = cpu, rdx = host_main). The guest resumes at bluepill_resume with this stack and returns 1
// to the caller; host_main runs on wisp's stack (cpu->stack_top, struct bp_cpu offset 0) and never
// returns. Called from the loaded image, so the guest's return path is the loaded image's code.

#include "guest_gprs.h"

    .text
    .globl bluepill_launch
bluepill_launch:
    PUSH_HOST_CALLEE_SAVED
    pushfq                      // the guest's RFLAGS, IF included (bluepill_host_main reads it here)
    cli
    movq %rdx, %rax             // host_main
    movq %rsp, %rdx             // argument 2: the guest's RSP
    leaq bluepill_resume(%rip), %r8   // argument 3: the guest's RIP
    movq (%rcx), %rsp           // cpu->stack_top, 16-byte aligned
    subq $32, %rsp              // the callee's shadow space (Microsoft x64 ABI)
    callq *%rax
    ud2                         // host_main never returns
bluepill_resume:
    popfq
    POP_HOST_CALLEE_SAVED
    movl $1, %eax
    ret
