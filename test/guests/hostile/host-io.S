// host-io.S: hostile case: port I/O aimed at the machine's own devices and at nothing: every PCI
// function's configuration header on bus 0 read and its BAR0 sized with all ones (0xCF8/0xCFC,
// PCI Local Bus 3.0, 3.2.2.3.2), the CMOS index with the NMI-disable bit (0x70 bit 7), PIT
// channel 0 reprogrammed (0x43/0x40), and the byte ports of the host's COM2 and keyboard
// controller. All of it reaches wisp's device models only: the VM goes on and ends with exit 0, and
// the sentinel after it finds wisp unharmed. Checks:
//   1  the PCI scan completes and found the host bridge at 00:00.0 (vendor ID not all ones)
//   0x80 + n: unexpected exception n
// Not here: string I/O (INS/OUTS, with REP), which the core does not emulate yet: a VM that uses
// it stops with "fault: string I/O on port ... is not emulated".
#include "case.inc"

#define PCI_ADDRESS         0xcf8
#define PCI_DATA            0xcfc
#define PCI_ENABLE          0x80000000

        CASE_START
        DIRTY_MEMORY
        CHECK 1, check_pci, name_pci
        movb $0x8f, %al                 // CMOS register 0x0F with NMIs masked
        outb %al, $0x70
        inb $0x71, %al
        movb $0x30, %al                 // PIT: channel 0, lobyte/hibyte, mode 0
        outb %al, $0x43
        xorl %eax, %eax
        outb %al, $0x40
        outb %al, $0x40
        movw $0x2f8, %dx                // COM2 (not a device of the VM)
        outb %al, %dx
        inb %dx, %al
        movb $0xd1, %al                 // 8042: write output port ... with bit 0 set (no reset)
        outb %al, $0x64
        movb $0xdf, %al
        outb %al, $0x60
        jmp finish

// Every device and function of bus 0: read the ID, size BAR0, put it back.
check_pci:
        xorl %esi, %esi                 // bus 0, device 0-31, function 0-7: bits 15:8
1:      movl %esi, %eax
        shll $8, %eax
        orl $PCI_ENABLE, %eax
        movw $PCI_ADDRESS, %dx
        outl %eax, %dx
        movw $PCI_DATA, %dx
        inl %dx, %eax
        testl %esi, %esi
        jnz 2f
        movl %eax, host_bridge_id
2:      movl %esi, %eax
        shll $8, %eax
        orl $(PCI_ENABLE | 0x10), %eax  // BAR0
        movw $PCI_ADDRESS, %dx
        outl %eax, %dx
        movw $PCI_DATA, %dx
        inl %dx, %eax
        movl %eax, %edi
        movl $0xffffffff, %eax
        outl %eax, %dx
        inl %dx, %eax
        movl %edi, %eax
        outl %eax, %dx
        incl %esi
        cmpl $256, %esi
        jb 1b
        cmpw $0xffff, host_bridge_id
        je 3f
        cmpl %eax, %eax
        ret
3:      cmpl $0, %esp
        ret

        CASE_DATA
host_bridge_id:      .long 0
name_pci:            .asciz "pci scan of bus 0"
