// real16.S: test guest for entry mode real16 (CS = 0, IP = 0x1000, CR0.PE = 0).
//
// Every check prints "<check> ok" or "FAIL <check>" on the UART (the console prefixes each line
// with "[real16] "). At the end the code of the first failed check (0: all passed) goes to the
// debug-exit port 0xF4, which ends the VM with result "exit <code>":
//   1  CPUID 0x40000000: ebx, ecx, edx spell "wispwispwisp"
//   2  CPUID 1: ECX bit 31 (hypervisor present) set
//   3  CPUID 0x80000001: ECX bit 2 (SVM) clear, the guest must not see SVM
//   4  UART LSR (0x3FD) reads THR empty and transmitter empty (0x60)
//   5  VMMCALL VERSION: rbx = "wisp" (0x70736977), rax not all ones
//   6  RDMSR of a forbidden MSR (VM_CR, 0xC0010114) raises #GP exactly once, through the IVT
//   7  ... with the saved IP at the RDMSR (the instruction was not completed)
//   8  WRMSR IA32_TSC_AUX, then RDMSR reads the value back, no #GP
//   0x80 + n: unexpected exception n (printed, then the guest ends at once)
// The checks themselves are shared with the other test guests: boot/guest-lib/checks.S.
//
// Memory: image at 0x1000 (DS = ES = SS = 0, so symbols are their own offsets), stack below 0xF000.

#define GUEST_BITS          16
#include "layout.S"
#include "checks.S"
#include "exceptions.S"

        GUEST_START .code16
        xorw %ax, %ax
        movw %ax, %ds
        movw %ax, %es
        movw %ax, %ss
        movw $REAL_MODE_STACK_TOP, %sp

        // Real-mode IVT at 0 (SDM vol. 3, 20.1.4): load IDTR explicitly rather than trust the
        // entry state, point all 32 exception vectors at stubs that report the vector, then give
        // #GP its real handler.
        lidt ivt_pointer
        xorw %bx, %bx
        movw $exception_stubs, %ax
1:      movw %ax, (%bx)                 // offset
        movw $0, 2(%bx)                 // segment
        addw $8, %ax                    // stubs are 8 bytes apart
        addw $4, %bx
        cmpw $32 * 4, %bx
        jb 1b
        movw $gp_handler, VECTOR_GP * 4

        COMMON_CHECKS
        CHECK 5, check_version, name_version
        CHECK 6, check_gp_raised, name_gp_raised
        CHECK 7, check_gp_at_rdmsr, name_gp_at_rdmsr
        CHECK 8, check_tsc_aux, name_tsc_aux
        jmp finish

// #GP: real mode pushes FLAGS, CS, IP and no error code (SDM vol. 3, 20.1.4).
gp_handler:
        pushw %bp
        movw %sp, %bp
        pushw %ax
        incl gp_count
        movw 2(%bp), %ax                // saved IP: the faulting instruction
        movw %ax, gp_ip
        addw $2, 2(%bp)                 // resume after the 2-byte RDMSR (0F 32)
        popw %ax
        popw %bp
        iret

ivt_pointer:
        .word 0x3ff                     // 256 vectors of 4 bytes
        .long 0
