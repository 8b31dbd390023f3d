// Motorola MC146818A real-time clock and CMOS RAM (datasheet: "Address Map", "Time, Calendar and
// Alarm Locations", "Register A".."Register D") at index port 0x70 (bit 7: NMI disable, IBM PC/AT)
// and data port 0x71. The time is the host's real time (hostUnixTime) when the clock is first
// read, then kept by guest time, so seconds change when they should. A time the guest sets is kept
// as an offset from the host's. Register 0x32 is the century (declared in the FADT's CENTURY field).
// Not emulated: alarm, periodic and update-ended interrupts (register C reads 0).

import { hostUnixTime } from "../host";
import { nowNs } from "../vm/clock";

export const RTC_INDEX: u32 = 0x70;
export const RTC_DATA: u32 = 0x71;

const REG_SECONDS: u32 = 0x00;
const REG_MINUTES: u32 = 0x02;
const REG_HOURS: u32 = 0x04;
const REG_DAY_OF_WEEK: u32 = 0x06;
const REG_DAY_OF_MONTH: u32 = 0x07;
const REG_MONTH: u32 = 0x08;
const REG_YEAR: u32 = 0x09;
const REG_A: u32 = 0x0a;
const REG_B: u32 = 0x0b;
const REG_C: u32 = 0x0c;
const REG_D: u32 = 0x0d;
export const REG_CENTURY: u32 = 0x32;

const A_UIP: u8 = 0x80;                             // update in progress
const B_SET: u8 = 0x80;                             // updates stopped while the time is set
const B_BINARY: u8 = 0x04;                          // DM: binary, else BCD
const B_24H: u8 = 0x02;
const D_VRT: u8 = 0x80;                             // valid RAM and time

// The update cycle takes 1984 us after UIP rises 244 us before it (datasheet "Update Cycle").
const UIP_NS: u64 = 244_000;
const NS_PER_S: u64 = 1_000_000_000;

const ram: usize = memory.data(128);                // the 114 bytes of user RAM and the alarm bytes
let index: u32 = 0;
let nmiDisabled: bool = false;
let regA: u8 = 0x26;                                // 32.768 kHz time base, 1024 Hz rate
let regB: u8 = B_24H;                               // BCD, 24-hour: the PC convention
let started: bool = false;
let baseUnix: u64 = 0;                              // the clock read baseUnix at baseNs
let baseNs: u64 = 0;
let frozen: bool = false;                           // SET: time registers hold `frozenUnix`
let frozenUnix: u64 = 0;

function clockStart(): void {
  if (started) return;
  started = true;
  baseUnix = hostUnixTime();
  baseNs = nowNs();
}

/** The clock's current time, seconds since 1970. */
function unixNow(): u64 {
  clockStart();
  if (frozen) return frozenUnix;
  return baseUnix + (nowNs() - baseNs) / NS_PER_S;
}

function setUnixNow(t: u64): void {
  clockStart();
  baseUnix = t;
  baseNs = nowNs();
}

// Civil calendar from days since 1970-01-01 (H. Hinnant, "chrono-compatible low-level date
// algorithms", civil_from_days and days_from_civil), integers only, years 1970..9999.
let civilYear: u32 = 0;
let civilMonth: u32 = 0;
let civilDay: u32 = 0;

function civilFromDays(days: u64): void {
  const z = days + 719468;
  const era = z / 146097;
  const doe = z - era * 146097;
  const yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const mp = (5 * doy + 2) / 153;
  civilDay = <u32>(doy - (153 * mp + 2) / 5 + 1);
  civilMonth = <u32>(mp < 10 ? mp + 3 : mp - 9);
  civilYear = <u32>(yoe + era * 400) + (civilMonth <= 2 ? 1 : 0);
}

function daysFromCivil(year: u32, month: u32, day: u32): u64 {
  const y = <u64>(month <= 2 ? year - 1 : year);
  const era = y / 400;
  const yoe = y - era * 400;
  const m = <u64>month;
  const doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + <u64>day - 1;
  const doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

function toBcd(v: u32): u8 {
  return <u8>(((v / 10) << 4) | (v % 10));
}

function fromBcd(v: u8): u32 {
  return (<u32>v >> 4) * 10 + (v & 0xf);
}

/** A time or date field in the format register B selects. */
function encode(v: u32): u8 {
  return (regB & B_BINARY) != 0 ? <u8>v : toBcd(v);
}

function decode(v: u8): u32 {
  return (regB & B_BINARY) != 0 ? <u32>v : fromBcd(v);
}

/** Hours register: 0-23, or 1-12 with bit 7 for PM in 12-hour mode. */
function encodeHours(h: u32): u8 {
  if ((regB & B_24H) != 0) return encode(h);
  const h12 = h % 12 == 0 ? 12 : h % 12;
  return encode(h12) | (h >= 12 ? 0x80 : 0);
}

function decodeHours(v: u8): u32 {
  if ((regB & B_24H) != 0) return decode(v);
  const h = decode(v & 0x7f) % 12;
  return (v & 0x80) != 0 ? h + 12 : h;
}

// The broken-down time. While SET is on, these are the registers the guest writes one by one.
let fSec: u32 = 0, fMin: u32 = 0, fHour: u32 = 0, fDay: u32 = 1, fMonth: u32 = 1, fYear: u32 = 1970;

function splitTime(t: u64): void {
  const secs = <u32>(t % 86400);
  fSec = secs % 60;
  fMin = (secs / 60) % 60;
  fHour = secs / 3600;
  civilFromDays(t / 86400);
  fDay = civilDay;
  fMonth = civilMonth;
  fYear = civilYear;
}

/** The fields as seconds since 1970; an impossible date keeps `fallback`. */
function joinTime(fallback: u64): u64 {
  if (fMonth < 1 || fMonth > 12 || fDay < 1 || fDay > 31 || fYear < 1970) return fallback;
  return daysFromCivil(fYear, fMonth, fDay) * 86400 + <u64>(fHour * 3600 + fMin * 60 + fSec);
}

function readTimeRegister(reg: u32): u8 {
  const t = unixNow();
  if (!frozen) splitTime(t);
  if (reg == REG_SECONDS) return encode(fSec);
  if (reg == REG_MINUTES) return encode(fMin);
  if (reg == REG_HOURS) return encodeHours(fHour);
  if (reg == REG_DAY_OF_WEEK) {                     // 1970-01-01 was a Thursday; Sunday = 1
    return encode(<u32>((joinTime(t) / 86400 + 4) % 7) + 1);
  }
  if (reg == REG_DAY_OF_MONTH) return encode(fDay);
  if (reg == REG_MONTH) return encode(fMonth);
  if (reg == REG_YEAR) return encode(fYear % 100);
  return encode(fYear / 100);                       // REG_CENTURY
}

/** A time or date register write. With SET on it only changes that field (the OS writes all of
 * them, then clears SET); otherwise the running clock jumps to the time with that field replaced. */
function writeTimeRegister(reg: u32, v: u8): void {
  const t = unixNow();
  if (!frozen) splitTime(t);
  if (reg == REG_SECONDS) fSec = decode(v) % 60;
  else if (reg == REG_MINUTES) fMin = decode(v) % 60;
  else if (reg == REG_HOURS) fHour = decodeHours(v) % 24;
  else if (reg == REG_DAY_OF_MONTH) fDay = decode(v);
  else if (reg == REG_MONTH) fMonth = decode(v);
  else if (reg == REG_YEAR) fYear = (fYear / 100) * 100 + decode(v) % 100;
  else if (reg == REG_CENTURY) fYear = decode(v) * 100 + fYear % 100;
  if (!frozen) setUnixNow(joinTime(t));             // day of week: derived from the date, ignored
}

function isTimeRegister(reg: u32): bool {
  return reg == REG_SECONDS || reg == REG_MINUTES || reg == REG_HOURS || reg == REG_DAY_OF_WEEK ||
    reg == REG_DAY_OF_MONTH || reg == REG_MONTH || reg == REG_YEAR || reg == REG_CENTURY;
}

/** UIP is set for the last 244 us before each second ends (guest time, so the second is ours). */
function updateInProgress(): bool {
  clockStart();
  return !frozen && (nowNs() - baseNs) % NS_PER_S >= NS_PER_S - UIP_NS;
}

function readRegister(reg: u32): u8 {
  if (isTimeRegister(reg)) return readTimeRegister(reg);
  if (reg == REG_A) return regA | (updateInProgress() ? A_UIP : 0);
  if (reg == REG_B) return regB;
  if (reg == REG_C) return 0;                       // no interrupt flags: the interrupts are absent
  if (reg == REG_D) return D_VRT;
  return load<u8>(ram + reg);
}

function writeRegister(reg: u32, v: u8): void {
  if (isTimeRegister(reg)) {
    writeTimeRegister(reg, v);
  } else if (reg == REG_A) {
    regA = v & 0x7f;                                // UIP is read-only
  } else if (reg == REG_B) {
    const wasSet = (regB & B_SET) != 0;
    regB = v & ~0x08;                               // SQWE: no square-wave pin
    if ((v & B_SET) != 0 && !wasSet) {              // SET: stop updating, hold the time
      frozenUnix = unixNow();
      splitTime(frozenUnix);
      frozen = true;
    } else if ((v & B_SET) == 0 && wasSet) {        // cleared: run on from the time set
      frozen = false;
      setUnixNow(joinTime(frozenUnix));
    }
  } else if (reg != REG_C && reg != REG_D) {
    store<u8>(ram + reg, v);
  }
}

/** IN from 0x70 (reads back as all ones, like most chipsets) or 0x71. */
export function rtcIn(port: u32): u8 {
  if (port == RTC_INDEX) return 0xff;
  return readRegister(index);
}

/** OUT to 0x70 (index, bit 7 NMI disable) or 0x71. */
export function rtcOut(port: u32, v: u8): void {
  if (port == RTC_INDEX) {
    index = v & 0x7f;
    nmiDisabled = (v & 0x80) != 0;
  } else {
    writeRegister(index, v);
  }
}

export function isRtcPort(port: u32): bool {
  return port == RTC_INDEX || port == RTC_DATA;
}

/** NMI mask (port 0x70 bit 7): there are no NMI sources yet; kept for whoever adds one. */
export function rtcNmiDisabled(): bool {
  return nmiDisabled;
}
