/**
 * Epoch-aligned interval arithmetic. An interval starts at floor(unixSeconds / I) * I, so
 * volumes, files and hosts collected apart line up. Exact for µs values below 2^53.
 */
export function intervalStartUs(timeUs: number, intervalUs: number): number {
  let q = Math.floor(timeUs / intervalUs);
  // Float division can round across a boundary for large values; fix with exact products.
  if (q * intervalUs > timeUs) q--;
  else if ((q + 1) * intervalUs <= timeUs) q++;
  return q * intervalUs;
}
