/**
 * Field and line boundaries found 16 bytes at a time (SIMD128): one compare per delimiter and a
 * bitmask, instead of a compare per byte. The host leaves 64 readable bytes after the input's
 * end, so a load never leaves memory; a boundary found past `end` means the line is incomplete.
 */
const COMMA: u8 = 44;
const NL: u8 = 10;

/** Position of the first comma or newline at or after `q`, or a position >= end when none before it. */
// @ts-ignore: decorator
@inline
export function nextDelimiter(q: u32, end: u32): u32 {
  const commas = i8x16.splat(COMMA);
  const newlines = i8x16.splat(NL);
  while (q < end) {
    const block = v128.load(q);
    const mask = i8x16.bitmask(v128.or(i8x16.eq(block, commas), i8x16.eq(block, newlines)));
    if (mask != 0) return q + ctz<u32>(mask);
    q += 16;
  }
  return end;
}

/**
 * The value of the ASCII digits in [start, end), or -1 when any byte is not a digit. At most 18
 * digits (callers check), so the value is exact in an i64.
 */
// @ts-ignore: decorator
@inline
export function digitsValue(start: u32, end: u32): i64 {
  let value: i64 = 0;
  for (let p = start; p < end; p++) {
    const d = <u32>load<u8>(p) - 48;
    if (d > 9) return -1;
    value = value * 10 + <i64>d;
  }
  return value;
}
