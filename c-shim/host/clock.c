// Wall-clock time for the guests' CMOS RTC: the host's own RTC read once at take-over, advanced by
// the TSC, whose rate is measured against the firmware's Stall before ExitBootServices.
#include "host/clock.h"
#include "host/cpu.h"

#define CALIBRATION_US 20000                    // 20 ms of Stall
#define CMOS_INDEX 0x70                         // PC/AT CMOS index port (MC146818 address)
#define CMOS_DATA 0x71
#define RTC_SECONDS 0x00                        // MC146818 datasheet, register map
#define RTC_MINUTES 0x02
#define RTC_HOURS 0x04
#define RTC_DAY 0x07                            // day of month
#define RTC_MONTH 0x08
#define RTC_YEAR 0x09                           // 0-99
#define RTC_STATUS_A 0x0A
#define RTC_STATUS_B 0x0B
#define STATUS_A_UIP 0x80                       // update in progress: the time registers are changing
#define STATUS_B_24H 0x02                       // hours 0-23 (else 1-12 with bit 7 = PM)
#define STATUS_B_BINARY 0x04                    // DM: binary values (else BCD)
#define HOURS_PM 0x80
#define SECONDS_PER_DAY 86400ull

uint32_t tsc_khz;
static uint64_t boot_unix_time, boot_tsc;

int tsc_calibrate(void (*stall_us)(uint64_t us)) {
    uint64_t t0 = rdtsc();
    stall_us(CALIBRATION_US);
    uint64_t ticks = rdtsc() - t0;
    tsc_khz = (uint32_t)(ticks / (CALIBRATION_US / 1000));
    return tsc_khz != 0;
}

static uint8_t cmos_read(uint8_t reg) {
    outb(CMOS_INDEX, reg);
    return inb(CMOS_DATA);
}

static uint32_t from_bcd(uint8_t v, int binary) { return binary ? v : (v >> 4) * 10u + (v & 15u); }

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (H. Hinnant's days_from_civil).
static uint64_t days_from_civil(uint32_t y, uint32_t m, uint32_t d) {
    y -= m <= 2;
    uint32_t era = y / 400, yoe = y - era * 400;
    uint32_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    uint32_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (uint64_t)era * 146097 + doe - 719468;
}

struct rtc_time { uint8_t s, min, h, d, mon, y; };

static void rtc_snapshot(struct rtc_time *t) {
    for (int i = 0; i < 1000000 && (cmos_read(RTC_STATUS_A) & STATUS_A_UIP); i++) pause();
    t->s = cmos_read(RTC_SECONDS);
    t->min = cmos_read(RTC_MINUTES);
    t->h = cmos_read(RTC_HOURS);
    t->d = cmos_read(RTC_DAY);
    t->mon = cmos_read(RTC_MONTH);
    t->y = cmos_read(RTC_YEAR);
}

void clock_init(void) {
    struct rtc_time a, b;
    // Read until two snapshots agree: an update between them would mix two seconds.
    rtc_snapshot(&a);
    for (int i = 0; i < 5; i++) {
        rtc_snapshot(&b);
        if (a.s == b.s && a.min == b.min && a.h == b.h && a.d == b.d && a.mon == b.mon && a.y == b.y) break;
        a = b;
    }
    boot_tsc = rdtsc();
    uint8_t status_b = cmos_read(RTC_STATUS_B);
    int binary = (status_b & STATUS_B_BINARY) != 0;
    uint32_t hour = from_bcd(a.h & ~HOURS_PM, binary);
    if (!(status_b & STATUS_B_24H)) hour = (hour % 12) + ((a.h & HOURS_PM) ? 12 : 0);   // 12 AM is 0
    uint32_t year = from_bcd(a.y, binary), month = from_bcd(a.mon, binary), day = from_bcd(a.d, binary);
    year += year < 70 ? 2000 : 1900;            // no century register is assumed (its index varies)
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23) return;   // leaves 0: 1970
    boot_unix_time = days_from_civil(year, month, day) * SECONDS_PER_DAY + hour * 3600ull +
                     from_bcd(a.min, binary) * 60ull + from_bcd(a.s, binary);
}

uint64_t clock_unix_time(void) {
    if (!tsc_khz) return boot_unix_time;
    return boot_unix_time + (rdtsc() - boot_tsc) / ((uint64_t)tsc_khz * 1000);
}
