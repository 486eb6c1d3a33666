import { UsageError } from '../errors.js';
import { wireBytes, type LinkParams } from './link.js';
import { summarizeSparse, type SeriesSummary } from './percentile.js';
import type { Timeline, WriteProfile } from './timeline.js';

export type ModelName = 'synchronous' | 'asynchronous' | 'periodic';

/** One replication model sized on the same data. */
export interface ModelRow {
  model: ModelName;
  /** Sync: the rate window; async: the cycle; periodic: the period (s). */
  spanS: number;
  /** Sync windows / cycles / periods in the data window. */
  count: number;
  /** Bytes the model ships in its busiest span, and at p95 of spans. */
  peakBytes: number;
  p95Bytes: number;
  /** Bytes shipped over the whole window. */
  totalBytes: number;
  /** Bandwidth to ship the busiest span within the span: 8 · D / (span · efficiency). */
  requiredBandwidthBps: number;
  p95BandwidthBps: number;
  /** Written bytes per shipped byte: how much write folding saves against synchronous. */
  foldRatio: number;
}

export interface ModelOptions {
  syncWindowS: number;
  cycleS: number;
  periodS: number;
  params: LinkParams;
}

/**
 * Size synchronous, asynchronous-cycle and periodic replication side by side. Synchronous ships
 * every written byte and must carry the peak rate over `syncWindowS` (from the per-second write
 * profile); asynchronous ships each cycle's distinct tracks once; periodic ships one OR per
 * period. Cycles and periods are epoch aligned and whole multiples of the collection interval.
 */
export function compareModels(timeline: Timeline, options: ModelOptions): ModelRow[] {
  checkModelOptions(timeline.intervalS, options);
  return modelRows(
    {
      firstS: timeline.firstS,
      endS: timeline.endS,
      writtenBytes: timeline.writtenBytes(),
      sync: (windowS) => {
        const profile = timeline.writeProfile();
        return slidingSummary(profile, timeline.firstS, timeline.endS - timeline.firstS, windowS);
      },
      spans: (spanS) => spanSummary(timeline, spanS),
    },
    options,
  );
}

/** What the models need of the data, however it was gathered (a timeline, or a scan of the store). */
export interface ModelInputs {
  firstS: number;
  endS: number; // exclusive
  writtenBytes: number;
  /** Summary of the written bytes of every `windowS` consecutive seconds of the window. */
  sync: (windowS: number) => SeriesSummary;
  /** Changed bytes per epoch-aligned span of `spanS` over the window: summary and total. */
  spans: (spanS: number) => { summary: SeriesSummary; totalBytes: number };
}

/** Refuse cycles and periods that are not whole multiples of the interval, and bad sync windows. */
export function checkModelOptions(intervalS: number, options: ModelOptions): void {
  for (const [name, span] of [
    ['cycleS', options.cycleS],
    ['periodS', options.periodS],
  ] as const) {
    if (span < intervalS || span % intervalS !== 0) {
      throw new UsageError(`${name} ${span} s must be a whole multiple of the ${intervalS} s collection interval`);
    }
  }
  if (!Number.isInteger(options.syncWindowS) || options.syncWindowS < 1) {
    throw new UsageError(`syncWindowS must be a whole number of seconds >= 1, not ${options.syncWindowS}`);
  }
}

/** The three model rows from their inputs. */
export function modelRows(inputs: ModelInputs, options: ModelOptions): ModelRow[] {
  const { params } = options;
  const written = inputs.writtenBytes;
  const row = (model: ModelName, spanS: number, s: SeriesSummary, totalBytes: number): ModelRow => ({
    model,
    spanS,
    count: s.intervals,
    peakBytes: s.peak,
    p95Bytes: s.p95,
    totalBytes,
    requiredBandwidthBps: (8 * wireBytes(s.peak, params)) / (spanS * params.efficiency),
    p95BandwidthBps: (8 * wireBytes(s.p95, params)) / (spanS * params.efficiency),
    foldRatio: totalBytes > 0 ? written / totalBytes : 1,
  });
  const cycle = inputs.spans(options.cycleS);
  const period = inputs.spans(options.periodS);
  return [
    row('synchronous', options.syncWindowS, inputs.sync(options.syncWindowS), written),
    row('asynchronous', options.cycleS, cycle.summary, cycle.totalBytes),
    row('periodic', options.periodS, period.summary, period.totalBytes),
  ];
}

/** Changed bytes per epoch-aligned span; spans without any cell are skipped (zeros, counted). */
function spanSummary(timeline: Timeline, spanS: number): { summary: SeriesSummary; totalBytes: number } {
  const alignedS = Math.floor(timeline.firstS / spanS) * spanS;
  const count = Math.max(0, Math.ceil((timeline.endS - alignedS) / spanS));
  const perSpan: number[] = [];
  let total = 0;
  for (let s = alignedS; s < timeline.endS; s += spanS) {
    const active = timeline.nextActiveS(Math.max(s, timeline.firstS));
    if (active === Infinity) break;
    if (active >= s + spanS) {
      s = Math.floor(active / spanS) * spanS - spanS; // jump the empty spans
      continue;
    }
    const bytes = timeline.changedBytes(Math.max(s, timeline.firstS), s + spanS);
    perSpan.push(bytes);
    total += bytes;
  }
  return { summary: summarizeSparse(perSpan, count), totalBytes: total };
}

/**
 * Summary of the sums of every `window` consecutive seconds of a sparse per-second series of
 * `lengthS` seconds from `startS` (one value per possible window start, as `slidingSums` of the
 * dense series): the sums are constant between the points where a written second enters or
 * leaves the window, so only those segments are kept, with their lengths as weights.
 */
export function slidingSummary(profile: WriteProfile, startS: number, lengthS: number, window: number): SeriesSummary {
  if (lengthS <= 0) return summarizeSparse([], 0);
  const w = Math.min(window, lengthS);
  const starts = lengthS - w + 1; // window starts 0 .. lengthS - w
  const points = new Set<number>([0]);
  for (const t of profile.seconds) {
    const at = t - startS;
    for (const p of [at - w + 1, at + 1]) if (p > 0 && p < starts) points.add(p);
  }
  const cuts = Float64Array.from(points).sort();
  const values: number[] = [];
  const weights: number[] = [];
  let enter = 0; // next second to enter the window
  let leave = 0; // next second to leave it
  let sum = 0;
  const n = profile.seconds.length;
  for (let k = 0; k < cuts.length; k++) {
    const s = cuts[k]!;
    while (enter < n && profile.seconds[enter]! - startS < s + w) sum += profile.bytes[enter++]!;
    while (leave < n && profile.seconds[leave]! - startS < s) sum -= profile.bytes[leave++]!;
    const end = k + 1 < cuts.length ? cuts[k + 1]! : starts;
    if (sum !== 0) {
      values.push(sum);
      weights.push(end - s);
    }
  }
  return summarizeSparse(values, starts, weights);
}

/** Sums of every `window` consecutive seconds (one value per possible window start). */
export function slidingSums(perSecond: Float64Array, window: number): number[] {
  if (perSecond.length === 0) return [];
  const w = Math.min(window, perSecond.length);
  const sums: number[] = [];
  let sum = 0;
  for (let i = 0; i < perSecond.length; i++) {
    sum += perSecond[i]!;
    if (i >= w) sum -= perSecond[i - w]!;
    if (i >= w - 1) sums.push(sum);
  }
  return sums;
}
