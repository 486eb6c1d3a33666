/**
 * Order statistics without a full sort: after `selectRanks(a, ks)`, `a[k]` holds the value a full
 * ascending sort would put at index k, for every k in `ks`. Quickselect with a three-way partition
 * (runs of equal values, common in per-interval counts, cost one pass) around the median of three;
 * a range that does not shrink fast enough is sorted instead, so crafted input cannot make it
 * quadratic. Linear time on average for a handful of ranks.
 */
export function selectRanks(a: Float64Array, ks: readonly number[]): void {
  const sorted = [...new Set(ks)].filter((k) => k >= 0 && k < a.length).sort((x, y) => x - y);
  let lo = 0;
  for (const k of sorted) {
    selectOne(a, lo, a.length, k);
    lo = k;
  }
}

function selectOne(a: Float64Array, lo: number, hi: number, k: number): void {
  let budget = 2 * Math.ceil(Math.log2(hi - lo + 2)) + 8;
  while (hi - lo > 16) {
    if (budget-- === 0) {
      a.subarray(lo, hi).sort();
      return;
    }
    const pivot = medianOfThree(a[lo]!, a[(lo + hi) >>> 1]!, a[hi - 1]!);
    // [lo, lt) < pivot, [lt, i) == pivot, (gt, hi) > pivot
    let lt = lo;
    let i = lo;
    let gt = hi - 1;
    while (i <= gt) {
      const v = a[i]!;
      if (v < pivot) {
        a[i++] = a[lt]!;
        a[lt++] = v;
      } else if (v > pivot) {
        a[i] = a[gt]!;
        a[gt--] = v;
      } else i++;
    }
    if (k < lt) hi = lt;
    else if (k > gt) lo = gt + 1;
    else return;
  }
  a.subarray(lo, hi).sort();
}

function medianOfThree(x: number, y: number, z: number): number {
  return Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
}
