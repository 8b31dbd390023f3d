#pragma once
#include <stdint.h>
#define TIMER_HZ 100                            // host tick rate
int host_take_over(uint64_t max_physical);      // after ExitBootServices; 1 ok, interrupts on
