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
//
// Memory: image at 0x1000 (DS = ES = SS = 0, so symbols are their own offsets), stack below 0xF000.

        .code16
        .text
        .globl start

#define UART_THR            0x3f8
#define UART_LSR            0x3fd       // PC16550D datasheet, Table II: line status register
#define LSR_THR_EMPTY       0x20        // LSR bit 5
#define LSR_TEMT            0x40        // LSR bit 6
#define DEBUG_EXIT_PORT     0xf4
#define SIGNATURE           0x70736977  // "wisp" as a little-endian u32
#define MSR_VM_CR           0xc0010114  // AMD APM vol. 2, 15.30.1: never permitted to a guest
#define MSR_TSC_AUX         0xc0000103  // AMD APM vol. 2, 13.2.4 (RDTSCP)
#define TSC_AUX_PATTERN     0x2a5
#define VECTOR_GP           13          // SDM vol. 3, 6.15: #GP
#define STACK_TOP           0xf000

start:
        cli                             // no interrupt is expected: fail loudly if one comes
        cld
        xorw %ax, %ax
        movw %ax, %ds
        movw %ax, %es
        movw %ax, %ss
        movw $STACK_TOP, %sp

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

        // 1: hypervisor signature.
        movl $0x40000000, %eax
        xorl %ecx, %ecx
        call counted_cpuid
        cmpl $SIGNATURE, %ebx
        jne 2f
        cmpl $SIGNATURE, %ecx
        jne 2f
        cmpl $SIGNATURE, %edx
2:      movb $1, %al
        movw $name_signature, %si
        call report

        // 2: hypervisor-present bit.
        movl $1, %eax
        xorl %ecx, %ecx
        call counted_cpuid
        notl %ecx
        testl $1 << 31, %ecx            // ZF = 1 when bit 31 was set
        movb $2, %al
        movw $name_hv_bit, %si
        call report

        // 3: SVM hidden.
        movl $0x80000001, %eax
        xorl %ecx, %ecx
        call counted_cpuid
        testl $1 << 2, %ecx             // ZF = 1 when SVM is clear
        movb $3, %al
        movw $name_svm_hidden, %si
        call report

        // 4: UART line status.
        movw $UART_LSR, %dx
        inb %dx, %al
        andb $LSR_THR_EMPTY | LSR_TEMT, %al
        cmpb $LSR_THR_EMPTY | LSR_TEMT, %al
        movb $4, %al
        movw $name_lsr, %si
        call report

        // 5: VMMCALL VERSION.
        xorl %eax, %eax
        xorl %ebx, %ebx
        vmmcall
        cmpl $0xffffffff, %eax
        je 2f                           // ZF = 1 here would read as a pass: force ZF = 0
        cmpl $SIGNATURE, %ebx
        jmp 3f
2:      testw %sp, %sp                  // sp is never 0: ZF = 0
3:      movb $5, %al
        movw $name_version, %si
        call report

        // 6, 7: forbidden MSR. The #GP handler counts, saves the faulting IP and skips 2 bytes.
        // Two NOPs follow the RDMSR so that a hypervisor that wrongly advanced IP as well as
        // injecting #GP lands on an instruction boundary and the checks can say so.
        movw $0, gp_count
        movl $MSR_VM_CR, %ecx
rdmsr_forbidden:
        rdmsr
        nop
        nop
        cmpw $1, gp_count
        movb $6, %al
        movw $name_gp_raised, %si
        call report
        cmpw $rdmsr_forbidden, gp_ip
        movb $7, %al
        movw $name_gp_ip, %si
        call report

        // 8: permitted MSR, written and read back.
        movw $0, gp_count
        movl $MSR_TSC_AUX, %ecx
        movl $TSC_AUX_PATTERN, %eax
        xorl %edx, %edx                 // bits 63:32 are reserved
        wrmsr
        xorl %eax, %eax
        movl $0xffffffff, %edx
        rdmsr
        cmpw $0, gp_count
        jne 3f
        cmpl $TSC_AUX_PATTERN, %eax
        jne 3f
        testl %edx, %edx
3:      movb $8, %al
        movw $name_tsc_aux, %si
        call report

        jmp finish

// report: the check named by SI (a C string) passed if ZF = 1; otherwise AL is its code, and
// the first failed code is kept for the exit port.
report:
        jnz 1f
        call puts
        movw $text_ok, %si
        call puts
        ret
1:      cmpb $0, result
        jne 2f
        movb %al, result
2:      pushw %si
        movw $text_fail, %si
        call puts
        popw %si
        call puts
        movw $text_newline, %si
        call puts
        ret

// finish: summary line, then the result code to the debug-exit port, which ends the VM.
finish:
        cmpb $0, result
        jne 1f
        movw $text_all_passed, %si
        call puts
        jmp 2f
1:      movw $text_failed_code, %si
        call puts
        movb result, %al
        call put_hex8
        movw $text_newline, %si
        call puts
2:      movb result, %al
        outb %al, $DEBUG_EXIT_PORT
        cli                             // not reached while the debug-exit port works
3:      hlt
        jmp 3b

// counted_cpuid: CPUID, counting how many this guest executed.
counted_cpuid:
        incw cpuid_count
        cpuid
        ret

// putc: AL to the UART once LSR reports the transmit register empty. The wait is bounded so a
// broken LSR model cannot hang the guest (the output then shows it).
putc:
        pushw %ax
        pushw %cx
        pushw %dx
        movb %al, %ah
        movw $UART_LSR, %dx
        movw $1000, %cx
1:      inb %dx, %al
        testb $LSR_THR_EMPTY, %al
        jnz 2f
        loop 1b
2:      movb %ah, %al
        movw $UART_THR, %dx
        outb %al, %dx
        popw %dx
        popw %cx
        popw %ax
        ret

// puts: the C string at DS:SI.
puts:
        pushw %ax
        pushw %si
1:      lodsb
        testb %al, %al
        jz 2f
        call putc
        jmp 1b
2:      popw %si
        popw %ax
        ret

// put_hex8: AL as two hex digits.
put_hex8:
        pushw %ax
        pushw %bx
        movb %al, %bl
        shrb $4, %al
        call put_hex4
        movb %bl, %al
        call put_hex4
        popw %bx
        popw %ax
        ret
put_hex4:
        andb $0x0f, %al
        addb $'0', %al
        cmpb $'9', %al
        jbe 1f
        addb $'a' - '9' - 1, %al
1:      call putc
        ret

// #GP: real mode pushes FLAGS, CS, IP and no error code (SDM vol. 3, 20.1.4).
gp_handler:
        pushw %bp
        movw %sp, %bp
        pushw %ax
        incw gp_count
        movw 2(%bp), %ax                // saved IP: the faulting instruction
        movw %ax, gp_ip
        addw $2, 2(%bp)                 // resume after the 2-byte RDMSR (0F 32)
        popw %ax
        popw %bp
        iret

// One 8-byte stub per exception vector 0-31; each pushes its vector number.
        .balign 8
exception_stubs:
        .set vector, 0
        .rept 32
        .balign 8
        pushw $vector
        jmp unexpected_exception
        .set vector, vector + 1
        .endr

unexpected_exception:
        popw %bx                        // the vector the stub pushed
        movw $text_unexpected, %si
        call puts
        movb %bl, %al
        call put_hex8
        movw $text_newline, %si
        call puts
        movb %bl, %al
        orb $0x80, %al
        outb %al, $DEBUG_EXIT_PORT
        cli
1:      hlt
        jmp 1b

ivt_pointer:
        .word 0x3ff                     // 256 vectors of 4 bytes
        .long 0

result:         .byte 0
        .balign 2
gp_count:       .word 0
gp_ip:          .word 0
cpuid_count:    .word 0

name_signature:   .asciz "cpuid signature"
name_hv_bit:      .asciz "cpuid hypervisor bit"
name_svm_hidden:  .asciz "cpuid svm hidden"
name_lsr:         .asciz "uart lsr"
name_version:     .asciz "vmmcall version"
name_gp_raised:   .asciz "forbidden msr #gp"
name_gp_ip:       .asciz "forbidden msr #gp at rdmsr"
name_tsc_aux:     .asciz "permitted msr tsc_aux"
text_ok:          .asciz " ok\n"
text_fail:        .asciz "FAIL "
text_newline:     .asciz "\n"
text_all_passed:  .asciz "all checks passed\n"
text_failed_code: .asciz "checks failed, exit code 0x"
text_unexpected:  .asciz "unexpected exception 0x"
