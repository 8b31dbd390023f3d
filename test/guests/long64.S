// long64.S: test guest that enters long mode by itself. Entry mode protected32 (flat segments,
// paging off); the guest builds 4-level page tables identity-mapping its first 2 MiB, sets
// CR4.PAE, EFER.LME (WRMSR, which the core intercepts and emulates), CR3 and CR0.PG, and far-jumps
// to a 64-bit code segment (SDM vol. 3, 10.8.5 "Initializing IA-32e Mode").
//
// Every check prints "<check> ok" or "FAIL <check>" on the UART (the console prefixes each line
// with "[long64] "). At the end the code of the first failed check (0: all passed) goes to the
// debug-exit port 0xF4, which ends the VM with result "exit <code>":
//   1  CPUID 0x40000000: rbx, rcx, rdx = "wisp" each, upper halves zeroed (they were all ones)
//   2  CPUID 1: ECX bit 31 (hypervisor present) set
//   3  CPUID 0x80000001: ECX bit 2 (SVM) clear
//   4  UART LSR (0x3FD) reads THR empty and transmitter empty (0x60)
//   5  VMMCALL VERSION: rbx = 0x70736977 in all 64 bits (it was all ones), rax < 2^32
//   6  ... and rbp, rsi, rdi, r8-r15 keep their 64-bit values across the VMMCALL
//   7  VMMCALL CONSOLE_WRITE with rbx = 2^32 + a valid address returns all ones: the 64-bit
//      guest-physical address is not truncated to 32 bits
//   8  VMMCALL CONSOLE_WRITE of a string in guest memory returns its length
//   9  RDMSR of a forbidden MSR (VM_CR, 0xC0010114) raises #GP exactly once, through the IDT
//  10  ... with error code 0 and the saved RIP at the RDMSR (the instruction was not completed)
//  11  WRMSR IA32_TSC_AUX, then RDMSR reads the value back, no #GP
//  12  RDMSR EFER: LME and LMA set, SVME (the hypervisor's own bit) not visible
//   0x80 + n: unexpected exception n (printed, then the guest ends at once)
//
// Memory (the VM has 2 MiB): image at 0x1000, page tables at 0x10000-0x12FFF, stack below 0x80000.

        .text
        .globl start

#define UART_THR            0x3f8
#define UART_LSR            0x3fd       // PC16550D datasheet, Table II: line status register
#define LSR_THR_EMPTY       0x20        // LSR bit 5
#define LSR_TEMT            0x40        // LSR bit 6
#define DEBUG_EXIT_PORT     0xf4
#define SIGNATURE           0x70736977  // "wisp" as a little-endian u32
#define MSR_EFER            0xc0000080  // AMD APM vol. 2, 3.1.7
#define EFER_LME            (1 << 8)
#define EFER_LMA            (1 << 10)
#define EFER_SVME           (1 << 12)
#define MSR_VM_CR           0xc0010114  // AMD APM vol. 2, 15.30.1: never permitted to a guest
#define MSR_TSC_AUX         0xc0000103  // AMD APM vol. 2, 13.2.4 (RDTSCP)
#define TSC_AUX_PATTERN     0x2a5
#define CR0_PG              (1 << 31)   // SDM vol. 3, 2.5
#define CR4_PAE             (1 << 5)    // SDM vol. 3, 2.5
#define PTE_P               (1 << 0)    // SDM vol. 3, 4.5, tables 4-14 to 4-18: present
#define PTE_RW              (1 << 1)    // writable
#define PDE_PS              (1 << 7)    // PD entry maps a 2 MiB page
#define VECTOR_GP           13          // SDM vol. 3, 6.15: #GP
#define HC_VERSION          0           // docs/architecture.md, "Hypercalls"
#define HC_CONSOLE_WRITE    1
#define CODE32_SELECTOR     0x08
#define DATA_SELECTOR       0x10
#define CODE64_SELECTOR     0x18
#define GATE_INTERRUPT64    0x8e00      // SDM vol. 3, 6.14.1: P = 1, DPL = 0, type 1110b
#define PML4                0x10000
#define PDPT                0x11000
#define PD                  0x12000
#define STACK_TOP           0x80000

        .code32
start:
        cli
        cld
        lgdt gdt_pointer
        ljmp $CODE32_SELECTOR, $1f
1:      movl $DATA_SELECTOR, %eax
        movl %eax, %ds
        movl %eax, %es
        movl %eax, %ss
        movl %eax, %fs
        movl %eax, %gs
        movl $STACK_TOP, %esp

        // Page tables: guest memory is not assumed to be zero.
        movl $PML4, %edi
        xorl %eax, %eax
        movl $3 * 4096 / 4, %ecx
        rep stosl
        movl $PDPT | PTE_P | PTE_RW, PML4
        movl $PD | PTE_P | PTE_RW, PDPT
        movl $0 | PTE_P | PTE_RW | PDE_PS, PD     // 0-2 MiB, identity

        // SDM vol. 3, 10.8.5: PAE, then CR3, then EFER.LME, then CR0.PG activates long mode.
        movl %cr4, %eax
        orl $CR4_PAE, %eax
        movl %eax, %cr4
        movl $PML4, %eax
        movl %eax, %cr3
        movl $MSR_EFER, %ecx
        rdmsr
        orl $EFER_LME, %eax
        wrmsr
        movl %cr0, %eax
        orl $CR0_PG, %eax
        movl %eax, %cr0
        ljmp $CODE64_SELECTOR, $long_mode

        .code64
long_mode:
        movl $DATA_SELECTOR, %eax
        movl %eax, %ds
        movl %eax, %es
        movl %eax, %ss
        movq $STACK_TOP, %rsp

        // IDT: all 32 exception vectors to stubs that report the vector; #GP to its handler.
        xorl %ecx, %ecx
1:      leaq exception_stubs(%rip), %rax
        leaq (%rax, %rcx, 8), %rax
        cmpl $VECTOR_GP, %ecx
        jne 2f
        leaq gp_handler(%rip), %rax
2:      call set_gate
        incl %ecx
        cmpl $32, %ecx
        jb 1b
        lidt idt_pointer(%rip)

        leaq text_long_mode(%rip), %rsi
        call puts

        // 1: hypervisor signature, with the upper halves of the outputs preset to all ones.
        movl $0x40000000, %eax
        movq $-1, %rbx
        movq $-1, %rcx                  // the subleaf, which this leaf ignores
        movq $-1, %rdx
        cpuid
        movq $SIGNATURE, %rax
        cmpq %rax, %rbx
        jne 2f
        cmpq %rax, %rcx
        jne 2f
        cmpq %rax, %rdx
2:      movb $1, %al
        leaq name_signature(%rip), %rsi
        call report

        // 2: hypervisor-present bit.
        movl $1, %eax
        xorl %ecx, %ecx
        cpuid
        notl %ecx
        testl $1 << 31, %ecx            // ZF = 1 when bit 31 was set
        movb $2, %al
        leaq name_hv_bit(%rip), %rsi
        call report

        // 3: SVM hidden.
        movl $0x80000001, %eax
        xorl %ecx, %ecx
        cpuid
        testl $1 << 2, %ecx             // ZF = 1 when SVM is clear
        movb $3, %al
        leaq name_svm_hidden(%rip), %rsi
        call report

        // 4: UART line status.
        movw $UART_LSR, %dx
        inb %dx, %al
        andb $LSR_THR_EMPTY | LSR_TEMT, %al
        cmpb $LSR_THR_EMPTY | LSR_TEMT, %al
        movb $4, %al
        leaq name_lsr(%rip), %rsi
        call report

        // 5, 6: VMMCALL VERSION with 64-bit values in every register the ABI does not use.
        movq pattern_rbp(%rip), %rbp
        movq pattern_rsi(%rip), %rsi
        movq pattern_rdi(%rip), %rdi
        movq pattern_r8(%rip), %r8
        movq pattern_r9(%rip), %r9
        movq pattern_r10(%rip), %r10
        movq pattern_r11(%rip), %r11
        movq pattern_r12(%rip), %r12
        movq pattern_r13(%rip), %r13
        movq pattern_r14(%rip), %r14
        movq pattern_r15(%rip), %r15
        movq $-1, %rbx
        movq $HC_VERSION, %rax
        vmmcall
        movq %rax, hypercall_rax(%rip)
        movq %rbx, hypercall_rbx(%rip)
        cmpq pattern_rbp(%rip), %rbp
        jne 2f
        cmpq pattern_rsi(%rip), %rsi
        jne 2f
        cmpq pattern_rdi(%rip), %rdi
        jne 2f
        cmpq pattern_r8(%rip), %r8
        jne 2f
        cmpq pattern_r9(%rip), %r9
        jne 2f
        cmpq pattern_r10(%rip), %r10
        jne 2f
        cmpq pattern_r11(%rip), %r11
        jne 2f
        cmpq pattern_r12(%rip), %r12
        jne 2f
        cmpq pattern_r13(%rip), %r13
        jne 2f
        cmpq pattern_r14(%rip), %r14
        jne 2f
        cmpq pattern_r15(%rip), %r15
2:      setz preserved(%rip)

        movq hypercall_rax(%rip), %rax
        shrq $32, %rax                  // a version, not all ones: fits in 32 bits
        jnz 2f
        movq $SIGNATURE, %rax
        cmpq %rax, hypercall_rbx(%rip)
2:      movb $5, %al
        leaq name_version(%rip), %rsi
        call report
        cmpb $1, preserved(%rip)
        movb $6, %al
        leaq name_preserved(%rip), %rsi
        call report

        // 7: a guest-physical address above 4 GiB must be refused, not truncated.
        movq $HC_CONSOLE_WRITE, %rax
        leaq console_text_high(%rip), %rbx
        movabsq $0x100000000, %rcx
        addq %rcx, %rbx
        movq $console_text_high_end - console_text_high, %rcx
        vmmcall
        cmpq $-1, %rax
        movb $7, %al
        leaq name_console_high(%rip), %rsi
        call report

        // 8: CONSOLE_WRITE from guest memory; the text itself appears on the console.
        movq $HC_CONSOLE_WRITE, %rax
        leaq console_text(%rip), %rbx
        movq $console_text_end - console_text, %rcx
        vmmcall
        cmpq $console_text_end - console_text, %rax
        movb $8, %al
        leaq name_console_write(%rip), %rsi
        call report

        // 9, 10: forbidden MSR. Two NOPs follow the RDMSR so that a hypervisor that wrongly
        // advanced RIP as well as injecting #GP still lands on an instruction boundary.
        movq $0, gp_count(%rip)
        movq $-1, gp_error(%rip)
        movl $MSR_VM_CR, %ecx
rdmsr_forbidden:
        rdmsr
        nop
        nop
        cmpq $1, gp_count(%rip)
        movb $9, %al
        leaq name_gp_raised(%rip), %rsi
        call report
        cmpq $0, gp_error(%rip)
        jne 2f
        leaq rdmsr_forbidden(%rip), %rax
        cmpq %rax, gp_rip(%rip)
2:      movb $10, %al
        leaq name_gp_frame(%rip), %rsi
        call report

        // 11: permitted MSR, written and read back.
        movq $0, gp_count(%rip)
        movl $MSR_TSC_AUX, %ecx
        movl $TSC_AUX_PATTERN, %eax
        xorl %edx, %edx                 // bits 63:32 are reserved
        wrmsr
        movq $-1, %rax
        movq $-1, %rdx
        rdmsr
        cmpq $0, gp_count(%rip)
        jne 3f
        cmpq $TSC_AUX_PATTERN, %rax     // RDMSR clears the upper halves (SDM vol. 2, RDMSR)
        jne 3f
        testq %rdx, %rdx
3:      movb $11, %al
        leaq name_tsc_aux(%rip), %rsi
        call report

        // 12: the guest's view of EFER.
        movl $MSR_EFER, %ecx
        rdmsr
        andl $EFER_LME | EFER_LMA | EFER_SVME, %eax
        cmpl $EFER_LME | EFER_LMA, %eax
        movb $12, %al
        leaq name_efer(%rip), %rsi
        call report

        jmp finish

// set_gate: IDT entry ECX -> handler RAX (SDM vol. 3, 6.14.1, figure 6-8).
set_gate:
        pushq %rdx
        pushq %rdi
        movl %ecx, %edi
        shll $4, %edi                   // 16-byte gates
        leaq idt(%rip), %rdx
        addq %rdx, %rdi
        movl %eax, %edx
        andl $0xffff, %edx
        orl $CODE64_SELECTOR << 16, %edx
        movl %edx, (%rdi)
        movl %eax, %edx
        andl $0xffff0000, %edx
        orl $GATE_INTERRUPT64, %edx
        movl %edx, 4(%rdi)
        movq %rax, %rdx
        shrq $32, %rdx
        movl %edx, 8(%rdi)
        movl $0, 12(%rdi)
        popq %rdi
        popq %rdx
        ret

// report: the check named by RSI (a C string) passed if ZF = 1; otherwise AL is its code, and
// the first failed code is kept for the exit port.
report:
        jnz 1f
        call puts
        leaq text_ok(%rip), %rsi
        call puts
        ret
1:      cmpb $0, result(%rip)
        jne 2f
        movb %al, result(%rip)
2:      pushq %rsi
        leaq text_fail(%rip), %rsi
        call puts
        popq %rsi
        call puts
        leaq text_newline(%rip), %rsi
        call puts
        ret

// finish: summary line, then the result code to the debug-exit port, which ends the VM.
finish:
        cmpb $0, result(%rip)
        jne 1f
        leaq text_all_passed(%rip), %rsi
        call puts
        jmp 2f
1:      leaq text_failed_code(%rip), %rsi
        call puts
        movb result(%rip), %al
        call put_hex8
        leaq text_newline(%rip), %rsi
        call puts
2:      movb result(%rip), %al
        outb %al, $DEBUG_EXIT_PORT
        cli                             // not reached while the debug-exit port works
3:      hlt
        jmp 3b

// putc: AL to the UART once LSR reports the transmit register empty (bounded wait).
putc:
        pushq %rax
        pushq %rcx
        pushq %rdx
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
        popq %rdx
        popq %rcx
        popq %rax
        ret

// puts: the C string at RSI.
puts:
        pushq %rax
        pushq %rsi
1:      lodsb
        testb %al, %al
        jz 2f
        call putc
        jmp 1b
2:      popq %rsi
        popq %rax
        ret

// put_hex8: AL as two hex digits.
put_hex8:
        pushq %rax
        pushq %rbx
        movb %al, %bl
        shrb $4, %al
        call put_hex4
        movb %bl, %al
        call put_hex4
        popq %rbx
        popq %rax
        ret
put_hex4:
        andb $0x0f, %al
        addb $'0', %al
        cmpb $'9', %al
        jbe 1f
        addb $'a' - '9' - 1, %al
1:      call putc
        ret

// #GP: the CPU pushed SS, RSP, RFLAGS, CS, RIP and an error code (SDM vol. 3, 6.14.2).
gp_handler:
        pushq %rax
        movq 8(%rsp), %rax              // error code
        movq %rax, gp_error(%rip)
        movq 16(%rsp), %rax             // saved RIP: the faulting instruction
        movq %rax, gp_rip(%rip)
        incq gp_count(%rip)
        addq $2, 16(%rsp)               // resume after the 2-byte RDMSR (0F 32)
        popq %rax
        addq $8, %rsp                   // drop the error code before IRETQ
        iretq

// One 8-byte stub per exception vector 0-31; each pushes its vector number.
        .balign 8
exception_stubs:
        .set vector, 0
        .rept 32
        .balign 8
        pushq $vector
        jmp unexpected_exception
        .set vector, vector + 1
        .endr

unexpected_exception:
        popq %rbx                       // the vector the stub pushed
        leaq text_unexpected(%rip), %rsi
        call puts
        movb %bl, %al
        call put_hex8
        leaq text_newline(%rip), %rsi
        call puts
        movb %bl, %al
        orb $0x80, %al
        outb %al, $DEBUG_EXIT_PORT
        cli
1:      hlt
        jmp 1b

// GDT (SDM vol. 3, 3.4.5 and 5.2.1): base 0, limit 4 GiB (G = 1), present, DPL 0.
        .balign 8
gdt:
        .quad 0                         // null descriptor
        .quad 0x00cf9a000000ffff        // 0x08: 32-bit code (D = 1), execute/read
        .quad 0x00cf92000000ffff        // 0x10: data, read/write
        .quad 0x00af9a000000ffff        // 0x18: 64-bit code (L = 1, D = 0), execute/read
gdt_end:
gdt_pointer:
        .word gdt_end - gdt - 1
        .quad gdt                       // LGDT in 32-bit mode reads the low 4 bytes of the base

        .balign 16
idt:    .skip 32 * 16                   // filled at run time
idt_pointer:
        .word 32 * 16 - 1
        .quad idt

        .balign 8
pattern_rbp:    .quad 0xb0b0b0b0a5a5a5a5
pattern_rsi:    .quad 0x5151515112345678
pattern_rdi:    .quad 0xd1d1d1d187654321
pattern_r8:     .quad 0x0808080800000008
pattern_r9:     .quad 0x0909090900000009
pattern_r10:    .quad 0x101010100000000a
pattern_r11:    .quad 0x111111110000000b
pattern_r12:    .quad 0x121212120000000c
pattern_r13:    .quad 0x131313130000000d
pattern_r14:    .quad 0x141414140000000e
pattern_r15:    .quad 0x8000000f8000000f
hypercall_rax:  .quad 0
hypercall_rbx:  .quad 0
gp_count:       .quad 0
gp_error:       .quad 0
gp_rip:         .quad 0
result:         .byte 0
preserved:      .byte 0

console_text:        .ascii "hello through CONSOLE_WRITE from 64-bit mode\n"
console_text_end:
console_text_high:   .ascii "FAIL: CONSOLE_WRITE truncated a 64-bit address\n"
console_text_high_end:

text_long_mode:      .asciz "in long mode\n"
name_signature:      .asciz "cpuid signature"
name_hv_bit:         .asciz "cpuid hypervisor bit"
name_svm_hidden:     .asciz "cpuid svm hidden"
name_lsr:            .asciz "uart lsr"
name_version:        .asciz "vmmcall version"
name_preserved:      .asciz "vmmcall preserves 64-bit registers"
name_console_high:   .asciz "vmmcall console_write refuses gpa above 4 GiB"
name_console_write:  .asciz "vmmcall console_write"
name_gp_raised:      .asciz "forbidden msr #gp"
name_gp_frame:       .asciz "forbidden msr #gp error code 0 at rdmsr"
name_tsc_aux:        .asciz "permitted msr tsc_aux"
name_efer:           .asciz "efer reads lme and lma, no svme"
text_ok:             .asciz " ok\n"
text_fail:           .asciz "FAIL "
text_newline:        .asciz "\n"
text_all_passed:     .asciz "all checks passed\n"
text_failed_code:    .asciz "checks failed, exit code 0x"
text_unexpected:     .asciz "unexpected exception 0x"
