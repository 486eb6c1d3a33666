import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { InputError } from '../errors.js';
import { IoBatch } from '../readers/batch.js';
import type { CsvMapping } from '../readers/csv-mapping.js';
import { readerByName, sniffReader, type Reader } from '../readers/index.js';
import type { DecodeStats, Decoder, Survey } from '../readers/reader.js';
import { VolumeTable } from '../readers/volumes.js';
import type { Source } from '../sources/file.js';
import { checkSameSettings } from '../store/sqlite.js';
import type { SourceInfo, Store } from '../store/store.js';
import { finishOnce, runsToReplace, storedLengths } from './duplicates.js';
import { Warnings, type Warning } from '../warnings.js';
import { capacityOf, scopeIncludes, type Scope } from '../scope/scope.js';
import { IntervalWriter } from './interval-writer.js';
import { hashAlongside } from './hash-alongside.js';
import { decodeInParallel, type ParallelJob } from './parallel.js';
import { SNIFF_BYTES, surveySources } from './survey.js';
import { ownerTag } from './owner.js';
import { freeSettingsOfInterrupted } from './interrupted.js';
import { prefixFingerprints } from './prefix-hash.js';
import { Tracker } from './tracker.js';

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
  /**
   * Decoding worker threads for large plain files (default 1: decode on this thread); 'auto': start
   * one and add more, up to the available cores, while measured to pay (collect/thread-choice.ts).
   */
  threads?: number | 'auto';
  /** Smallest file cut for worker threads (default 32 MiB; tests lower it). */
  parallelMinBytes?: number;
  /** With threads 'auto': the most decoders (default the cores), the rule and its period (tests set them). */
  threadProbe?: Pick<ParallelJob, 'decide' | 'probeMs'> & { maxThreads?: number };
  onProgress?: (done: { source: string; bytesRead: number; bytesTotal: number | null; records: number }) => void;
}

export interface SourceSummary {
  path: string;
  format: string;
  stats: DecodeStats;
  /** Decoding worker threads that read the source (0: read on the collecting thread). */
  decoders: number;
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
export async function collectSources(
  sources: Source[],
  store: Store,
  options: CollectOptions,
): Promise<CollectSummary> {
  const surveys = await surveySources(sources, options.format, options.skipBad);
  const settings = { intervalS: options.intervalS, trackBytes: options.trackBytes };
  const stored = await store.getSettings();
  if (stored !== null) {
    try {
      checkSameSettings(store.location, stored, settings);
    } catch (err) {
      if (!(await freeSettingsOfInterrupted(store, options.host))) throw err;
    }
  }
  // An input that grew since it was collected begins with an earlier input: hash its prefix there.
  const lengths = await storedLengths(store);
  for (const source of sources) source.hash.mark(lengths);
  const volumes = new VolumeTable();
  const warnings = new Warnings();
  const tracker = new Tracker({
    intervalS: options.intervalS,
    trackBytes: options.trackBytes,
    lateIntervals: options.lateIntervals ?? 2,
    ...(options.scope.volumes === null
      ? {}
      : { includeVolume: (v: number) => scopeIncludes(options.scope, volumes.names[v]!) }),
  });
  const batch = new IoBatch((b) => tracker.add(b), undefined, options.trackBytes);
  const summary: CollectSummary = {
    runId: 0,
    replaced: [],
    sources: [],
    writes: 0,
    writeBytes: 0,
    reads: 0,
    readBytes: 0,
    intervalRecords: 0,
    intervals: 0,
    volumes: [],
    firstS: null,
    lastS: null,
    backwards: 0,
    reopened: 0,
    outOfScope: 0,
    warnings: [],
  };
  const infos: SourceInfo[] = sources.map((s) => ({
    path: s.name,
    fingerprint: 'pending',
    bytes: 0,
    format: options.format ?? 'pending',
  }));
  // The run (and the store's settings, on first use) is written with the first interval to
  // commit, or at the end: a collection failing before then leaves the store as it was.
  let beginning = null as Promise<number> | null;
  const begin = (): Promise<number> =>
    (beginning ??= store.beginRun(options.host, infos, false, { settings, owner: ownerTag() }));
  const writer = new IntervalWriter(store, begin, false, options.intervalS);
  const commit = async (): Promise<void> => {
    const closed = tracker.drainClosed();
    if (closed.length > 0) await writer.add(closed.map((r) => ({ ...r, volume: volumes.names[r.volume]! })));
  };
  let replaced: number[];
  try {
    for (const source of sources) {
      batch.flush();
      tracker.startSource();
      const reader = parallelReader(source, options);
      if (reader !== null) {
        // Worker threads read the file by ranges; this thread hashes it through meanwhile.
        const task = {
          startUs: options.startUs,
          skipBad: options.skipBad,
          volumeName: options.volumeName ?? source.stem,
          ...(options.csv ? { csv: options.csv } : {}),
          tracker: {
            intervalS: options.intervalS,
            trackBytes: options.trackBytes,
            lateIntervals: options.lateIntervals ?? 2,
          },
          scope: options.scope,
        };
        const onProgress = (bytesRead: number, records: number): void =>
          options.onProgress?.({ source: source.name, bytesRead, bytesTotal: source.bytes, records });
        const decoding = decodeInParallel({
          path: source.path!,
          size: source.bytes!,
          reader,
          head: source.head!,
          threads: maxThreads(options),
          adaptive: options.threads === 'auto',
          ...(options.threadProbe?.decide ? { decide: options.threadProbe.decide } : {}),
          ...(options.threadProbe?.probeMs ? { probeMs: options.threadProbe.probeMs } : {}),
          task,
          writer,
          onProgress,
        });
        const done = await hashAlongside(source.path!, source.hash, decoding);
        summary.sources.push({ path: source.name, format: reader.name, stats: done.stats, decoders: done.decoders });
        summary.backwards += done.backwards;
        summary.reopened += done.reopened;
        summary.outOfScope += done.outOfScope;
        for (const w of done.warnings) warnings.add(w);
      } else {
        summary.sources.push(await decodeSource(source, options, { volumes, warnings, batch, commit, surveys }));
      }
      await checkNotShrunk(source);
    }
    batch.flush();
    tracker.finish();
    await commit();
    await writer.flush();
    const runId = await begin();
    summary.runId = runId;
    const totals = summary.sources.reduce(
      (t, s) => ({ records: t.records + s.stats.records, skipped: t.skipped + s.stats.skipped }),
      { records: 0, skipped: 0 },
    );
    // Inputs are identified by their decoded bytes, known only now that all was read.
    const inputs = sources.map((s) => ({ name: s.name, identity: s.hash.identity()! }));
    const finalSources = inputs.map((x, i) => ({
      ...infos[i]!,
      fingerprint: x.identity.fingerprint,
      bytes: x.identity.bytes,
      format: summary.sources[i]!.format,
    }));
    replaced = await runsToReplace(store, runId, inputs, options.replace, options.host);
    await store.putVolumes(
      [...writer.totals.volumes].map((name) => ({ name, capacityBytes: capacityOf(options.scope, name) })),
    );
    if (options.scopeJson !== null) await store.putScope(options.scopeJson);
    const hashPrefixes = async (more: readonly number[]): Promise<void> => {
      for (const [i, source] of sources.entries()) {
        const found = await prefixFingerprints(
          source,
          more.filter((n) => n < inputs[i]!.identity.bytes),
        );
        for (const [n, fingerprint] of found) inputs[i]!.identity.prefixes.set(n, fingerprint);
      }
    };
    replaced = await finishOnce(store, runId, totals, replaced, finalSources, inputs, lengths, hashPrefixes, () =>
      runsToReplace(store, runId, inputs, options.replace, options.host),
    );
  } catch (err) {
    // A file cut short while it was read fails in many ways (a worker's range past the end…): say why.
    let failure = err;
    for (const source of sources) await checkNotShrunk(source, failure).catch((shrunk: unknown) => (failure = shrunk));
    const runId = beginning === null ? null : await beginning.catch(() => null);
    if (runId !== null) {
      await store.abortRun(runId).catch((abortErr: unknown) => {
        (failure as Error).message +=
          `; removing run ${runId} failed too (${(abortErr as Error).message}): ` +
          'it stays invisible to reports ' +
          'and is replaced by the next collection of the same input';
      });
    }
    throw failure;
  }
  summary.replaced = replaced;
  summary.intervals = writer.totals.intervals.size;
  const t = writer.totals;
  Object.assign(summary, {
    writes: t.writes,
    writeBytes: t.writeBytes,
    reads: t.reads,
    readBytes: t.readBytes,
    intervalRecords: t.rows,
    firstS: t.firstS,
    lastS: t.lastS,
  });
  summary.volumes = [...t.volumes].sort();
  summary.backwards += tracker.backwards;
  summary.reopened += tracker.reopened;
  summary.outOfScope += tracker.outOfScope;
  if (summary.backwards > 0)
    warnings.warn(
      'backwards',
      `timestamps went backwards ${summary.backwards} times; intervals were kept open or reopened and merged, so results equal sorted input`,
    );
  summary.warnings = warnings.list();
  return summary;
}

/** Refuse a file that is shorter now than when it was opened: its records were not all read. */
async function checkNotShrunk(source: Source, cause?: unknown): Promise<void> {
  if (source.path === null || source.bytes === null) return;
  const now = await stat(source.path).then(
    (s) => s.size,
    () => 0,
  );
  if (now < source.bytes) {
    throw new InputError(
      `${source.name}: the file shrank from ${source.bytes} to ${now} bytes while it was read; ` +
        'collect a file nobody is writing (or a copy of it)',
      cause === undefined ? undefined : { cause },
    );
  }
}

/** Files at least this large are cut and decoded on worker threads. */
const PARALLEL_MIN_BYTES = 32 << 20;

/** Most decoding workers for a file. */
const maxThreads = ({ threads, threadProbe }: CollectOptions): number =>
  threads === 'auto' ? (threadProbe?.maxThreads ?? availableParallelism()) : (threads ?? 1);

/** The reader to decode `source` on worker threads, or null to decode it here. */
function parallelReader(source: Source, options: CollectOptions): Reader | null {
  if (maxThreads(options) < 2 || source.path === null || source.compression !== null || source.head === null)
    return null;
  if ((source.bytes ?? 0) < (options.parallelMinBytes ?? PARALLEL_MIN_BYTES)) return null;
  const reader =
    options.format !== null
      ? readerByName(options.format)
      : sniffReader(source.head.subarray(0, SNIFF_BYTES), source.name);
  if (reader.split === undefined || reader.survey !== undefined) return null; // surveyed formats decode here
  if (reader.split.kind === 'records' && reader.split.recordBytes(source.head) <= 0) return null;
  return reader;
}

interface DecodeDeps {
  volumes: VolumeTable;
  warnings: Warnings;
  batch: IoBatch;
  commit: () => Promise<void>;
  /** First-pass surveys of file sources, per reader that takes one. */
  surveys: Map<Reader, Survey>;
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
    const survey = source.path === null ? undefined : deps.surveys.get(reader);
    const decoder = reader.open({
      source: source.name,
      batch: deps.batch,
      volumes: deps.volumes,
      warnings: deps.warnings,
      startUs: options.startUs,
      skipBad: options.skipBad,
      volumeName: options.volumeName ?? source.stem,
      ...(options.csv ? { csv: options.csv } : {}),
      ...(survey ? { survey } : {}),
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
    options.onProgress?.({
      source: source.name,
      bytesRead: source.bytesRead(),
      bytesTotal: source.bytes,
      records: state.decoder!.stats.records,
    });
  }
  if (state.decoder === null && pendingBytes === 0) throw new InputError(`${source.name}: empty input`);
  const decoder = state.decoder ?? start();
  decoder.end();
  return { path: source.name, format: state.reader!.name, stats: decoder.stats, decoders: 0 };
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
