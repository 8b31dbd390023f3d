// cpuid-guest.S: the CPUID exit benchmark guest. Entry mode protected32; the measurement runs in
// 64-bit long mode, which the guest enters itself (as test/guests/long64.S does), because 64-bit
// guests are the case that matters.
//
// It times N = 1000 CPUIDs (leaf 0) between two RDTSCs, and an empty loop of N iterations that is
// the same loop without the CPUID, and prints on the UART:
//   iterations: 1000
//   loop-ticks: <TSC ticks of the whole empty loop>
//   cpuid-exit-ticks: <(cpuid loop ticks - loop-ticks) / N>: the cost of one CPUID exit round trip
// then writes 0 to the debug-exit port. Each loop is timed ROUNDS times and the smallest figure
// kept, so a host timer interrupt that lands in one round does not count.
// Under QEMU `-icount shift=0,sleep=off` the TSC advances by one per emulated instruction, the
// hypervisor's included: cpuid-exit-ticks is then instructions per CPUID exit round trip.
//
// Memory (the VM has 2 MiB): image at 0x1000, page tables at 0x10000-0x12FFF, stack below 0x80000.

        .text
        .globl start

#define ITERATIONS          1000
#define ROUNDS              8
#define UART_THR            0x3f8
#define UART_LSR            0x3fd       // PC16550D datasheet, Table II: line status register
#define LSR_THR_EMPTY       0x20        // LSR bit 5
#define DEBUG_EXIT_PORT     0xf4
#define MSR_EFER            0xc0000080  // AMD APM vol. 2, 3.1.7
#define EFER_LME            (1 << 8)
#define CR0_PG              (1 << 31)   // SDM vol. 3, 2.5
#define CR4_PAE             (1 << 5)    // SDM vol. 3, 2.5
#define PTE_P               (1 << 0)    // SDM vol. 3, 4.5, tables 4-14 to 4-18: present
#define PTE_RW              (1 << 1)    // writable
#define PDE_PS              (1 << 7)    // PD entry maps a 2 MiB page
#define CODE32_SELECTOR     0x08
#define DATA_SELECTOR       0x10
#define CODE64_SELECTOR     0x18
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
        movl $STACK_TOP, %esp

        // Identity-map the first 2 MiB with one large page (guest memory is not assumed zero).
        movl $PML4, %edi
        xorl %eax, %eax
        movl $3 * 4096 / 4, %ecx
        rep stosl
        movl $PDPT | PTE_P | PTE_RW, PML4
        movl $PD | PTE_P | PTE_RW, PDPT
        movl $0 | PTE_P | PTE_RW | PDE_PS, PD

        // SDM vol. 3, 10.8.5: PAE, CR3, EFER.LME (the hypervisor emulates this WRMSR), then CR0.PG.
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
        movq $STACK_TOP, %rsp

        // r12: smallest CPUID-loop time, r13: smallest empty-loop time, r14: rounds left.
        movq $-1, %r12
        movq $-1, %r13
        movl $ROUNDS, %r14d
1:      call time_cpuid_loop
        cmpq %r12, %rax
        cmovbq %rax, %r12
        call time_empty_loop
        cmpq %r13, %rax
        cmovbq %rax, %r13
        decl %r14d
        jnz 1b

        leaq text_iterations(%rip), %rsi
        call puts
        movq $ITERATIONS, %rax
        call put_decimal_line
        leaq text_loop_ticks(%rip), %rsi
        call puts
        movq %r13, %rax
        call put_decimal_line
        leaq text_cpuid_ticks(%rip), %rsi
        call puts
        movq %r12, %rax
        subq %r13, %rax
        jae 2f
        xorl %eax, %eax                 // cannot happen with a working TSC; print 0, not 2^64 - x
2:      xorl %edx, %edx
        movq $ITERATIONS, %rcx
        divq %rcx
        call put_decimal_line

        xorl %eax, %eax
        outb %al, $DEBUG_EXIT_PORT
3:      hlt
        jmp 3b

// read_tsc: RAX = the 64-bit TSC. LFENCE first, so that RDTSC does not run ahead of the
// instructions before it (AMD APM vol. 3, RDTSC; on AMD, LFENCE is dispatch-serializing when
// DE_CFG bit 1 is set, as current kernels and firmware leave it; CPUID in the loop is serializing).
read_tsc:
        lfence
        rdtsc
        shlq $32, %rdx
        orq %rdx, %rax
        ret

// time_cpuid_loop: RAX = TSC ticks for ITERATIONS x CPUID leaf 0. Clobbers rbx, rcx, rdx, r8, r9.
time_cpuid_loop:
        call read_tsc
        movq %rax, %r8
        movl $ITERATIONS, %r9d
        .balign 16
1:      xorl %eax, %eax
        cpuid
        decl %r9d
        jnz 1b
        call read_tsc
        subq %r8, %rax
        ret

// time_empty_loop: RAX = TSC ticks for the same loop without the CPUID.
time_empty_loop:
        call read_tsc
        movq %rax, %r8
        movl $ITERATIONS, %r9d
        .balign 16
1:      xorl %eax, %eax
        decl %r9d
        jnz 1b
        call read_tsc
        subq %r8, %rax
        ret

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

// put_decimal_line: RAX in decimal and a newline; digits produced least significant first.
put_decimal_line:
        pushq %rax
        pushq %rcx
        pushq %rdx
        pushq %rdi
        movl $10, %edi
        xorl %ecx, %ecx
1:      xorl %edx, %edx
        divq %rdi
        pushq %rdx
        incl %ecx
        testq %rax, %rax
        jnz 1b
2:      popq %rax
        addb $'0', %al
        call putc
        loop 2b
        movb $'\n', %al
        call putc
        popq %rdi
        popq %rdx
        popq %rcx
        popq %rax
        ret

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
        .long gdt

text_iterations:     .asciz "iterations: "
text_loop_ticks:     .asciz "loop-ticks: "
text_cpuid_ticks:    .asciz "cpuid-exit-ticks: "
