// pt-outside.S: hostile case: the guest's own page tables point outside its RAM. With 32-bit
// paging (4 MiB pages, CR4.PSE; SDM vol. 3A, 4.3) the first 4 MiB are identity-mapped, and the
// directory entry for 4-8 MiB points to a page table at guest-physical 9 MiB, beyond the VM's 2
// MiB. A load at linear 4 MiB makes the CPU's walk read that table: there is nothing there, and
// wisp stops the VM (result fault).
#include "case.inc"

#define PAGE_DIRECTORY      0x100000    // in RAM (DIRTY_MEMORY filled it; it is rewritten here)
#define OUTSIDE_TABLE       0x900000
#define CR4_PSE             (1 << 4)
#define PDE_4M              (PTE_P | PTE_RW | PDE_PS)

        CASE_START
        DIRTY_MEMORY
        movl $PAGE_DIRECTORY, %edi
        xorl %eax, %eax
        movl $1024, %ecx
        rep stosl
        movl $PDE_4M, PAGE_DIRECTORY                      // 0-4 MiB: identity
        movl $(OUTSIDE_TABLE | PTE_P | PTE_RW), PAGE_DIRECTORY + 4   // 4-8 MiB: a table outside RAM
        movl %cr4, %eax
        orl $CR4_PSE, %eax
        movl %eax, %cr4
        movl $PAGE_DIRECTORY, %eax
        movl %eax, %cr3
        movl %cr0, %eax
        orl $CR0_PG, %eax
        movl %eax, %cr0
        movl 0x400000, %eax             // the walk reads guest-physical 9 MiB
        movb $1, %al                    // not reached
        jmp debug_exit
        CASE_DATA
