#pragma once
#include <stdint.h>
#define TIMER_HZ 1000                           // host tick rate: the resolution of idle vCPUs and console input
int host_take_over(uint64_t max_physical);      // after ExitBootServices; 1 ok, interrupts on
