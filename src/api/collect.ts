import { hostname } from 'node:os';
import type { Readable } from 'node:stream';
import { collectSources, type CollectSummary } from '../collect/run.js';
import { UsageError } from '../errors.js';
import type { CsvMapping } from '../readers/csv-mapping.js';
import { EMPTY_SCOPE, type Scope } from '../scope/scope.js';
import { openSource } from '../sources/file.js';
import type { Store } from '../store/store.js';
import { DEFAULT_TRACK_BYTES } from '../units/track.js';
import { checkOptions } from './check-options.js';
import { finiteNumber, object, oneOf, optional, shown, text, wholeNumber } from './validate.js';

/** How to collect; every field is optional. */
export interface CollectInputOptions {
  /** Interval length (s); default: the store's, else 60. */
  intervalS?: number;
  /** Track size (bytes); default: the store's, else 64 KiB. */
  trackBytes?: number;
  /** Monitored volumes, groups, data sets; saved in the store for later reports. Default: every volume. */
  scope?: Scope;
  /** Reader name (`msr`, `spc`, `blkparse`, `csv`, ...); default: told from each input's content. */
  format?: string | null;
  /** Column mapping of the generic csv reader. */
  csv?: CsvMapping;
  /** Start time (µs since the epoch) added to formats with relative timestamps; default 0. */
  startUs?: number;
  /** Skip malformed records (counted in the summary) instead of failing. */
  skipBad?: boolean;
  /** Replace an earlier run of the same input instead of refusing it. */
  replace?: boolean;
  /** Volume name for formats without one; default: each file's base name. */
  volumeName?: string | null;
  /**
   * Threads decoding large plain files: a whole number >= 1, or 'auto' (the default, as the CLI's
   * `--threads`: one, and more while they pay, by measurement).
   */
  threads?: number | 'auto';
}

/** A trace to collect: a file path, or a stream of trace bytes (plain or compressed). */
export type CollectInput = string | Readable;

const OPTION_CHECKS: Record<string, (name: string, value: unknown) => unknown> = {
  intervalS: (n, v) => wholeNumber(n, v, 1),
  trackBytes: (n, v) => wholeNumber(n, v, 512),
  scope: object,
  csv: object,
  startUs: finiteNumber,
  skipBad: (n, v) => oneOf(n, v, [true, false]),
  replace: (n, v) => oneOf(n, v, [true, false]),
  threads: (n, v) => (v === 'auto' ? v : wholeNumber(n, v, 1)),
};

/** The inputs as a list: one path or stream, or a list of them; each a path or a readable stream. */
function inputList(inputs: unknown): readonly CollectInput[] {
  const all = typeof inputs === 'string' || !Array.isArray(inputs) ? [inputs] : inputs;
  const name = (i: number): string => (all === inputs ? `inputs[${i}]` : 'inputs');
  all.forEach((input, i) => {
    if (typeof input === 'string' && input !== '') return;
    if (typeof input === 'object' && input !== null && typeof (input as Readable).pipe === 'function') return;
    throw new UsageError(`${name(i)} must be a file path or a readable stream; got ${shown(input)}`);
  });
  return all as readonly CollectInput[];
}

/** Refuse options collect cannot use, naming the parameter and its value. */
function checkCollectOptions(options: unknown): void {
  const o = checkOptions(options);
  for (const [name, check] of Object.entries(OPTION_CHECKS)) optional(o[name], (v) => check(name, v), false);
  for (const name of ['format', 'volumeName']) optional(o[name], (v) => text(name, v));
  // As in a trace (src/readers): no real volume name holds NUL, and PostgreSQL text cannot.
  if (typeof o.volumeName === 'string' && o.volumeName.includes('\0')) {
    throw new UsageError(`volumeName must not hold a NUL character; got ${shown(o.volumeName)}`);
  }
}

/**
 * Collect traces into one run of `store`: the distinct tracks written per volume and interval.
 * `inputs` is one file path or stream, or a list of them (at most one stream).
 * Bad input fails with an InputError naming file, line and field, and leaves nothing stored.
 */
export async function collect(
  store: Store,
  inputs: CollectInput | readonly CollectInput[],
  options: CollectInputOptions = {},
): Promise<CollectSummary> {
  checkCollectOptions(options);
  inputs = inputList(inputs);
  if (inputs.length === 0) throw new UsageError('collect: no inputs');
  if (inputs.filter((i) => typeof i !== 'string').length > 1) {
    throw new UsageError('collect: one stream at a time (give files for the others)');
  }
  const stored = await store.getSettings();
  const intervalS = options.intervalS ?? stored?.intervalS ?? 60;
  const scope = options.scope ?? EMPTY_SCOPE;
  const sources = await Promise.all(inputs.map((i) => (typeof i === 'string' ? openSource(i) : openSource('-', i))));
  return collectSources(sources, store, {
    intervalS,
    trackBytes: options.trackBytes ?? stored?.trackBytes ?? DEFAULT_TRACK_BYTES,
    scope,
    scopeJson: options.scope === undefined ? null : JSON.stringify(scope),
    ...(options.csv ? { csv: options.csv } : {}),
    format: options.format ?? (options.csv ? 'csv' : null),
    startUs: options.startUs ?? 0,
    skipBad: options.skipBad ?? false,
    replace: options.replace ?? false,
    volumeName: options.volumeName ?? null,
    host: hostname(),
    threads: options.threads ?? 'auto',
  });
}
