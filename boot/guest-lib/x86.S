// x86.S: architectural constants the guests use: MSRs, control-register and page-table bits,
// exception vectors, gate types. Mode: all. Clobbers nothing: definitions only.

#ifndef GUEST_LIB_X86_S
#define GUEST_LIB_X86_S

#define MSR_EFER            0xc0000080  // AMD APM vol. 2, 3.1.7
#define EFER_LME            (1 << 8)
#define EFER_LMA            (1 << 10)
#define EFER_SVME           (1 << 12)
#define MSR_TSC_AUX         0xc0000103  // AMD APM vol. 2, 13.2.4 (RDTSCP)
#define MSR_VM_CR           0xc0010114  // AMD APM vol. 2, 15.30.1: never permitted to a guest
#define CR0_PG              (1 << 31)   // SDM vol. 3, 2.5
#define CR4_PAE             (1 << 5)    // SDM vol. 3, 2.5
#define PTE_P               (1 << 0)    // SDM vol. 3, 4.5, tables 4-14 to 4-18: present
#define PTE_RW              (1 << 1)    // writable
#define PDE_PS              (1 << 7)    // PD entry maps a 2 MiB page
#define VECTOR_GP           13          // SDM vol. 3, 6.15: #GP
#define GATE_INTERRUPT32    0x8e00      // SDM vol. 3, 6.11: P = 1, DPL = 0, type 1110b
#define GATE_INTERRUPT64    0x8e00      // SDM vol. 3, 6.14.1: P = 1, DPL = 0, type 1110b

#endif
