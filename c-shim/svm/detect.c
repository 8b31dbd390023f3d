// Does this CPU have what wisp needs: SVM, nested paging, and SVM not disabled by firmware?
#include "svm/svm.h"
#include "svm/vmcb.h"
#include "host/cpu.h"

#define CPUID_EXT_MAX 0x80000000u                       // APM vol. 3, Appendix E.4.1
#define CPUID_EXT_FEATURES 0x80000001u                  // APM vol. 3, E.4.2
#define CPUID_EXT_FEATURES_ECX_SVM (1u << 2)            // APM vol. 2, 15.4 Enabling SVM
#define CPUID_SVM_FEATURES 0x8000000Au                  // APM vol. 3, E.4.9
#define SVM_FEATURES_EDX_NP (1u << 0)                   // nested paging
#define SVM_FEATURES_EDX_NRIPS (1u << 3)                // NRIP save

int svm_has_nrip;

int svm_probe(void) {
    uint32_t r[4];
    cpuid(CPUID_EXT_MAX, 0, r);
    if (r[0] < CPUID_SVM_FEATURES) return 0;
    cpuid(CPUID_EXT_FEATURES, 0, r);
    if (!(r[2] & CPUID_EXT_FEATURES_ECX_SVM)) return 0;
    cpuid(CPUID_SVM_FEATURES, 0, r);
    if (!(r[3] & SVM_FEATURES_EDX_NP)) return 0;
    svm_has_nrip = (r[3] & SVM_FEATURES_EDX_NRIPS) != 0;
    if (rdmsr(MSR_VM_CR) & VM_CR_SVMDIS) return 0;      // APM vol. 2, 15.4: EFER.SVME cannot be set
    return 1;
}
