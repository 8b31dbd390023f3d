// The host's time: TSC rate (measured before ExitBootServices) and wall-clock seconds.
#pragma once
#include <stdint.h>
int tsc_calibrate(void (*stall_us)(uint64_t us));   // before ExitBootServices; 0 on failure
void clock_init(void);                              // after take-over: read the CMOS RTC once
uint64_t clock_unix_time(void);                     // seconds since 1970-01-01 00:00:00 UTC
extern uint32_t tsc_khz;                            // 0 if not measured
