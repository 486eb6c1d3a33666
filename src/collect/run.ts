import { InputError, UsageError } from '../errors.js';
import { IoBatch } from '../readers/batch.js';
import type { CsvMapping } from '../readers/csv-mapping.js';
import { readerByName, sniffReader, type Reader } from '../readers/index.js';
import type { DecodeStats, Decoder } from '../readers/reader.js';
import { VolumeTable } from '../readers/volumes.js';
import type { Source } from '../sources/file.js';
import { checkSameSettings } from '../store/sqlite.js';
import type { RunInfo, SourceInfo, Store } from '../store/store.js';
import { Warnings, type Warning } from '../warnings.js';
import { capacityOf, scopeIncludes, type Scope } from './scope.js';
import { IntervalWriter } from './interval-writer.js';
import { decodeInParallel } from './parallel.js';
import { ownerTag } from './owner.js';
import { Tracker } from './tracker.js';

const SNIFF_BYTES = 64 * 1024;

export interface CollectOptions {
  intervalS: number;
  trackBytes: number;
  scope: Scope;
  /** Original scope text, saved in the store for reports that name no scope. */
  scopeJson: string | null;
  csv?: CsvMapping;
  /** `--format`; null: sniff each source. */
  format: string | null;
  startUs: number;
  skipBad: boolean;
  /** Replace complete runs that read the same input instead of refusing. */
  replace: boolean;
  /** Volume name for formats without one; default: each file's stem. */
  volumeName: string | null;
  host: string;
  lateIntervals?: number;
  /** Worker threads for large plain files (default 1: decode on this thread). */
  threads?: number;
  /** Smallest file cut for worker threads (default 32 MiB; tests lower it). */
  parallelMinBytes?: number;
  onProgress?: (done: { source: string; bytesRead: number; bytesTotal: number | null; records: number }) => void;
}

export interface SourceSummary {
  path: string;
  format: string;
  stats: DecodeStats;
}

export interface CollectSummary {
  runId: number;
  replaced: number[];
  sources: SourceSummary[];
  writes: number;
  writeBytes: number;
  reads: number;
  readBytes: number;
  /** Sum over (volume, interval) records of changed tracks (not distinct over the run). */
  intervalRecords: number;
  intervals: number;
  volumes: string[];
  firstS: number | null;
  lastS: number | null;
  backwards: number;
  reopened: number;
  outOfScope: number;
  warnings: Warning[];
}

/**
 * Collect sources into one run of the store: decode → track → commit each closed interval.
 * The run stays invisible to reports until it completes; any error removes it, so bad input
 * never leaves partial data. The same input twice is refused, or replaced with `replace`.
 */
export async function collectSources(sources: Source[], store: Store, options: CollectOptions): Promise<CollectSummary> {
  const settings = { intervalS: options.intervalS, trackBytes: options.trackBytes };
  const stored = await store.getSettings();
  if (stored !== null) checkSameSettings(store.location, stored, settings);
  const matches = new Map<number, RunInfo>();
  for (const source of sources) {
    const fingerprint = source.fingerprint();
    if (fingerprint !== null) for (const r of await duplicateRuns(store, source.name, fingerprint, options.replace, options.host)) matches.set(r.id, r);
  }
  const volumes = new VolumeTable();
  const warnings = new Warnings();
  const tracker = new Tracker({
    intervalS: options.intervalS,
    trackBytes: options.trackBytes,
    lateIntervals: options.lateIntervals ?? 2,
    ...(options.scope.volumes === null ? {} : { includeVolume: (v: number) => scopeIncludes(options.scope, volumes.names[v]!) }),
  });
  const batch = new IoBatch((b) => tracker.add(b));
  const summary: CollectSummary = {
    runId: 0, replaced: [], sources: [], writes: 0, writeBytes: 0, reads: 0, readBytes: 0,
    intervalRecords: 0, intervals: 0, volumes: [], firstS: null, lastS: null, backwards: 0, reopened: 0, outOfScope: 0, warnings: [],
  };
  const infos: SourceInfo[] = sources.map((s) => ({ path: s.name, fingerprint: s.fingerprint() ?? 'pending', bytes: s.bytes ?? 0, format: options.format ?? 'pending' }));
  // The run (and the store's settings, on first use) is written with the first interval to
  // commit, or at the end: a collection failing before then leaves the store as it was.
  let beginning: Promise<number> | null = null;
  const begin = (): Promise<number> => (beginning ??= store.beginRun(options.host, infos, false, { settings, owner: ownerTag() }));
  const writer = new IntervalWriter(store, begin);
  const commit = async (): Promise<void> => {
    const closed = tracker.drainClosed();
    if (closed.length > 0) await writer.add(closed.map((r) => ({ ...r, volume: volumes.names[r.volume]! })));
  };
  let replaced: number[] = [];
  try {
    for (const source of sources) {
      batch.flush();
      tracker.startSource();
      const reader = parallelReader(source, options);
      if (reader !== null) {
        const done = await decodeInParallel(source.path!, source.bytes!, reader, source.head!, options.threads!, {
          startUs: options.startUs,
          skipBad: options.skipBad,
          volumeName: options.volumeName ?? source.stem,
          ...(options.csv ? { csv: options.csv } : {}),
          tracker: { intervalS: options.intervalS, trackBytes: options.trackBytes, lateIntervals: options.lateIntervals ?? 2 },
          scope: options.scope,
        }, writer, (bytesRead, records) => options.onProgress?.({ source: source.name, bytesRead, bytesTotal: source.bytes, records }));
        summary.sources.push({ path: source.name, format: reader.name, stats: done.stats });
        summary.backwards += done.backwards;
        summary.reopened += done.reopened;
        summary.outOfScope += done.outOfScope;
        for (const w of done.warnings) warnings.add(w);
      } else {
        summary.sources.push(await decodeSource(source, options, { volumes, warnings, batch, commit }));
      }
      const fingerprint = source.fingerprint();
      if (source.bytes === null && fingerprint !== null) {
        for (const r of await duplicateRuns(store, source.name, fingerprint, options.replace, options.host)) matches.set(r.id, r);
      }
    }
    batch.flush();
    tracker.finish();
    await commit();
    await writer.flush();
    const runId = await begin();
    summary.runId = runId;
    matches.delete(runId);
    const totals = summary.sources.reduce((t, s) => ({ records: t.records + s.stats.records, skipped: t.skipped + s.stats.skipped }), { records: 0, skipped: 0 });
    const finalSources = sources.map((s, i) => ({ ...infos[i]!, fingerprint: s.fingerprint() ?? infos[i]!.fingerprint, format: summary.sources[i]!.format }));
    replaced = replaceable([...matches.values()], finalSources, options.host);
    await store.putVolumes([...writer.totals.volumes].map((name) => ({ name, capacityBytes: capacityOf(options.scope, name) })));
    if (options.scopeJson !== null) await store.putScope(options.scopeJson);
    await store.finishRun(runId, totals, replaced, finalSources);
  } catch (err) {
    const runId = beginning === null ? null : await beginning.catch(() => null);
    if (runId !== null) await store.abortRun(runId);
    throw err;
  }
  summary.replaced = replaced;
  summary.intervals = writer.totals.intervals.size;
  const t = writer.totals;
  Object.assign(summary, { writes: t.writes, writeBytes: t.writeBytes, reads: t.reads, readBytes: t.readBytes, intervalRecords: t.rows, firstS: t.firstS, lastS: t.lastS });
  summary.volumes = [...t.volumes].sort();
  summary.backwards += tracker.backwards;
  summary.reopened += tracker.reopened;
  summary.outOfScope += tracker.outOfScope;
  if (summary.backwards > 0) warnings.warn('backwards', `timestamps went backwards ${summary.backwards} times; intervals were kept open or reopened and merged, so results equal sorted input`);
  summary.warnings = warnings.list();
  return summary;
}

/** Files at least this large are cut and decoded on worker threads. */
export const PARALLEL_MIN_BYTES = 32 << 20;

/** The reader to decode `source` on worker threads, or null to decode it here. */
function parallelReader(source: Source, options: CollectOptions): Reader | null {
  const threads = options.threads ?? 1;
  if (threads < 2 || source.path === null || source.compression !== null || source.head === null) return null;
  if ((source.bytes ?? 0) < (options.parallelMinBytes ?? PARALLEL_MIN_BYTES)) return null;
  const reader = options.format !== null ? readerByName(options.format) : sniffReader(source.head.subarray(0, SNIFF_BYTES), source.name);
  if (reader.split === undefined || (reader.split.kind === 'records' && reader.split.recordBytes(source.head) <= 0)) return null;
  return reader;
}

/**
 * Runs already holding this input: refused unless replacing. An unfinished run of this host is
 * an interrupted collection and is replaced; one of another host may still be running (a shared
 * PostgreSQL store), so it is refused like a complete one.
 */
async function duplicateRuns(store: Store, name: string, fingerprint: string, replace: boolean, host: string): Promise<RunInfo[]> {
  const runs = await store.findRunsBySource(fingerprint);
  const blocking = runs.filter((r: RunInfo) => r.status !== 'running' || r.host !== host);
  if (blocking.length > 0 && !replace) {
    const r = blocking[0]!;
    const what = r.status === 'running' ? `is being collected by ${r.host} into ${store.location} as run ${r.id} (or that collection was interrupted)` : `was already collected into ${store.location} as run ${r.id} (${r.startedAt})`;
    throw new UsageError(`${name} ${what}; refusing to count it twice. Use --replace to replace that run`);
  }
  return runs;
}

/**
 * The ids of the runs this collection replaces, oldest first. A complete run (or one another host
 * may still be running) is replaced only when every one of its sources is in this collection:
 * replacing it deletes all it holds, so a run that also read other files is refused, naming them.
 * An interrupted run of this host is invisible to reports and is always replaced.
 */
function replaceable(runs: RunInfo[], sources: SourceInfo[], host: string): number[] {
  const ours = new Set(sources.map((s) => s.fingerprint));
  for (const r of runs.sort((x, y) => x.id - y.id)) {
    if (r.status === 'running' && r.host === host) continue;
    const others = r.sources.filter((s) => !ours.has(s.fingerprint));
    if (others.length === 0) continue;
    const names = others.map((s) => s.path).join(', ');
    throw new UsageError(
      `--replace would delete run ${r.id}, which also holds ${names} (not in this collection); ` +
        `collect all of run ${r.id}'s inputs together with --replace (${r.sources.map((s) => s.path).join(' ')}), or use another --store`,
    );
  }
  return runs.map((r) => r.id);
}

interface DecodeDeps {
  volumes: VolumeTable;
  warnings: Warnings;
  batch: IoBatch;
  commit: () => Promise<void>;
}

/** Decode one source: buffer its head to sniff the format, then stream every chunk through. */
async function decodeSource(source: Source, options: CollectOptions, deps: DecodeDeps): Promise<SourceSummary> {
  const state: { reader: Reader | null; decoder: Decoder | null } = {
    reader: options.format === null ? null : readerByName(options.format),
    decoder: null,
  };
  const pending: Uint8Array[] = [];
  let pendingBytes = 0;
  const start = (): Decoder => {
    const reader = (state.reader ??= sniffReader(concat(pending, Math.min(pendingBytes, SNIFF_BYTES)), source.name));
    const decoder = reader.open({
      source: source.name,
      batch: deps.batch,
      volumes: deps.volumes,
      warnings: deps.warnings,
      startUs: options.startUs,
      skipBad: options.skipBad,
      volumeName: options.volumeName ?? source.stem,
      ...(options.csv ? { csv: options.csv } : {}),
    });
    for (const chunk of pending.splice(0)) decoder.push(chunk);
    return (state.decoder = decoder);
  };
  for await (const chunk of source.chunks()) {
    if (state.decoder === null) {
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes < SNIFF_BYTES) continue;
      start();
    } else state.decoder.push(chunk);
    await deps.commit();
    options.onProgress?.({ source: source.name, bytesRead: source.bytesRead(), bytesTotal: source.bytes, records: state.decoder!.stats.records });
  }
  if (state.decoder === null && pendingBytes === 0) throw new InputError(`${source.name}: empty input`);
  const decoder = state.decoder ?? start();
  decoder.end();
  return { path: source.name, format: state.reader!.name, stats: decoder.stats };
}

function concat(chunks: Uint8Array[], limit: number): Uint8Array {
  const out = new Uint8Array(limit);
  let p = 0;
  for (const c of chunks) {
    if (p >= limit) break;
    const take = Math.min(c.length, limit - p);
    out.set(c.subarray(0, take), p);
    p += take;
  }
  return out;
}
