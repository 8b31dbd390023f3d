// x2apic-msrs.S: hostile case: the x2APIC MSRs (800h-8FFh) while the local APIC is in xAPIC mode,
// and I/O to ports nothing decodes. An x2APIC MSR access in xAPIC mode raises #GP (SDM vol. 3A,
// 11.12.1.2); IN from nothing reads all ones, OUT to it is dropped. Checks:
//   1  RDMSR of each of 800h-8FFh raises #GP
//   2  WRMSR of the x2APIC ICR (830h) and EOI (80Bh) raises #GP
//   3  IN from ports 0x1234 and 0xDEAD reads all ones (8, 16 and 32 bits), OUT to them completes
//   0x80 + n: unexpected exception n
#include "case.inc"

        CASE_START
        DIRTY_MEMORY
        CHECK 1, check_reads, name_reads
        CHECK 2, check_writes, name_writes
        CHECK 3, check_nothing, name_nothing
        jmp finish

check_reads:
        movl $0x800, %esi
1:      movl %esi, %ecx
        EXPECT_FAULT VECTOR_GP, rdmsr
        jne 2f
        incl %esi
        cmpl $0x900, %esi
        jb 1b
        cmpl %eax, %eax
2:      ret

check_writes:
        xorl %eax, %eax
        xorl %edx, %edx
        movl $0x830, %ecx
        EXPECT_FAULT VECTOR_GP, wrmsr
        jne 1f
        movl $0x80b, %ecx
        EXPECT_FAULT VECTOR_GP, wrmsr
1:      ret

check_nothing:
        movw $0x1234, %dx
        inb %dx, %al
        cmpb $0xff, %al
        jne 1f
        inw %dx, %ax
        cmpw $0xffff, %ax
        jne 1f
        movw $0xdead, %dx
        inl %dx, %eax
        cmpl $0xffffffff, %eax
        jne 1f
        outl %eax, %dx
        movw $0x1234, %dx
        outb %al, %dx
        cmpl %eax, %eax
1:      ret

        CASE_DATA
name_reads:          .asciz "x2apic msrs raise #gp in xapic mode"
name_writes:         .asciz "x2apic icr and eoi writes raise #gp"
name_nothing:        .asciz "i/o to nothing"
