import type { StoredRollup } from './rollup.js';
import type { CompletionGuard } from './collected-meanwhile.js';

/**
 * The store interface shared by the embedded SQLite store and the central PostgreSQL store.
 * One row per (run, volume, interval) holding counters and the portable roaring bitmap of
 * changed tracks — never one row per track. Every method is async so both can implement it;
 * one conformance suite (test/store/conformance.ts) runs against each.
 */

/** Fixed for a store's life: mixing track sizes or intervals would make ORs meaningless. */
export interface StoreSettings {
  intervalS: number;
  trackBytes: number;
}

/**
 * `running`: a file collection in progress, invisible to reports until `complete`;
 * `live`: a live collection, whose closed intervals are visible as they are committed.
 */
export type RunStatus = 'running' | 'live' | 'complete';

export interface SourceInfo {
  path: string;
  /** sha256 of size + first and last MiB (files) or of the whole stream (stdin). */
  fingerprint: string;
  bytes: number;
  format: string;
}

export interface RunInfo {
  id: number;
  status: RunStatus;
  host: string;
  /** The collecting process while the run is unfinished: `PID:START` (see collect/owner.ts). */
  owner?: string | null;
  startedAt: string; // ISO 8601 UTC
  finishedAt: string | null;
  records: number;
  skipped: number;
  sources: SourceInfo[];
}

/** The intervals a run holds: from the start of its first to the start of its last (s). */
export interface RunSpan {
  runId: number;
  firstS: number;
  lastS: number;
}

/** What is kept per (volume, interval): counters, the changed-track set, the write profile. */
export interface IntervalCounts {
  writes: number;
  writeBytes: number;
  reads: number;
  readBytes: number;
  changedTracks: number;
  /** The changed tracks: a portable roaring bitmap. */
  bitmap: Uint8Array;
  /** Written bytes per second (sparse; see collect/write-profile.ts). */
  writeProfile: Uint8Array;
}

/** One stored (volume, interval) of one run. */
export interface IntervalRow extends IntervalCounts {
  volume: string;
  startS: number;
  /** Cut short (a live collector stopped inside it). */
  partial?: boolean;
}

export interface VolumeInfo {
  name: string;
  capacityBytes: number | null;
}

export interface IntervalQuery {
  fromS?: number; // inclusive
  toS?: number; // exclusive
}

/** A selection of stored rows: a window and, optionally, only these volumes. */
export interface IntervalScan extends IntervalQuery {
  /** Only these volumes (names); undefined: every volume. */
  volumes?: readonly string[];
  /** Leave write profiles out (an empty profile each): churn reports do not use them. */
  withoutProfiles?: boolean;
  /** Rows per page of `scanIntervals` (default SCAN_PAGE_ROWS; tests use tiny pages). */
  pageRows?: number;
}

/** A volume with rows in a window: its first and last interval start there. */
export interface VolumeSpan {
  volume: string;
  firstS: number;
  lastS: number;
}

/** A chunk's rollup: its intervals' counters summed and the OR of their bitmaps (exact). */
export interface ChunkRollup {
  /** Intervals the chunk holds. */
  cells: number;
  writes: number;
  writeBytes: number;
  reads: number;
  readBytes: number;
  /** Changed tracks of the OR of the chunk's intervals. */
  changedTracks: number;
  orBitmap: Uint8Array;
}

/**
 * One run's stored chunk of one volume (store/chunk.ts): its rollup over all its intervals, and
 * those of its intervals inside the scan's window. The rollup answers for the chunk exactly when
 * every interval is inside (`intervals.length === cells`) and no other run shares the chunk.
 */
export interface StoredChunk extends ChunkRollup {
  volume: string;
  runId: number;
  chunkS: number;
  intervals: IntervalRow[];
}

/** A stored chunk's packed intervals (store/chunk.ts), undecoded. */
export interface RawChunk {
  chunkS: number;
  runId: number;
  data: Uint8Array;
  /** The chunk's first and last interval start and its rollup's count (its tracks ORed), when the store reads them. */
  firstS?: number;
  lastS?: number;
  changedTracks?: number;
}

/** One volume's stored rollups of one level (store/rollup.ts) with periods starting in [fromS, toS). */
export interface RollupScan {
  volume: string;
  levelS: number;
  fromS: number;
  toS: number;
  /** Rollups per page (default 512). */
  pageRows?: number;
  /** Leave the OR bitmaps out (empty each): a caller that needs only counts and counters. */
  withoutBitmaps?: boolean;
}

/** Rows per page of a scan: bounds the memory of a read whatever the window holds. */
export const SCAN_PAGE_ROWS = 2000;

/**
 * How compressible one (volume, interval)'s changed tracks measured: a sample of its tracks read
 * back from the device by a live collector, compressed track by track with raw deflate level 1.
 */
export interface CompressionSampleRow {
  runId: number;
  volume: string;
  startS: number;
  tracksSampled: number;
  /** Bytes read (tracksSampled × track size, less at a device's end). */
  rawBytes: number;
  compressedBytes: number;
  /** Sampled tracks that were all zeros. */
  zeroTracks: number;
  /** Sampled tracks identical to an earlier sampled track of the same (volume, interval). */
  dupTracks: number;
}

export interface Store {
  /** Where the store lives, for messages (a file path or a redacted URL). */
  readonly location: string;
  /** The schema version this command converted the store from when it opened it (absent or null: none). */
  readonly upgradedFrom?: string | null;
  /**
   * What opens this store again, from another thread (a file path, or the URL with its
   * credentials: never print it); absent where it cannot be opened again (in memory). For a
   * read-only store it names the state the store reads too (store/snapshot.ts): `openStore` of it
   * reads that same state, or refuses with `SnapshotMoved` where it cannot (SQLite, changed since).
   */
  reopenSpec?(): string;
  getSettings(): Promise<StoreSettings | null>;
  /** Record the settings on first use; refuse (UsageError) settings that differ from stored ones. */
  useSettings(settings: StoreSettings): Promise<void>;
  /** Runs (any status) that read a source with this fingerprint. */
  findRunsBySource(fingerprint: string): Promise<RunInfo[]>;
  /**
   * Start a run. With `settings`, record them in the same transaction when the store has none
   * (refusing others, like `useSettings`): a store gets its settings with its first run, so a
   * collection that fails before it has anything to commit leaves the store as it was.
   * `owner` identifies the collecting process, so that another one can tell whether it still runs.
   */
  beginRun(
    host: string,
    sources: SourceInfo[],
    live?: boolean,
    options?: { settings?: StoreSettings; owner?: string },
  ): Promise<number>;
  /**
   * Commit closed intervals of a running run in one transaction. A (volume, interval) the run
   * already has is merged exactly: tracks ORed, counters summed (late, out-of-order records).
   * With `batch` (a sequence number within the run) the write happens at most once: a batch the
   * store already has is ignored, so a spooled batch can be sent again safely.
   */
  writeIntervals(runId: number, rows: IntervalRow[], batch?: number): Promise<void>;
  /**
   * Mark the run complete with its final source list (formats and stdin fingerprints are known
   * only at the end) and, in the same transaction, delete the runs it replaces. With `guard`
   * (collected-meanwhile.ts), another complete run, not replaced, that holds one of its
   * fingerprints or an input of a length it did not check makes it change nothing and throw
   * `SourcesCollectedMeanwhile`: the check and the completion are one transaction, serialised with
   * every other guarded completion, so two collections of one input never both count.
   */
  finishRun(
    runId: number,
    totals: { records: number; skipped: number },
    replaces: number[],
    sources: SourceInfo[],
    guard?: CompletionGuard,
  ): Promise<void>;
  /**
   * Remove a run and everything it wrote (bad input, interrupted collection). When no run is
   * left, the settings go too: they constrain nothing, and a failed first collection must not
   * fix the interval of the store.
   */
  abortRun(runId: number): Promise<void>;
  putVolumes(volumes: VolumeInfo[]): Promise<void>;
  listVolumes(): Promise<VolumeInfo[]>;
  /** The scope (JSON text) used by the latest collection, for reports that name none. */
  putScope(json: string): Promise<void>;
  getScope(): Promise<string | null>;
  listRuns(): Promise<RunInfo[]>;
  /** Per run holding intervals (any status), by id: its first and last interval start. */
  runSpans(): Promise<RunSpan[]>;
  /** Rows of complete and live runs, ordered by startS then volume. */
  readIntervals(query: IntervalQuery): Promise<IntervalRow[]>;
  /**
   * The volumes with rows of complete and live runs in the selection, ordered by name, with
   * their first and last interval start: index look-ups, never a scan of the rows.
   */
  volumeSpans(scan: IntervalScan): Promise<VolumeSpan[]>;
  /**
   * Rows of complete and live runs in the selection, in pages of at most about
   * `SCAN_PAGE_ROWS` rows, ordered by startS (then volume id and run); the rows of one
   * (volume, interval) never straddle two pages. Memory: one page, whatever the window holds.
   */
  scanIntervals(scan: IntervalScan): AsyncIterable<IntervalRow[]>;
  /** The same selection as chunks with their rollups, ordered by chunk start, volume id and run. */
  scanChunks(scan: IntervalScan): AsyncIterable<StoredChunk[]>;
  /**
   * One volume's visible chunks with chunk starts in [fromS, toS), packed as stored (`RawChunk`),
   * by chunk start then run, in pages: for readers that decode intervals without an object each.
   */
  scanChunkData?(volume: string, fromS: number, toS: number): AsyncIterable<RawChunk[]>;
  /** The rollup levels (s, finest first) the store keeps for its interval; none before settings. */
  rollupLevels(): Promise<number[]>;
  /**
   * Rollups of visible runs (complete and live; several runs merged like cells are), ascending by
   * period, in pages: a period's rollup is exactly what its fine cells give (store/rollup.ts).
   */
  scanRollups(scan: RollupScan): AsyncIterable<StoredRollup[]>;
  /**
   * Store compression samples (table `compression_samples`, created on first use), one
   * transaction; a (run, volume, interval) written again is replaced.
   */
  writeCompressionSamples(rows: CompressionSampleRow[]): Promise<void>;
  /** Samples of complete and live runs, ordered by startS, volume, run. */
  readCompressionSamples(query: IntervalQuery): Promise<CompressionSampleRow[]>;
  close(): Promise<void>;
}
