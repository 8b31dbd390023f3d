// After ExitBootServices the machine is ours: own descriptor tables, page tables, interrupts.
#include "host/takeover.h"
#include "host/cpu.h"
#include "host/gdt.h"
#include "host/idt.h"
#include "host/lapic.h"
#include "host/paging.h"
#include "host/pic.h"

int host_take_over(uint64_t max_physical) {
    cli();
    gdt_init();
    idt_init();
    if (!paging_init(max_physical)) return 0;
    pic_mask_all();
    lapic_timer_start(TIMER_HZ);
    sti();
    return 1;
}
