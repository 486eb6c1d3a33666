import { commas, newlines, nextBit, nonDigits, scanWindow } from './window';

/**
 * Comma-separated fields of a line that fits one 64-byte window (see window.ts), as offsets
 * from the line's start: field i is [fieldStart(i), fieldEnd(i)); a CR before the newline is no
 * part of the last field. `lineFields` returns their count, or -1 when the line does not fit the
 * window, is incomplete (no newline before `end`) or has more than MAX_FIELDS fields.
 */
const MAX_FIELDS: u32 = 8;
const CR: u8 = 13;
const starts = new StaticArray<u32>(MAX_FIELDS);
const ends = new StaticArray<u32>(MAX_FIELDS);

// @ts-ignore: decorator
@inline
export function fieldStart(i: u32): u32 {
  return unchecked(starts[i]);
}

// @ts-ignore: decorator
@inline
export function fieldEnd(i: u32): u32 {
  return unchecked(ends[i]);
}

export function lineFields(p: u32, end: u32): i32 {
  scanWindow(p);
  const nl = nextBit(newlines, 0);
  if (nl >= 64 || p + nl >= end) return -1;
  let count: u32 = 0;
  let at: u32 = 0;
  while (true) {
    const comma = nextBit(commas, at);
    if (count == MAX_FIELDS) return -1;
    unchecked((starts[count] = at));
    if (comma > nl) {
      unchecked((ends[count] = nl > at && load<u8>(p + nl - 1) == CR ? nl - 1 : nl));
      return <i32>(count + 1);
    }
    unchecked((ends[count] = comma));
    count++;
    at = comma + 1;
  }
  return -1;
}

/** Offset of the line's newline from its start (after `lineFields` returned a count). */
// @ts-ignore: decorator
@inline
export function lineLength(): u32 {
  return nextBit(newlines, 0);
}

/** True when field i is 1 to `maxDigits` digits. */
// @ts-ignore: decorator
@inline
export function isNumber(i: u32, maxDigits: u32): bool {
  const s = fieldStart(i);
  const e = fieldEnd(i);
  if (e == s || e - s > maxDigits) return false;
  const inside: u64 = ((<u64>1 << <u64>(e - s)) - 1) << <u64>s; // e - s <= 18 < 64
  return (nonDigits & inside) == 0;
}
