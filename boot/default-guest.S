// default-guest.S: the demo guest built into wisp.efi, run when the boot volume holds no
// \wisp\wisp.cfg (configuration: boot/default.cfg). Entry mode protected32 (flat segments, paging
// off); it switches to 64-bit long mode itself, asks the hypervisor who it is (CPUID leaf
// 0x40000000) and which hypercall ABI it speaks (VMMCALL VERSION), prints what it found on the
// UART and ends the VM through the debug-exit port with 0.
//
// Memory (the VM has 2 MiB): image at 0x1000, page tables at 0x10000-0x12FFF, stack below 0x80000.

        .text
        .globl start

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
#define HC_VERSION          0           // docs/architecture.md, "Hypercalls"
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
        leaq text_greeting(%rip), %rsi
        call puts

        // CPUID leaf 0x40000000: the hypervisor's name in ebx, ecx, edx, 4 characters each.
        movl $0x40000000, %eax
        xorl %ecx, %ecx
        cpuid
        movl %ebx, signature(%rip)
        movl %ecx, signature + 4(%rip)
        movl %edx, signature + 8(%rip)
        leaq text_signature(%rip), %rsi
        call puts
        leaq signature(%rip), %rsi
        call puts
        leaq text_quote_newline(%rip), %rsi
        call puts

        // VMMCALL VERSION: rax = major << 16 | minor.
        movq $HC_VERSION, %rax
        vmmcall
        movq %rax, %rbx
        leaq text_version(%rip), %rsi
        call puts
        movq %rbx, %rax
        shrq $16, %rax
        call put_decimal
        movb $'.', %al
        call putc
        movzwl %bx, %eax
        call put_decimal
        movb $'\n', %al
        call putc

        leaq text_hello(%rip), %rsi
        call puts

        xorl %eax, %eax                 // exit 0: all is well
        outb %al, $DEBUG_EXIT_PORT
1:      hlt
        jmp 1b

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

// put_decimal: RAX in decimal, digits produced least significant first on the stack.
put_decimal:
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

signature:      .skip 13                // 12 characters and the terminating 0

text_greeting:       .asciz "Hi! This is wisp's default guest, now running in 64-bit long mode.\n"
text_signature:      .asciz "The hypervisor's CPUID signature is \""
text_quote_newline:  .asciz "\"\n"
text_version:        .asciz "Its hypercall ABI version is "
text_hello:          .asciz "Hello from a wisp guest\n"
