import { nothingSelected } from '../report/selection.js';
import { planChurn, REPORT_BY, streamChurn, type ChurnRow, type ReportBy } from '../report/churn.js';
import { DEFAULT_LINK_PARAMS, type LinkParams } from '../report/link.js';
import type { SizingRequest } from '../report/sizing.js';
import type { Per } from '../report/window.js';
import type { Store } from '../store/store.js';
import type { Link } from '../units/bandwidth.js';
import { checkLinkOptions, checkOptions, checkPercentile, checkSelection } from './check-options.js';
import { selectData, type Selection } from './selection.js';
import { oneOf, optional, positiveNumber, shown, textList, wholeNumber } from './validate.js';
import { UsageError } from '../errors.js';

/** What a link must carry and how it is sized; every field is optional. */
export interface LinkOptions {
  /** Overhead, compression, efficiency and growth of the link math (default: none, 1:1, 100 %). */
  params?: Partial<LinkParams>;
  /** Time allowed to send the changes (s): gives the required bandwidth. */
  resyncS?: number | null;
  /** Bandwidth of one path (bit/s), with `resyncS`: gives the number of paths. */
  pathBps?: number | null;
  /** An existing link: gives the resync time. */
  link?: Link | null;
}

export interface ChurnReportOptions extends Selection, LinkOptions {
  /** Rows per volume, group or data set (default volume). */
  by?: ReportBy;
  /** null: the whole window in one row per entity (default); 'interval' or seconds: a time series. */
  per?: Per;
  /** With by 'dataset': only these data sets (default all). */
  datasets?: readonly string[] | null;
  /** Also the per-interval changed tracks at this percentile, in (0, 100]. */
  percentile?: number;
  /**
   * Threads reading the store for buckets longer than an interval, each with its own connection:
   * a whole number >= 1, or 'auto' (default: two on a multi-core machine for a window of many cells).
   */
  threads?: number | 'auto';
}

/** A churn report: its rows and what they were computed with (all a renderer needs). */
export interface ChurnReport {
  store: string;
  by: ReportBy;
  per: Per;
  intervalS: number;
  trackBytes: number;
  sizing: SizingRequest;
  excluded: string[];
  rows: ChurnRow[];
}

/** Refuse options a churn report cannot use, naming the parameter and its value. */
function checkChurnOptions(options: unknown): void {
  const o = checkOptions(options);
  checkSelection(o);
  checkLinkOptions(o);
  optional(o.by, (v) => oneOf('by', v, REPORT_BY), false);
  if (o.per !== undefined && o.per !== null && o.per !== 'interval') {
    if (typeof o.per !== 'number') {
      throw new UsageError(`per must be null, "interval" or a number of seconds above 0; got ${shown(o.per)}`);
    }
    positiveNumber('per', o.per);
  }
  optional(o.datasets, (v) => textList('datasets', v));
  checkPercentile(o.percentile, false);
  if (o.threads !== undefined && o.threads !== 'auto') wholeNumber('threads', o.threads, 1);
}

/** The sizing request of link options, defaults filled in. */
export function sizingOf(options: LinkOptions): SizingRequest {
  return {
    resyncS: options.resyncS ?? null,
    pathBps: options.pathBps ?? null,
    link: options.link ?? null,
    params: { ...DEFAULT_LINK_PARAMS, ...options.params },
  };
}

/**
 * The churn rows of a store, one at a time (memory bounded by one bucket, whatever the window):
 * distinct changed tracks per volume, group or data set, over the window or per `per`.
 */
export async function* churnRows(store: Store, options: ChurnReportOptions = {}): AsyncGenerator<ChurnRow> {
  checkChurnOptions(options);
  const selected = await selectData(store, options);
  const { source, settings, range, ctx } = selected;
  const fromS = range === null ? null : Math.floor(range.fromS / settings.intervalS) * settings.intervalS;
  const spans = await source.spans(fromS, range?.toS ?? null);
  if (spans.length === 0) throw await nothingSelected(source, settings, range);
  const request = {
    by: options.by ?? 'volume',
    per: options.per ?? null,
    range,
    datasets: options.datasets ? [...options.datasets] : null,
    ...(options.percentile === undefined ? {} : { percentile: options.percentile }),
    ...(options.threads === undefined ? {} : { threads: options.threads }),
  };
  yield* streamChurn(source, await planChurn(source, request, ctx));
}

/** A whole churn report, rows held in memory (use `churnRows` for long time series). */
export async function churnReport(store: Store, options: ChurnReportOptions = {}): Promise<ChurnReport> {
  checkChurnOptions(options);
  const settings = await store.getSettings();
  const rows: ChurnRow[] = [];
  for await (const row of churnRows(store, options)) rows.push(row);
  return {
    store: store.location,
    by: options.by ?? 'volume',
    per: options.per ?? null,
    intervalS: settings!.intervalS,
    trackBytes: settings!.trackBytes,
    sizing: sizingOf(options),
    excluded: [...(options.exclude ?? [])],
    rows,
  };
}
