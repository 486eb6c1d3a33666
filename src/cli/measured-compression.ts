import { UsageError } from '../errors.js';
import type { CellSource } from '../report/cells.js';
import { selectedWindow } from '../report/selection.js';
import type { LinkParams } from '../report/link.js';
import {
  MeasuredCompression,
  type ChangedInterval,
  type EffectiveCompression,
  type MeasuredCompressionSummary,
} from '../report/measured-compression.js';
import type { Store, StoreSettings } from '../store/store.js';
import type { TimeRange } from '../units/time.js';
import { parseTimeRange } from '../units/time.js';
import { parseRatio } from './args.js';
import { linkParamsOf } from './link-options.js';
import { cellSourceFor, openCollectedStore, scopeFor } from './store-access.js';

/*
 * `--compression measured` for report, models, simulate and plan: the ratio of the compression
 * samples a live collector stored (live --sample-compression) replaces the guessed one. The
 * commands call `linkParamsOrMeasured` where they called `linkParamsOf`, and, when `measured`
 * is true, `measuredLink` once the cells are loaded.
 */

/**
 * Link parameters from the flags; `--compression measured` takes `--compression-default`
 * (default 1:1) as the placeholder ratio until `measuredLink` replaces it.
 */
export function linkParamsOrMeasured(values: {
  overhead?: string;
  compression?: string;
  efficiency?: string;
  'compression-default'?: string;
}): { params: LinkParams; measured: boolean } {
  const measured = values.compression === 'measured';
  if (!measured && values['compression-default'] !== undefined) {
    throw new UsageError('--compression-default goes with --compression measured');
  }
  const { overhead, efficiency } = values;
  const params = linkParamsOf({
    ...(overhead === undefined ? {} : { overhead }),
    ...(efficiency === undefined ? {} : { efficiency }),
    ...(measured || values.compression === undefined ? {} : { compression: values.compression }),
  });
  if (!measured) return { params, measured };
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
  store: Store,
  source: CellSource,
  settings: StoreSettings,
  range: TimeRange | null,
  params: LinkParams,
): Promise<MeasuredLink> {
  const { window, volumes } = await selectedWindow(source, settings, range);
  const fromS = Math.floor(window.fromS / settings.intervalS) * settings.intervalS;
  const samples = await store.readCompressionSamples({ fromS, toS: window.toS });
  const measured = new MeasuredCompression(samples, params.compression);
  // Only the intervals with changes are kept (12 bytes of figures each), never their bitmaps.
  const intervals: ChangedInterval[] = [];
  const names = volumes.map((v) => v.volume);
  for await (const page of source.cells(names, fromS, window.toS)) {
    for (const c of page)
      if (c.changedTracks > 0) intervals.push({ volume: c.volume, startS: c.startS, changedTracks: c.changedTracks });
  }
  const effective = measured.effective(intervals);
  const perVolume = measured.summaries([...names].sort(), intervals);
  return {
    params: { ...params, compression: effective.ratio },
    assumption: measured.assumption(effective),
    effective,
    perVolume,
    ratioAt: (volume, startS) => measured.ratioAt(volume, startS),
  };
}

/**
 * For the commands that work on a timeline (simulate, plan): null unless `--compression
 * measured`; else opens the store once more, loads the same selection (scope, group, window) and
 * returns `measuredLink` over it.
 */
export async function measuredFromFlags(
  command: string,
  values: { store?: string; group?: string; window?: string; scope?: string; compression?: string; exclude?: string[] },
  params: LinkParams,
): Promise<MeasuredLink | null> {
  if (values.compression !== 'measured') return null;
  const range = values.window === undefined ? null : parseTimeRange(values.window, '--window');
  const { store, settings } = await openCollectedStore(command, values.store!);
  try {
    const scope = await scopeFor(store, values.scope);
    const source = await cellSourceFor(store, scope, values.group ?? null, values.exclude ?? []);
    return await measuredLink(store, source, settings, range, params);
  } finally {
    await store.close();
  }
}

/** The JSON fields `--compression measured` adds to a command's output. */
export function measuredJson(m: MeasuredLink | null): Record<string, unknown> {
  if (m === null) return {};
  return {
    assumptions: m.assumption,
    measuredCompression: Object.fromEntries(m.perVolume),
    intervalsWithoutSamples: m.effective.fallbackIntervals,
  };
}

/** Sizing of one report row: a volume row uses its own measured ratio, other rows the effective one. */
export function measuredSizing<S extends { params: LinkParams }>(
  m: MeasuredLink | null,
  sizing: S,
  volume: string | null,
): S {
  const own = m === null || volume === null ? undefined : m.perVolume.get(volume);
  return own === undefined ? sizing : { ...sizing, params: { ...sizing.params, compression: own.ratio } };
}

/** Report rows by volume get their `measuredCompression`. */
export function withMeasuredVolumes(
  rows: Record<string, unknown>[],
  m: MeasuredLink | null,
): Record<string, unknown>[] {
  if (m === null) return rows;
  return rows.map((r) => {
    const own = typeof r.volume === 'string' ? m.perVolume.get(r.volume) : undefined;
    return own === undefined ? r : { ...r, measuredCompression: own };
  });
}
