#pragma once
#include <stdint.h>
#define VECTOR_TIMER 0x20               // LAPIC timer: first vector above the exceptions (Intel SDM vol. 3A, 6.2)
#define VECTOR_SPURIOUS 0xFF            // LAPIC spurious vector; low 4 bits all ones (Intel SDM vol. 3A, 11.9)
void idt_init(void);                    // idt_build + idt_load
void idt_build(void);
void idt_load(void);

struct isr_frame {                      // built by isr.S
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rdi, rsi, rbp, rbx, rdx, rcx, rax;
    uint64_t vector, error;
    uint64_t rip, cs, rflags, rsp, ss;  // pushed by the CPU (Intel SDM vol. 3A, 6.14.2)
};
