/**
 * Digit-run scanning for the readers' fast paths. `scanDigits` returns the value and leaves the
 * position after the run in `digits.end`, so the hot loops allocate nothing.
 */
export const digits = { end: 0 };

/** Parse the run of ASCII digits at bytes[q, end); `digits.end` is where it stopped. */
export function scanDigits(bytes: Uint8Array, q: number, end: number): number {
  let value = 0;
  let c: number;
  while (q < end && (c = bytes[q]! - 48) >>> 0 <= 9) {
    value = value * 10 + c;
    q++;
  }
  digits.end = q;
  return value;
}
