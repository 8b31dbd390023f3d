// msr.S: a Multiboot v1 test kernel of the MSRs a CPU's features come with, as test kernels written
// for KVM/QEMU use them at start-up, entered in 32-bit protected mode. A #GP raised by RDMSR or
// WRMSR is counted and the instruction skipped, so a check sees whether the MSR exists. Each
// check is one line on COM1; the first failed check's code goes to the debug-exit port 0xF4:
//   1  perfctr      AMD: PerfEvtSel0-3 (C001_0000h-C001_0003h) take writes, PerfCtr0-3
//                   (C001_0004h-C001_0007h) read, no #GP: every AMD64 CPU has them (APM vol. 2, 13.2.1)
//   2  perfctr_ext  AMD, where CPUID Fn8000_0001 ECX bit 23 (PerfCtrExtCore) says so: the six
//                   extended counters (C001_0200h-C001_020Bh) likewise (APM vol. 2, 13.2.2)
//   3  tsc_aux      where RDTSCP (Fn8000_0001 EDX bit 27) or RDPID (leaf 7 ECX bit 22) is reported:
//                   WRMSR IA32_TSC_AUX (C000_0103h) = C0FFEEh, then RDMSR reads it back
//   4  rdtscp       with RDTSCP: ECX after RDTSCP is the value written
//   5  rdpid        with RDPID: RDPID reads the value written
//   6  pat          IA32_PAT (277h) takes a valid value (SDM vol. 3A, 13.12.2) and reads it back
//   7  pkrs         where leaf 7 ECX bit 31 (PKS) is reported: IA32_PKRS (6E1h) reads without #GP
//   0x80 + n  unexpected exception n
// Linked at 1 MiB by kernel.ld (build/guests.ts: multiboot-msr.elf); no module or command line.

#include "cpu-kernel.S"

#define MSR_PERF_EVT_SEL0   0xc0010000
#define MSR_PERF_CTR0       0xc0010004
#define MSR_PERF_EXT_FIRST  0xc0010200
#define MSR_PERF_EXT_COUNT  12
#define MSR_PAT             0x277
#define MSR_PKRS            0x6e1
#define TSC_AUX_VALUE       0xc0ffee
#define PAT_VALUE_LOW       0x00010406  // WB, WT, WC, UC per entry: all valid types
#define PAT_VALUE_HIGH      0x00070106
#define AMD_EBX             0x68747541  // "Auth", CPUID leaf 0 EBX of AuthenticAMD
#define LEN_MSR_INSN        2           // RDMSR 0F 32, WRMSR 0F 30

        KERNEL_START
        movl $msr_gp, %eax
        movl $VECTOR_GP, %ecx
        call set_gate
        mov $text_hello, %esi
        call puts
        CHECK 1, check_perfctr, name_perfctr
        CHECK 2, check_perfctr_ext, name_perfctr_ext
        CHECK 3, check_tsc_aux, name_tsc_aux
        CHECK 4, check_rdtscp, name_rdtscp
        CHECK 5, check_rdpid, name_rdpid
        CHECK 6, check_pat, name_pat
        CHECK 7, check_pkrs, name_pkrs
        jmp finish

// #GP: only RDMSR and WRMSR may raise it here; counted, and the instruction skipped.
msr_gp:
        addl $4, %esp                   // the error code
        incl gp_count
        addl $LEN_MSR_INSN, (%esp)      // the saved EIP
        iret

// ZF = 1 when no #GP was counted since gp_count was cleared.
no_gp:  cmpl $0, gp_count
        ret

is_amd:                                 // ZF = 1 on an AMD CPU
        xorl %eax, %eax
        cpuid
        cmpl $AMD_EBX, %ebx
        ret

// ECX, EDX of CPUID Fn8000_0001 (0 where the leaf is missing)
ext_features:
        movl $0x80000000, %eax
        cpuid
        xorl %ecx, %ecx
        xorl %edx, %edx
        cmpl $0x80000001, %eax
        jb 1f
        movl $0x80000001, %eax
        cpuid
1:      ret

// ECX of CPUID leaf 7 subleaf 0 (0 where the leaf is missing)
leaf7_ecx:
        xorl %eax, %eax
        cpuid
        xorl %ecx, %ecx
        cmpl $7, %eax
        jb 1f
        movl $7, %eax
        xorl %ecx, %ecx
        cpuid
1:      ret

check_perfctr:
        call is_amd
        jne pass                        // not AMD: nothing to check
        movl $0, gp_count
        movl $MSR_PERF_EVT_SEL0, %ecx
1:      xorl %eax, %eax
        xorl %edx, %edx
        wrmsr
        rdmsr
        incl %ecx
        cmpl $MSR_PERF_CTR0 + 4, %ecx
        jb 1b
        jmp no_gp

check_perfctr_ext:
        call is_amd
        jne pass
        call ext_features
        testl $(1 << 23), %ecx
        jz pass                         // not reported: nothing to check
        movl $0, gp_count
        movl $MSR_PERF_EXT_FIRST, %ecx
1:      xorl %eax, %eax
        xorl %edx, %edx
        wrmsr
        rdmsr
        incl %ecx
        cmpl $MSR_PERF_EXT_FIRST + MSR_PERF_EXT_COUNT, %ecx
        jb 1b
        jmp no_gp

check_tsc_aux:
        call ext_features
        movl %edx, %esi                 // CPUID clobbers EAX-EDX only
        call leaf7_ecx
        andl $(1 << 27), %esi           // RDTSCP
        andl $(1 << 22), %ecx           // RDPID
        orl %ecx, %esi
        jz pass
        movl $0, gp_count
        movl $MSR_TSC_AUX, %ecx
        movl $TSC_AUX_VALUE, %eax
        xorl %edx, %edx
        wrmsr
        xorl %eax, %eax
        rdmsr
        cmpl $0, gp_count
        jne fail
        cmpl $TSC_AUX_VALUE, %eax
        ret

check_rdtscp:
        call ext_features
        testl $(1 << 27), %edx
        jz pass
        xorl %ecx, %ecx
        rdtscp
        cmpl $TSC_AUX_VALUE, %ecx
        ret

check_rdpid:
        call leaf7_ecx
        testl $(1 << 22), %ecx
        jz pass
        xorl %eax, %eax
        rdpid %eax
        cmpl $TSC_AUX_VALUE, %eax
        ret

check_pat:
        movl $0, gp_count
        movl $MSR_PAT, %ecx
        movl $PAT_VALUE_LOW, %eax
        movl $PAT_VALUE_HIGH, %edx
        wrmsr
        xorl %eax, %eax
        xorl %edx, %edx
        rdmsr
        cmpl $0, gp_count
        jne fail
        cmpl $PAT_VALUE_LOW, %eax
        jne fail
        cmpl $PAT_VALUE_HIGH, %edx
        ret

check_pkrs:
        call leaf7_ecx
        testl $(1 << 31), %ecx
        jz pass
        movl $0, gp_count
        movl $MSR_PKRS, %ecx
        rdmsr
        jmp no_gp

        .data
        .balign 8
gp_count:               .long 0
text_hello:             .asciz "multiboot test kernel: MSRs of the CPU's features\n"
name_perfctr:           .asciz "perfctr"
name_perfctr_ext:       .asciz "perfctr_ext"
name_tsc_aux:           .asciz "tsc_aux"
name_rdtscp:            .asciz "rdtscp"
name_rdpid:             .asciz "rdpid"
name_pat:               .asciz "pat"
name_pkrs:              .asciz "pkrs"
