/** Summary of a per-interval series: peak and nearest-rank percentiles. */
export interface SeriesSummary {
  intervals: number;
  peak: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
}

/**
 * Nearest-rank percentile: the smallest value with at least p % of the values at or below it
 * (the ceil(p/100 · n)-th smallest). Always a value of the series, never interpolated.
 */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

export function summarize(values: ArrayLike<number>): SeriesSummary {
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (let i = 0; i < sorted.length; i++) sum += sorted[i]!;
  return {
    intervals: sorted.length,
    peak: sorted.length ? sorted[sorted.length - 1]! : 0,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    mean: sorted.length ? sum / sorted.length : 0,
  };
}
