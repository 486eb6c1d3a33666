import { UsageError } from '../errors.js';
import { wireBytes, type LinkParams } from './link.js';
import { summarize } from './percentile.js';
import type { Timeline } from './timeline.js';

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
  const { params } = options;
  for (const [name, span] of [['--cycle', options.cycleS], ['--period', options.periodS]] as const) {
    if (span < timeline.intervalS || span % timeline.intervalS !== 0) {
      throw new UsageError(`${name} ${span} s must be a whole multiple of the ${timeline.intervalS} s collection interval`);
    }
  }
  if (!Number.isInteger(options.syncWindowS) || options.syncWindowS < 1) throw new UsageError(`--sync-window must be a whole number of seconds >= 1`);
  const written = timeline.writtenBytes();
  const row = (model: ModelName, spanS: number, perSpan: number[], totalBytes: number): ModelRow => {
    const s = summarize(perSpan);
    return {
      model, spanS, count: perSpan.length, peakBytes: s.peak, p95Bytes: s.p95, totalBytes,
      requiredBandwidthBps: (8 * wireBytes(s.peak, params)) / (spanS * params.efficiency),
      p95BandwidthBps: (8 * wireBytes(s.p95, params)) / (spanS * params.efficiency),
      foldRatio: totalBytes > 0 ? written / totalBytes : 1,
    };
  };
  return [
    row('synchronous', options.syncWindowS, slidingSums(timeline.writesPerSecond(), options.syncWindowS), written),
    spanRow(timeline, options.cycleS, 'asynchronous', row),
    spanRow(timeline, options.periodS, 'periodic', row),
  ];
}

function spanRow(timeline: Timeline, spanS: number, model: ModelName, row: (m: ModelName, s: number, per: number[], total: number) => ModelRow): ModelRow {
  const perSpan: number[] = [];
  for (let s = Math.floor(timeline.firstS / spanS) * spanS; s < timeline.endS; s += spanS) perSpan.push(timeline.changedBytes(Math.max(s, timeline.firstS), s + spanS));
  return row(model, spanS, perSpan, perSpan.reduce((a, b) => a + b, 0));
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
