/**
 * Decimal digits to integers 8 at a time (SWAR on a 64-bit word: 3 multiplies for 8 digits).
 * Callers have checked that the bytes are digits; a little-endian load puts the first digit in
 * the lowest byte.
 */
const ZEROS: u64 = 0x3030303030303030;

// @ts-ignore: decorator
@inline
function swar8(digits: u64): u64 {
  let v = ((digits & 0x0f0f0f0f0f0f0f0f) * 2561) >> 8;
  v = ((v & 0x00ff00ff00ff00ff) * 6553601) >> 16;
  return ((v & 0x0000ffff0000ffff) * 42949672960001) >> 32;
}

/** The value of the `length` (1..8) digits ending at `end` (exclusive). */
// @ts-ignore: decorator
@inline
function tail8(end: u32, length: u32): u64 {
  const keep: u64 = <u64>-1 << ((8 - <u64>length) << 3);
  return swar8((load<u64>(end - 8) & keep) - (ZEROS & keep));
}

/** The value of the `length` (1..16) digits ending at `end` (exclusive). */
// @ts-ignore: decorator
@inline
export function digits16(end: u32, length: u32): u64 {
  if (length <= 8) return tail8(end, length);
  return tail8(end - 8, length - 8) * 100_000_000 + swar8(load<u64>(end - 8) - ZEROS);
}

/** The value of the 8 digits at `start`. */
// @ts-ignore: decorator
@inline
export function digits8(start: u32): u64 {
  return swar8(load<u64>(start) - ZEROS);
}
