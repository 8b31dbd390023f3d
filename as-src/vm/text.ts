// Building ASCII text in fixed byte buffers without allocating: each function appends to
// buf[len..cap) and returns the new length (text that does not fit is cut off).

/** Appends an ASCII string literal (UTF-16 code units truncated to bytes). */
export function appendString(buf: usize, cap: u32, len: u32, s: string): u32 {
  const n = <u32>s.length;
  const src = changetype<usize>(s);
  for (let i: u32 = 0; i < n && len < cap; i++) {
    store<u8>(buf + len++, <u8>load<u16>(src + (<usize>i << 1)));
  }
  return len;
}

/** Appends n bytes from src. */
export function appendBytes(buf: usize, cap: u32, len: u32, src: usize, n: u32): u32 {
  if (n > cap - len) n = cap - len;
  memory.copy(buf + len, src, n);
  return len + n;
}

/** Appends n bytes from src, replacing anything but printable ASCII with '?' (echoing hostile input). */
export function appendPrintable(buf: usize, cap: u32, len: u32, src: usize, n: u32): u32 {
  for (let i: u32 = 0; i < n && len < cap; i++) {
    const c = load<u8>(src + i);
    store<u8>(buf + len++, c >= 0x20 && c < 0x7f ? c : 0x3f);
  }
  return len;
}

/** Appends one byte. */
export function appendByte(buf: usize, cap: u32, len: u32, c: u8): u32 {
  if (len < cap) store<u8>(buf + len++, c);
  return len;
}

/** Appends "0x" and v in lower-case hexadecimal, no leading zeros. */
export function appendHex(buf: usize, cap: u32, len: u32, v: u64): u32 {
  len = appendByte(buf, cap, len, 0x30);
  len = appendByte(buf, cap, len, 0x78);
  let shift: i32 = 60;
  while (shift > 0 && ((v >> <u64>shift) & 0xf) == 0) shift -= 4;
  for (; shift >= 0; shift -= 4) {
    const d = <u8>((v >> <u64>shift) & 0xf);
    len = appendByte(buf, cap, len, d < 10 ? 0x30 + d : 0x57 + d);
  }
  return len;
}

/** Appends v in decimal. */
export function appendDecimal(buf: usize, cap: u32, len: u32, v: u64): u32 {
  let div: u64 = 1;
  while (v / div >= 10) div *= 10;
  for (; div > 0; div /= 10) {
    len = appendByte(buf, cap, len, <u8>(0x30 + (v / div) % 10));
  }
  return len;
}
