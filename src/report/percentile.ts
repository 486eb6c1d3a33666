import { selectRanks } from './select.js';

/** Summary of a per-interval series: peak and nearest-rank percentiles. */
export interface SeriesSummary {
  intervals: number;
  peak: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  /** The value at the percentile the caller asked for (`--percentile`), when it asked. */
  atPercentile?: { p: number; value: number };
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

/**
 * The summary of a series of `total` values of which only `values` are non-zero (the rest are
 * zeros that were never stored): exactly `summarize` of the dense series, in memory bounded by
 * the non-zero values. `weights`, when given, repeats each value that many times; `extraP`, when
 * given, adds the nearest-rank value at that percentile (any number in (0, 100]).
 */
export function summarizeSparse(
  values: ArrayLike<number>,
  total: number,
  weights?: ArrayLike<number>,
  extraP?: number,
): SeriesSummary {
  // Unweighted: the ranks asked for are selected in a copy of the values (no sort of them all).
  const selected = weights === undefined ? new Float64Array(values.length) : null;
  if (selected !== null) for (let i = 0; i < values.length; i++) selected[i] = values[i]!;
  const order =
    selected !== null ? [] : Array.from({ length: values.length }, (_, i) => i).sort((a, b) => values[a]! - values[b]!);
  let stored = 0;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const w = weights === undefined ? 1 : weights[i]!;
    stored += w;
    sum += values[i]! * w;
  }
  const zeros = total - stored;
  /** Nearest rank among the stored values (1-based); 0 or less: the value is one of the zeros. */
  const rankOf = (p: number): number => Math.min(Math.max(1, Math.ceil((p / 100) * total)), total) - zeros;
  if (selected !== null && total > 0) {
    const ks = [100, 50, 95, 99, extraP ?? 100].map((p) => Math.min(rankOf(p), selected.length) - 1);
    selectRanks(selected, ks);
  }
  const at = (p: number): number => {
    if (total === 0) return 0;
    let rank = rankOf(p);
    if (rank <= 0) return 0;
    if (selected !== null) return selected[Math.min(rank, selected.length) - 1]!;
    for (const i of order) {
      rank -= weights === undefined ? 1 : weights[i]!;
      if (rank <= 0) return values[i]!;
    }
    return values[order[order.length - 1]!]!;
  };
  const summary: SeriesSummary = {
    intervals: total,
    peak: total === 0 ? 0 : Math.max(0, at(100)),
    p50: at(50),
    p95: at(95),
    p99: at(99),
    mean: total === 0 ? 0 : sum / total,
  };
  if (extraP !== undefined) summary.atPercentile = { p: extraP, value: at(extraP) };
  return summary;
}
