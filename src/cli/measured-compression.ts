import { UsageError } from '../errors.js';
import { cellSpan, type CellMap } from '../report/cells.js';
import type { LinkParams } from '../report/link.js';
import {
  MeasuredCompression, type ChangedInterval, type EffectiveCompression, type MeasuredCompressionSummary,
} from '../report/measured-compression.js';
import type { Store } from '../store/store.js';
import { parseRatio } from './args.js';
import { linkParamsOf } from './link-options.js';

/*
 * `--compression measured` for report, models, simulate and plan: the ratio of the compression
 * samples a live collector stored (live --sample-compression) replaces the guessed one. The
 * commands call `linkParamsOrMeasured` where they called `linkParamsOf`, and, when `measured`
 * is true, `measuredLink` once the cells are loaded.
 */

/** The flag that goes with `--compression measured` (add it to the command's options). */
export const COMPRESSION_DEFAULT_FLAG = { 'compression-default': { type: 'string' } } as const;

export const COMPRESSION_DEFAULT_HELP =
  `  --compression measured  use the compression measured by live --sample-compression per interval
  --compression-default RATIO  with --compression measured: the ratio of intervals without samples (default 1)`;

/**
 * Link parameters from the flags; `--compression measured` takes `--compression-default`
 * (default 1:1) as the placeholder ratio until `measuredLink` replaces it.
 */
export function linkParamsOrMeasured(values: {
  overhead?: string; compression?: string; efficiency?: string; 'compression-default'?: string;
}): { params: LinkParams; measured: boolean } {
  const measured = values.compression === 'measured';
  if (!measured && values['compression-default'] !== undefined) {
    throw new UsageError('--compression-default goes with --compression measured');
  }
  if (!measured) return { params: linkParamsOf(values), measured };
  const params = linkParamsOf({ ...values, compression: undefined });
  const fallback = values['compression-default'];
  const compression = fallback === undefined ? 1 : parseRatio(fallback, '--compression-default');
  return { params: { ...params, compression }, measured };
}

/** What `--compression measured` gives a command. */
export interface MeasuredLink {
  /** `params` with the effective measured ratio over the selection. */
  params: LinkParams;
  /** The assumptions line to print. */
  assumption: string;
  effective: EffectiveCompression;
  /** The JSON `measuredCompression` of each selected volume. */
  perVolume: Map<string, MeasuredCompressionSummary>;
  /** Ratio per (volume, interval) (measured, else the default), for per-interval computations. */
  ratioAt: (volume: string, startS: number) => number;
}

/**
 * Read the samples of the selected cells' span and compute the effective ratio (changed tracks
 * of every selected (volume, interval) over what the link sends), per-volume summaries, and the
 * assumptions line. `params.compression` is the default ratio for intervals without samples.
 */
export async function measuredLink(
  store: Store, cells: CellMap, params: LinkParams, intervalS: number,
): Promise<MeasuredLink> {
  const span = cellSpan(cells);
  const samples = span === null ? []
    : await store.readCompressionSamples({ fromS: span.firstS, toS: span.lastS + intervalS });
  const measured = new MeasuredCompression(samples, params.compression);
  const intervals: ChangedInterval[] = [];
  for (const [volume, byStart] of cells) {
    for (const [startS, { changedTracks }] of byStart) {
      if (changedTracks > 0) intervals.push({ volume, startS, changedTracks });
    }
  }
  const effective = measured.effective(intervals);
  const perVolume = new Map([...cells.keys()].sort().map((v) => [v, measured.summaryOf(v, intervals)] as const));
  return {
    params: { ...params, compression: effective.ratio },
    assumption: measured.assumption(effective),
    effective,
    perVolume,
    ratioAt: (volume, startS) => measured.ratioAt(volume, startS),
  };
}
