// Turn SVM on for this CPU (after take-over, so the saved host state is wisp's own).
#include "svm/svm.h"
#include "svm/vmcb.h"
#include "host/alloc.h"
#include "host/cpu.h"

uint64_t svm_host_state_pa;

int svm_enable(void) {
    uint8_t *hsave = alloc_page();              // VM_HSAVE_PA: 4 KiB aligned (APM vol. 2, 15.30.4)
    uint8_t *host_state = alloc_page();
    if (!hsave || !host_state) return 0;
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
    wrmsr(MSR_VM_HSAVE_PA, (uint64_t)hsave);
    svm_host_state_pa = (uint64_t)host_state;
    // FS, GS, TR, LDTR, KernelGSBase, STAR/LSTAR/CSTAR/SFMASK, SYSENTER_*: the host's values,
    // put back after every exit by vmrun.S (APM vol. 2, 15.5.2 VMSAVE and VMLOAD).
    __asm__ volatile("vmsave %%rax" ::"a"(svm_host_state_pa) : "memory");
    return 1;
}
