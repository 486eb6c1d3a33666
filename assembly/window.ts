/**
 * Masks of a 64-byte window (four 16-byte SIMD compares): bit i is set when byte i is a comma, a
 * newline, or not a decimal digit. A line that fits the window has its fields found by counting
 * trailing zeros, and a field is all digits when no non-digit bit lies inside it.
 */
export let commas: u64 = 0;
export let newlines: u64 = 0;
export let nonDigits: u64 = 0;

// @ts-ignore: decorator
@inline
function masks16(p: u32, shift: u64): void {
  const block = v128.load(p);
  commas |= <u64><u32>i8x16.bitmask(i8x16.eq(block, i8x16.splat(44))) << shift;
  newlines |= <u64><u32>i8x16.bitmask(i8x16.eq(block, i8x16.splat(10))) << shift;
  const values = i8x16.sub(block, i8x16.splat(48));
  nonDigits |= <u64><u32>i8x16.bitmask(i8x16.gt_u(values, i8x16.splat(9))) << shift;
}

/** Fill the masks for the 64 bytes at `p` (readable: the host leaves 64 spare bytes after the input). */
// @ts-ignore: decorator
@inline
export function scanWindow(p: u32): void {
  commas = 0;
  newlines = 0;
  nonDigits = 0;
  masks16(p, 0);
  masks16(p + 16, 16);
  masks16(p + 32, 32);
  masks16(p + 48, 48);
}

/** Index of the first set bit of `mask` at or after `from` (64 when none). */
// @ts-ignore: decorator
@inline
export function nextBit(mask: u64, from: u32): u32 {
  return from >= 64 ? 64 : <u32>ctz<u64>(mask & (<u64>-1 << <u64>from));
}
