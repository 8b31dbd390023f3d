// prot32.S: test guest for entry mode protected32 (flat segments, CR0.PE = 1, paging off).
//
// Every check prints "<check> ok" or "FAIL <check>" on the UART (the console prefixes each line
// with "[prot32] "). At the end the code of the first failed check (0: all passed) goes to the
// debug-exit port 0xF4, which ends the VM with result "exit <code>":
//   1  CPUID 0x40000000: ebx, ecx, edx spell "wispwispwisp"
//   2  CPUID 1: ECX bit 31 (hypervisor present) set
//   3  CPUID 0x80000001: ECX bit 2 (SVM) clear
//   4  UART LSR (0x3FD) reads THR empty and transmitter empty (0x60)
//   5  VMMCALL VERSION: rbx = "wisp" (0x70736977), rax not all ones
//   6  RDMSR of a forbidden MSR (VM_CR, 0xC0010114) raises #GP exactly once, through the IDT
//   7  ... with error code 0 and the saved EIP at the RDMSR (the instruction was not completed)
//   8  WRMSR IA32_TSC_AUX, then RDMSR reads the value back, no #GP
//   9  VMMCALL CONSOLE_WRITE of a string in guest memory returns its length
//  10  VMMCALL EXIT_STATS(1 = CPUID) returns at least the number of CPUIDs this guest executed
//   0x80 + n: unexpected exception n (printed, then the guest ends at once)
//
// Memory: image at 0x1000, stack below 0x80000 (the VM has 2 MiB).

        .code32
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
#define HC_VERSION          0           // docs/architecture.md, "Hypercalls"
#define HC_CONSOLE_WRITE    1
#define HC_EXIT_STATS       2
#define EXIT_REASON_CPUID   1           // docs/architecture.md, "Neutral exit record"
#define CODE_SELECTOR       0x08
#define DATA_SELECTOR       0x10
#define GATE_INTERRUPT32    0x8e00      // SDM vol. 3, 6.11: P = 1, DPL = 0, type 1110b
#define STACK_TOP           0x80000

start:
        cli
        cld
        // Own GDT and segments: nothing is assumed about the entry descriptors beyond "flat".
        lgdt gdt_pointer
        ljmp $CODE_SELECTOR, $1f
1:      movl $DATA_SELECTOR, %eax
        movl %eax, %ds
        movl %eax, %es
        movl %eax, %ss
        movl %eax, %fs
        movl %eax, %gs
        movl $STACK_TOP, %esp

        // IDT: all 32 exception vectors to stubs that report the vector; #GP to its handler.
        xorl %ecx, %ecx
1:      leal exception_stubs(, %ecx, 8), %eax
        cmpl $VECTOR_GP, %ecx
        jne 2f
        movl $gp_handler, %eax
2:      call set_gate
        incl %ecx
        cmpl $32, %ecx
        jb 1b
        lidt idt_pointer

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
        movl $name_signature, %esi
        call report

        // 2: hypervisor-present bit.
        movl $1, %eax
        xorl %ecx, %ecx
        call counted_cpuid
        notl %ecx
        testl $1 << 31, %ecx            // ZF = 1 when bit 31 was set
        movb $2, %al
        movl $name_hv_bit, %esi
        call report

        // 3: SVM hidden.
        movl $0x80000001, %eax
        xorl %ecx, %ecx
        call counted_cpuid
        testl $1 << 2, %ecx             // ZF = 1 when SVM is clear
        movb $3, %al
        movl $name_svm_hidden, %esi
        call report

        // 4: UART line status.
        movw $UART_LSR, %dx
        inb %dx, %al
        andb $LSR_THR_EMPTY | LSR_TEMT, %al
        cmpb $LSR_THR_EMPTY | LSR_TEMT, %al
        movb $4, %al
        movl $name_lsr, %esi
        call report

        // 5: VMMCALL VERSION.
        movl $HC_VERSION, %eax
        xorl %ebx, %ebx
        vmmcall
        cmpl $0xffffffff, %eax
        je 2f
        cmpl $SIGNATURE, %ebx
        jmp 3f
2:      testl %esp, %esp                // esp is never 0: ZF = 0, a failure
3:      movb $5, %al
        movl $name_version, %esi
        call report

        // 6, 7: forbidden MSR. Two NOPs follow the RDMSR so that a hypervisor that wrongly
        // advanced EIP as well as injecting #GP still lands on an instruction boundary.
        movl $0, gp_count
        movl $0xffffffff, gp_error
        movl $MSR_VM_CR, %ecx
rdmsr_forbidden:
        rdmsr
        nop
        nop
        cmpl $1, gp_count
        movb $6, %al
        movl $name_gp_raised, %esi
        call report
        cmpl $0, gp_error
        jne 2f
        cmpl $rdmsr_forbidden, gp_eip
2:      movb $7, %al
        movl $name_gp_frame, %esi
        call report

        // 8: permitted MSR, written and read back.
        movl $0, gp_count
        movl $MSR_TSC_AUX, %ecx
        movl $TSC_AUX_PATTERN, %eax
        xorl %edx, %edx                 // bits 63:32 are reserved
        wrmsr
        xorl %eax, %eax
        movl $0xffffffff, %edx
        rdmsr
        cmpl $0, gp_count
        jne 3f
        cmpl $TSC_AUX_PATTERN, %eax
        jne 3f
        testl %edx, %edx
3:      movb $8, %al
        movl $name_tsc_aux, %esi
        call report

        // 9: CONSOLE_WRITE from guest memory; the text itself appears on the console.
        movl $HC_CONSOLE_WRITE, %eax
        movl $console_text, %ebx
        movl $console_text_end - console_text, %ecx
        vmmcall
        cmpl $console_text_end - console_text, %eax
        movb $9, %al
        movl $name_console_write, %esi
        call report

        // 10: EXIT_STATS counts this guest's CPUID exits (all ones would be an error).
        movl $HC_EXIT_STATS, %eax
        movl $EXIT_REASON_CPUID, %ebx
        vmmcall
        cmpl $0xffffffff, %eax
        je 2f
        cmpl cpuid_count, %eax
        jb 2f
        xorl %eax, %eax                 // ZF = 1: passed
        jmp 3f
2:      testl %esp, %esp                // ZF = 0: failed
3:      movb $10, %al
        movl $name_exit_stats, %esi
        call report

        jmp finish

// set_gate: IDT entry ECX -> handler EAX (SDM vol. 3, 6.11, figure 6-2).
set_gate:
        pushl %edx
        movl %eax, %edx
        andl $0xffff, %edx
        orl $CODE_SELECTOR << 16, %edx
        movl %edx, idt(, %ecx, 8)
        movl %eax, %edx
        andl $0xffff0000, %edx
        orl $GATE_INTERRUPT32, %edx
        movl %edx, idt + 4(, %ecx, 8)
        popl %edx
        ret

// report: the check named by ESI (a C string) passed if ZF = 1; otherwise AL is its code, and
// the first failed code is kept for the exit port.
report:
        jnz 1f
        call puts
        movl $text_ok, %esi
        call puts
        ret
1:      cmpb $0, result
        jne 2f
        movb %al, result
2:      pushl %esi
        movl $text_fail, %esi
        call puts
        popl %esi
        call puts
        movl $text_newline, %esi
        call puts
        ret

// finish: summary line, then the result code to the debug-exit port, which ends the VM.
finish:
        cmpb $0, result
        jne 1f
        movl $text_all_passed, %esi
        call puts
        jmp 2f
1:      movl $text_failed_code, %esi
        call puts
        movb result, %al
        call put_hex8
        movl $text_newline, %esi
        call puts
2:      movb result, %al
        outb %al, $DEBUG_EXIT_PORT
        cli                             // not reached while the debug-exit port works
3:      hlt
        jmp 3b

// counted_cpuid: CPUID, counting how many this guest executed.
counted_cpuid:
        incl cpuid_count
        cpuid
        ret

// putc: AL to the UART once LSR reports the transmit register empty (bounded wait).
putc:
        pushl %eax
        pushl %ecx
        pushl %edx
        movb %al, %ah
        movw $UART_LSR, %dx
        movl $1000, %ecx
1:      inb %dx, %al
        testb $LSR_THR_EMPTY, %al
        jnz 2f
        loop 1b
2:      movb %ah, %al
        movw $UART_THR, %dx
        outb %al, %dx
        popl %edx
        popl %ecx
        popl %eax
        ret

// puts: the C string at ESI.
puts:
        pushl %eax
        pushl %esi
1:      lodsb
        testb %al, %al
        jz 2f
        call putc
        jmp 1b
2:      popl %esi
        popl %eax
        ret

// put_hex8: AL as two hex digits.
put_hex8:
        pushl %eax
        pushl %ebx
        movb %al, %bl
        shrb $4, %al
        call put_hex4
        movb %bl, %al
        call put_hex4
        popl %ebx
        popl %eax
        ret
put_hex4:
        andb $0x0f, %al
        addb $'0', %al
        cmpb $'9', %al
        jbe 1f
        addb $'a' - '9' - 1, %al
1:      call putc
        ret

// #GP: the CPU pushed EFLAGS, CS, EIP and an error code (SDM vol. 3, 6.12.1, 6.13).
gp_handler:
        pushl %eax
        movl 4(%esp), %eax              // error code
        movl %eax, gp_error
        movl 8(%esp), %eax              // saved EIP: the faulting instruction
        movl %eax, gp_eip
        incl gp_count
        addl $2, 8(%esp)                // resume after the 2-byte RDMSR (0F 32)
        popl %eax
        addl $4, %esp                   // drop the error code before IRET
        iret

// One 8-byte stub per exception vector 0-31; each pushes its vector number.
        .balign 8
exception_stubs:
        .set vector, 0
        .rept 32
        .balign 8
        pushl $vector
        jmp unexpected_exception
        .set vector, vector + 1
        .endr

unexpected_exception:
        popl %ebx                       // the vector the stub pushed
        movl $text_unexpected, %esi
        call puts
        movb %bl, %al
        call put_hex8
        movl $text_newline, %esi
        call puts
        movb %bl, %al
        orb $0x80, %al
        outb %al, $DEBUG_EXIT_PORT
        cli
1:      hlt
        jmp 1b

// GDT (SDM vol. 3, 3.4.5): base 0, limit 4 GiB (G = 1), 32-bit (D = 1), present, DPL 0.
        .balign 8
gdt:
        .quad 0                         // null descriptor
        .quad 0x00cf9a000000ffff        // 0x08: code, execute/read (type 1010b)
        .quad 0x00cf92000000ffff        // 0x10: data, read/write (type 0010b)
gdt_end:
gdt_pointer:
        .word gdt_end - gdt - 1
        .long gdt

        .balign 8
idt:    .fill 32, 8, 0                  // filled at run time
idt_pointer:
        .word 32 * 8 - 1
        .long idt

result:         .byte 0
        .balign 4
gp_count:       .long 0
gp_error:       .long 0
gp_eip:         .long 0
cpuid_count:    .long 0

console_text:     .ascii "hello through CONSOLE_WRITE\n"
console_text_end:

name_signature:      .asciz "cpuid signature"
name_hv_bit:         .asciz "cpuid hypervisor bit"
name_svm_hidden:     .asciz "cpuid svm hidden"
name_lsr:            .asciz "uart lsr"
name_version:        .asciz "vmmcall version"
name_gp_raised:      .asciz "forbidden msr #gp"
name_gp_frame:       .asciz "forbidden msr #gp error code 0 at rdmsr"
name_tsc_aux:        .asciz "permitted msr tsc_aux"
name_console_write:  .asciz "vmmcall console_write"
name_exit_stats:     .asciz "vmmcall exit_stats cpuid"
text_ok:             .asciz " ok\n"
text_fail:           .asciz "FAIL "
text_newline:        .asciz "\n"
text_all_passed:     .asciz "all checks passed\n"
text_failed_code:    .asciz "checks failed, exit code 0x"
text_unexpected:     .asciz "unexpected exception 0x"
