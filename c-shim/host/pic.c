// The legacy 8259A pair: masked entirely, so the firmware's PIT tick (IRQ0) never reaches us.
#include "host/pic.h"
#include "host/cpu.h"

#define PIC1_DATA 0x21                  // 8259A master, OCW1 interrupt mask (PC/AT port map)
#define PIC2_DATA 0xA1                  // 8259A slave, OCW1 interrupt mask (PC/AT port map)

void pic_mask_all(void) {
    outb(PIC1_DATA, 0xFF);              // OCW1: mask IRQ0-7 (8259A datasheet)
    outb(PIC2_DATA, 0xFF);              // OCW1: mask IRQ8-15
}
