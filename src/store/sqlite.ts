import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { UsageError } from '../errors.js';
import { readSamplesSqlite, writeSamplesSqlite } from './compression-samples.js';
import { SCAN_PAGE_ROWS } from './store.js';
import { extremeStart, storedEdge, type EdgeChunk } from './edge-start.js';
import { retryBusy } from './sqlite-busy.js';
import { conflicts, SourcesCollectedMeanwhile, type CompletionGuard } from './collected-meanwhile.js';
import { bumpGeneration, readGeneration, SnapshotMoved, specWithSnapshot } from './snapshot.js';
import { cannotOpenError, damagedError, isBusy, lockedError } from './sqlite-failures.js';
import { rollupLevels, type DirtyRange, type StoredRollup } from './rollup.js';
import {
  addChunkCounts,
  allRanges,
  readRollups,
  refreshRollups,
  runRanges,
  SQLITE_ROLLUPS_SCHEMA,
} from './sqlite-rollups.js';
import {
  CHUNK_INTERVALS,
  chunkStartS,
  intervalsOfChunks,
  mergeIntoChunk,
  packChunk,
  rowsByChunk,
  unpackChunk,
  type ChunkRecord,
} from './chunk.js';
import type {
  CompressionSampleRow,
  IntervalQuery,
  IntervalRow,
  IntervalScan,
  RawChunk,
  RollupScan,
  RunInfo,
  RunSpan,
  SourceInfo,
  Store,
  StoreSettings,
  StoredChunk,
  VolumeInfo,
  VolumeSpan,
} from './store.js';

const SCHEMA_VERSION = '7';
/** Chunks per page of `scanChunkData` (a chunk holds up to CHUNK_INTERVALS intervals). */
const RAW_CHUNKS_PER_PAGE = 64;
/**
 * Versions this code upgrades on open: 5 (0.1.0) kept one row per (run, volume, interval); 6 kept
 * chunks without the hour and day rollups.
 */
const UPGRADES_FROM = ['5', '6'];

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY,
  status TEXT NOT NULL,
  host TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  records INTEGER NOT NULL DEFAULT 0,
  skipped INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS sources (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  path TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  format TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sources_fingerprint ON sources(fingerprint);
CREATE TABLE IF NOT EXISTS volumes (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  capacity_bytes INTEGER
);
-- One row per (volume, chunk of CHUNK_INTERVALS intervals, run): the chunk's rollup (counters
-- summed, OR of its bitmaps), its per-interval counts (null in chunks of stores created earlier) then its
-- intervals packed (store/chunk.ts). Data last: reading the rollup alone never loads the packed intervals.
CREATE TABLE IF NOT EXISTS chunks (
  volume_id INTEGER NOT NULL REFERENCES volumes(id),
  chunk_s INTEGER NOT NULL,
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  first_s INTEGER NOT NULL,
  last_s INTEGER NOT NULL,
  cells INTEGER NOT NULL,
  writes INTEGER NOT NULL,
  write_bytes INTEGER NOT NULL,
  reads INTEGER NOT NULL,
  read_bytes INTEGER NOT NULL,
  changed_tracks INTEGER NOT NULL,
  or_bitmap BLOB NOT NULL,
  counts BLOB,
  data BLOB NOT NULL,
  UNIQUE (volume_id, chunk_s, run_id)
);
CREATE INDEX IF NOT EXISTS chunks_start ON chunks(chunk_s);
CREATE INDEX IF NOT EXISTS chunks_run ON chunks(run_id);
${SQLITE_ROLLUPS_SCHEMA}
CREATE TABLE IF NOT EXISTS batches (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  PRIMARY KEY (run_id, seq)
);
`;

interface RunRow {
  id: number;
  status: 'running' | 'live' | 'complete';
  host: string;
  started_at: string;
  finished_at: string | null;
  records: number;
  skipped: number;
}

/**
 * The embedded store: one SQLite file in WAL mode. Each `writeIntervals` call is one
 * transaction, so a crash loses at most intervals not yet handed over; runs still `running`
 * are invisible to reports and replaced by the next collection of the same source.
 */
/** How long a command waits for another's lock on the store before it fails. */
const BUSY_TIMEOUT_MS = 10_000;

/** Page cache of a connection that collects (SQLite's own default; negative pragma values are KiB). */
const COLLECT_CACHE_KIB = 2000;

export class SqliteStore implements Store {
  readonly location: string;
  upgradedFrom: string | null = null;
  readonly #db: Database.Database;
  readonly #volumeIds = new Map<string, number>();
  readonly #statements = new Map<string, Database.Statement>();
  #cachedIntervalS: number | undefined;

  readonly #readonly: boolean;

  /**
   * Open (or create) the store at `path`. With `readonly` (reports) nothing is ever written and a
   * store the user may not write, or on a read-only mount, reads fine. A SQLite database that is
   * not a churnlink store is refused before anything is written to it.
   */
  /** The file opens again from another thread (an in-memory database would not be the same one). */
  reopenSpec(): string {
    if (this.location === ':memory:' || this.location === '') throw new Error('an in-memory store cannot be reopened');
    return this.#generation === undefined ? this.location : specWithSnapshot(this.location, this.#generation);
  }

  /** The generation a read-only store reads (store/snapshot.ts); undefined for a writer. */
  #generation: string | undefined;

  /**
   * With `snapshot` (a read-only store opened again by a reading thread: the generation the
   * command reads), refuse with `SnapshotMoved` when the store is at another generation.
   */
  constructor(path: string, options: { readonly?: boolean; snapshot?: string } = {}) {
    this.location = path;
    this.#readonly = options.readonly === true;
    try {
      this.#db = new Database(path, this.#readonly ? { readonly: true, fileMustExist: true } : {});
    } catch (err) {
      throw cannotOpenError(path, err, this.#readonly);
    }
    try {
      // First: two commands opening a new store at once wait for each other's locks.
      this.#db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      // The first read too: a writer switching the file to or from WAL can refuse it without waiting.
      const fresh = retryBusy(() => this.#checkChurnlink(), BUSY_TIMEOUT_MS);
      if (!this.#readonly) {
        // Bitmaps are kilobytes: larger pages keep them out of long overflow chains (new files only).
        if (fresh) this.#db.pragma('page_size = 16384');
        // An existing store switches to WAL at its first write (#writing), so that a command
        // failing before it writes leaves the file byte for byte as it was.
        if (fresh) this.#writing();
        this.#db.pragma('synchronous = NORMAL');
        this.#db.pragma('foreign_keys = ON');
      }
      if (!this.#readonly && fresh) {
        // A new store is created whole in one transaction, version included: a second command
        // opening it at the same moment waits for the lock and then sees a complete store, never
        // a half-made one (which it would refuse as a foreign database).
        this.#db
          .transaction(() => {
            this.#checkChurnlink();
            this.#db.exec(SCHEMA);
            addChunkCounts(this.#db);
            if (this.#meta('schema_version') === null) this.#setMeta('schema_version', SCHEMA_VERSION);
          })
          .immediate();
      } else if (!this.#readonly) {
        this.#db.exec(SCHEMA);
        addChunkCounts(this.#db);
      }
    } catch (err) {
      this.#db.close();
      if (err instanceof UsageError) throw err;
      if (isBusy(err)) throw lockedError(path, err, BUSY_TIMEOUT_MS);
      const damaged = damagedError(path, err);
      if (damaged !== null) throw damaged;
      if (/^SQLITE_(READONLY|CANTOPEN)/.test((err as { code?: string }).code ?? '')) {
        const why = `${(err as Error).message}: permission denied or a read-only file system`;
        throw new UsageError(`store: cannot write ${path} (${why}); give a --store you may write`, { cause: err });
      }
      throw new UsageError(`store: ${path} is not a churnlink SQLite store: ${(err as Error).message}`, { cause: err });
    }
    const version = this.#meta('schema_version');
    if (version !== null && UPGRADES_FROM.includes(version)) {
      if (this.#readonly) {
        this.#db.close();
        const by = version === '5' ? 'churnlink 0.1.0' : 'an earlier churnlink';
        throw new UsageError(
          `store: ${path} was written by ${by} (schema ${version}) and must be converted once: ` +
            `run churnlink migrate --store ${path} where you may write it`,
        );
      }
      this.#writing();
      this.#db
        .transaction(() => {
          if (version === '5') this.#upgradeFrom5();
          if (this.#meta('interval_s') !== null) {
            refreshRollups(this.#db, this.#intervalS(), allRanges(this.#db, this.#intervalS()));
          }
          this.#setMeta('schema_version', SCHEMA_VERSION);
          bumpGeneration(this.#db);
        })
        .immediate();
      this.upgradedFrom = version;
    } else if (version === null) this.#setMeta('schema_version', SCHEMA_VERSION);
    else if (version !== SCHEMA_VERSION)
      throw new UsageError(`store: ${path} has schema version ${version}; this churnlink reads ${SCHEMA_VERSION}`);
    if (this.#readonly) this.#beginSnapshot(options.snapshot);
  }

  /**
   * A read-only store reads one state from here to its close: one read transaction (in WAL mode,
   * a snapshot; commits of writers wait for nothing). Its generation is read inside it.
   */
  #beginSnapshot(expected: string | undefined): void {
    this.#db.exec('BEGIN');
    this.#generation = retryBusy(() => readGeneration(this.#db), BUSY_TIMEOUT_MS);
    if (expected !== undefined && expected !== this.#generation) {
      this.#db.close();
      throw new SnapshotMoved(`store ${this.location} changed since generation ${expected} (now ${this.#generation})`);
    }
  }

  /**
   * Refuse a database that is not a churnlink store, reading only: a churnlink store has a `meta`
   * table with a `schema_version` key (any version); an empty database becomes one (writers).
   */
  #checkChurnlink(): boolean {
    let tables: string[];
    try {
      const list = this.#db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
      tables = list.pluck().all() as string[];
    } catch (err) {
      const e = err as { code?: string; message: string };
      if (e.code === 'SQLITE_CANTOPEN' && this.#readonly) {
        throw new UsageError(
          `store: cannot read ${this.location}: it is in WAL mode and SQLite cannot create ${this.location}-shm beside it ` +
            '(read-only directory); run any churnlink command that writes on it once where it is writable, ' +
            `or copy it together with ${this.location}-wal`,
          { cause: err },
        );
      }
      throw err;
    }
    if (tables.length === 0) {
      if (this.#readonly) {
        throw new UsageError(`store ${this.location} holds no collection yet (run churnlink collect first)`);
      }
      return true;
    }
    const versioned =
      tables.includes('meta') &&
      this.#db.prepare("SELECT name FROM pragma_table_info('meta') WHERE name IN ('key', 'value')").all().length ===
        2 &&
      this.#db.prepare("SELECT 1 FROM meta WHERE key = 'schema_version'").get() !== undefined;
    if (!versioned) {
      const shown = tables.length > 5 ? `${tables.slice(0, 5).join(', ')}…` : tables.join(', ');
      throw new UsageError(
        `store: ${this.location} is not a churnlink store (a SQLite database with other tables: ${shown}); give another --store`,
      );
    }
    return false;
  }

  #wal = false;

  /** A write transaction whose wait for the lock, when it runs out, names the store (sqlite-failures.ts). */
  #tx<T>(work: () => T): { immediate(): T } {
    const transaction = this.#db.transaction(work);
    return {
      immediate: () => {
        try {
          return transaction.immediate();
        } catch (err) {
          if (isBusy(err)) throw lockedError(this.location, err, BUSY_TIMEOUT_MS);
          throw err;
        }
      },
    };
  }

  /** Before the first write: WAL mode, so readers never wait for writers. */
  #writing(): void {
    if (this.#wal) return;
    // A file SQLite could open only read-only (permissions, read-only mount) fails here, first.
    let mode: unknown;
    try {
      mode = retryBusy(() => this.#db.pragma('journal_mode = WAL', { simple: true }), BUSY_TIMEOUT_MS);
    } catch (err) {
      if (isBusy(err)) throw lockedError(this.location, err, BUSY_TIMEOUT_MS);
      if (this.location !== ':memory:' && this.location !== '' && !existsSync(this.location)) {
        throw new UsageError(
          `store: ${this.location} was deleted while this command opened it (by another command's failed first ` +
            'collection); run this command again',
          { cause: err },
        );
      }
      if (!/^SQLITE_(READONLY|CANTOPEN|PERM)/.test((err as { code?: string }).code ?? '')) throw err;
    }
    if (mode !== 'wal') {
      throw new UsageError(
        `store: cannot write ${this.location} (permission denied or a read-only file system); give a --store you may write`,
      );
    }
    this.#wal = true;
  }

  async getSettings(): Promise<StoreSettings | null> {
    const intervalS = this.#meta('interval_s');
    const trackBytes = this.#meta('track_bytes');
    return intervalS === null || trackBytes === null
      ? null
      : { intervalS: Number(intervalS), trackBytes: Number(trackBytes) };
  }

  async useSettings(settings: StoreSettings): Promise<void> {
    this.#writing();
    this.#tx(() => {
      this.#useSettings(settings);
      bumpGeneration(this.#db);
    }).immediate();
  }

  #useSettings(settings: StoreSettings): void {
    const intervalS = this.#meta('interval_s');
    const trackBytes = this.#meta('track_bytes');
    if (intervalS === null || trackBytes === null) {
      this.#setMeta('interval_s', String(settings.intervalS));
      this.#setMeta('track_bytes', String(settings.trackBytes));
      return;
    }
    checkSameSettings(this.location, { intervalS: Number(intervalS), trackBytes: Number(trackBytes) }, settings);
  }

  async findRunsBySource(fingerprint: string): Promise<RunInfo[]> {
    const ids = this.#db
      .prepare('SELECT DISTINCT run_id FROM sources WHERE fingerprint = ? ORDER BY run_id')
      .pluck()
      .all(fingerprint) as number[];
    return ids.map((id) => this.#runInfo(this.#db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as RunRow));
  }

  async beginRun(
    host: string,
    sources: SourceInfo[],
    live = false,
    options: { settings?: StoreSettings; owner?: string } = {},
  ): Promise<number> {
    this.#writing();
    // A collection writes each chunk once and reads few back: a small page cache is enough. The
    // default (better-sqlite3: 16 MB of 16 KiB pages, with the allocator's overhead about 60 MB of
    // RSS once a large collection has touched that many pages) was most of collect's peak memory.
    this.#db.pragma(`cache_size = -${COLLECT_CACHE_KIB}`);
    return this.#tx(() => {
      if (options.settings !== undefined) this.#useSettings(options.settings);
      const id = Number(
        this.#db
          .prepare('INSERT INTO runs (status, host, started_at) VALUES (?, ?, ?)')
          .run(live ? 'live' : 'running', host, new Date().toISOString()).lastInsertRowid,
      );
      this.#addSources(id, sources);
      if (options.owner !== undefined) this.#setMeta(`owner:${id}`, options.owner);
      bumpGeneration(this.#db);
      return id;
    }).immediate();
  }

  async writeIntervals(runId: number, rows: IntervalRow[], batch?: number): Promise<void> {
    if (rows.length === 0) return;
    this.#writing();
    const intervalS = this.#intervalS();
    const write = this.#tx(() => {
      if (
        batch !== undefined &&
        this.#db.prepare('INSERT OR IGNORE INTO batches (run_id, seq) VALUES (?, ?)').run(runId, batch).changes === 0
      )
        return;
      // A live run is visible as it commits: its rollups follow each commit. (A file run's follow
      // its completion: no range per row to keep here.)
      const live = this.#statusOf(runId) === 'live';
      const dirty: DirtyRange[] = [];
      for (const { volume, chunkS, rows: fresh } of rowsByChunk(rows, intervalS).values()) {
        const volumeId = this.#volumeId(volume);
        // The run may have this chunk already: later intervals, late records, a cut between threads.
        const data = this.#statement('SELECT data FROM chunks WHERE volume_id = ? AND chunk_s = ? AND run_id = ?')
          .pluck()
          .get(volumeId, chunkS, runId) as Buffer | undefined;
        const stored = data === undefined ? [] : unpackChunk(volume, chunkS, new Uint8Array(data));
        const merged = mergeIntoChunk(stored, fresh);
        this.#putChunk(volumeId, chunkS, runId, packChunk(chunkS, merged));
        if (live) for (const r of fresh) dirty.push({ volumeId, fromS: r.startS, toS: r.startS + intervalS });
      }
      if (live) refreshRollups(this.#db, intervalS, dirty);
      // A file run's intervals are invisible until its completion, which counts.
      if (live) bumpGeneration(this.#db);
    });
    try {
      // IMMEDIATE: the transaction reads chunks, then writes them; taking the write lock first makes
      // a concurrent writer wait (busy_timeout) instead of failing on a stale read snapshot.
      write.immediate();
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY')
        throw runRemoved(this.location, runId, err);
      throw err;
    }
  }

  #putChunk(volumeId: number, chunkS: number, runId: number, c: ChunkRecord): void {
    this.#statement(
      `INSERT INTO chunks (volume_id, chunk_s, run_id, first_s, last_s, cells, writes, write_bytes,
      reads, read_bytes, changed_tracks, or_bitmap, counts, data)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (volume_id, chunk_s, run_id) DO UPDATE SET first_s = excluded.first_s, last_s = excluded.last_s,
        cells = excluded.cells,
        writes = excluded.writes, write_bytes = excluded.write_bytes, reads = excluded.reads,
          read_bytes = excluded.read_bytes,
        changed_tracks = excluded.changed_tracks, or_bitmap = excluded.or_bitmap, counts = excluded.counts,
        data = excluded.data`,
    ).run(
      volumeId,
      chunkS,
      runId,
      c.firstS,
      c.lastS,
      c.cells,
      c.writes,
      c.writeBytes,
      c.reads,
      c.readBytes,
      c.changedTracks,
      blob(c.orBitmap),
      blob(c.counts),
      blob(c.data),
    );
  }

  /** Convert a 0.1.0 store (one row per run, volume and interval) to chunks, in one transaction. */
  #upgradeFrom5(): void {
    const old = this.#db
      .prepare("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'intervals'")
      .pluck()
      .get() as number;
    if (old > 0 && this.#meta('interval_s') !== null) {
      const intervalS = this.#intervalS();
      const select = this.#db.prepare(`SELECT i.run_id AS runId, i.volume_id AS volumeId, v.name AS volume,
        i.start_s AS startS, i.writes,
        i.write_bytes AS writeBytes, i.reads, i.read_bytes AS readBytes, i.changed_tracks AS changedTracks, i.bitmap,
        i.write_profile AS writeProfile, i.partial FROM intervals i JOIN volumes v ON v.id = i.volume_id
          ORDER BY i.run_id, i.volume_id, i.start_s`);
      let group: (IntervalRow & { runId: number; volumeId: number })[] = [];
      const flush = (): void => {
        if (group.length === 0) return;
        const g = group[0]!;
        const chunkS = chunkStartS(g.startS, intervalS);
        this.#putChunk(g.volumeId, chunkS, g.runId, packChunk(chunkS, group));
        group = [];
      };
      const all = select.all() as (IntervalRow & { runId: number; volumeId: number })[];
      for (const row of all) {
        normalizeRow(row);
        const g = group[0];
        const sameChunk = chunkStartS(g?.startS ?? NaN, intervalS) === chunkStartS(row.startS, intervalS);
        if (g !== undefined && (g.runId !== row.runId || g.volumeId !== row.volumeId || !sameChunk)) flush();
        group.push(row);
      }
      flush();
    }
    this.#db.exec('DROP TABLE IF EXISTS intervals');
  }

  async finishRun(
    runId: number,
    totals: { records: number; skipped: number },
    replaces: number[],
    sources: SourceInfo[],
    guard?: CompletionGuard,
  ): Promise<void> {
    this.#writing();
    this.#tx(() => {
      // Writers are serialised (IMMEDIATE): a collection of the same (or an overlapping) input
      // that completed after this one decided what it replaces is seen here, before any change.
      if (guard !== undefined) {
        const rows = this.#db
          .prepare(
            `SELECT s.run_id AS runId, s.fingerprint, s.bytes FROM sources s JOIN runs r ON r.id = s.run_id
              WHERE r.status = 'complete' AND r.id <> ?
                AND (s.fingerprint IN (SELECT value FROM json_each(?)) OR (s.bytes > 0 AND s.bytes < ?))`,
          )
          .all(runId, JSON.stringify(guard.fingerprints), guard.longestBytes) as {
          runId: number;
          fingerprint: string;
          bytes: number;
        }[];
        const found = conflicts(guard, rows, replaces);
        if (found.runIds.length > 0) throw new SourcesCollectedMeanwhile(this.location, found.runIds, found.lengths);
      }
      // Rollups follow the visible runs: the replaced ones leave them, this one enters (unless live).
      const dirty =
        this.#meta('interval_s') === null
          ? []
          : replaces.filter((id) => this.#visible(id)).flatMap((id) => runRanges(this.#db, id, this.#intervalS()));
      const wasLive = this.#statusOf(runId) === 'live';
      for (const old of replaces) this.#deleteRun(old);
      this.#db.prepare('DELETE FROM sources WHERE run_id = ?').run(runId);
      this.#addSources(runId, sources);
      const done = this.#db
        .prepare("UPDATE runs SET status = 'complete', finished_at = ?, records = ?, skipped = ? WHERE id = ?")
        .run(new Date().toISOString(), totals.records, totals.skipped, runId);
      if (done.changes === 0) throw runRemoved(this.location, runId);
      this.#db.prepare('DELETE FROM meta WHERE key = ?').run(`owner:${runId}`);
      if (!wasLive && this.#meta('interval_s') !== null) dirty.push(...runRanges(this.#db, runId, this.#intervalS()));
      if (dirty.length > 0) refreshRollups(this.#db, this.#intervalS(), dirty);
      bumpGeneration(this.#db);
    }).immediate();
  }

  async abortRun(runId: number): Promise<void> {
    this.#writing();
    this.#tx(() => {
      const dirty =
        this.#visible(runId) && this.#meta('interval_s') !== null ? runRanges(this.#db, runId, this.#intervalS()) : [];
      this.#deleteRun(runId);
      if (dirty.length > 0) refreshRollups(this.#db, this.#intervalS(), dirty);
      if (this.#db.prepare('SELECT 1 FROM runs LIMIT 1').get() === undefined) {
        this.#db.prepare("DELETE FROM meta WHERE key IN ('interval_s', 'track_bytes')").run();
      }
      bumpGeneration(this.#db);
    }).immediate();
  }

  async putVolumes(volumes: VolumeInfo[]): Promise<void> {
    this.#writing();
    const setCapacity = this.#db.prepare('UPDATE volumes SET capacity_bytes = ? WHERE id = ?');
    this.#tx(() => {
      for (const v of volumes) {
        const id = this.#volumeId(v.name);
        if (v.capacityBytes !== null) setCapacity.run(v.capacityBytes, id);
      }
      bumpGeneration(this.#db);
    }).immediate();
  }

  async listVolumes(): Promise<VolumeInfo[]> {
    return this.#db
      .prepare('SELECT name, capacity_bytes AS capacityBytes FROM volumes ORDER BY name')
      .all() as VolumeInfo[];
  }

  async putScope(json: string): Promise<void> {
    this.#writing();
    this.#tx(() => {
      this.#setMeta('scope', json);
      bumpGeneration(this.#db);
    }).immediate();
  }

  async getScope(): Promise<string | null> {
    return this.#meta('scope');
  }

  async listRuns(): Promise<RunInfo[]> {
    return (this.#db.prepare('SELECT * FROM runs ORDER BY id').all() as RunRow[]).map((r) => this.#runInfo(r));
  }

  async runSpans(): Promise<RunSpan[]> {
    return this.#db
      .prepare(
        `SELECT run_id AS runId, MIN(first_s) AS firstS, MAX(last_s) AS lastS FROM chunks
      GROUP BY run_id ORDER BY run_id`,
      )
      .all() as RunSpan[];
  }

  async readIntervals(query: IntervalQuery): Promise<IntervalRow[]> {
    const rows: IntervalRow[] = [];
    for (const page of this.#chunkPages({ ...query }, Number.MAX_SAFE_INTEGER)) {
      for (const c of page) rows.push(...c.intervals);
    }
    // Chunks come by run within a (volume, chunk): a stable sort keeps runs in order.
    return rows.sort((a, b) => a.startS - b.startS || (a.volume < b.volume ? -1 : a.volume > b.volume ? 1 : 0));
  }

  async volumeSpans(scan: IntervalScan): Promise<VolumeSpan[]> {
    const filter = this.#volumeFilter(scan.volumes);
    if (filter === null) return [];
    const [fromS, toS] = windowOf(scan);
    const fromChunkS = this.#chunkFloor(fromS);
    const volumes = this.#db
      .prepare(`SELECT id, name FROM volumes c WHERE 1 = 1 ${filter.replace('c.volume_id', 'c.id')} ORDER BY name`)
      .all() as { id: number; name: string }[];
    // Chunks by start, forwards for the first interval and backwards for the last: edge chunks only,
    // answered by their stored first and last starts; unpacked only where the window cuts them.
    const walk = (order: 'ASC' | 'DESC') =>
      this.#statement(`SELECT c.chunk_s AS chunkS, c.run_id AS runId, c.first_s AS firstS, c.last_s AS lastS
      FROM chunks c JOIN runs r ON r.id = c.run_id
      WHERE r.status IN ('complete', 'live') AND c.volume_id = ? AND c.chunk_s >= ? AND c.chunk_s < ?
        ORDER BY c.chunk_s ${order}`);
    // Shared with writeIntervals, which plucks: the statement returns the blob itself.
    const dataOf = this.#statement(
      'SELECT data FROM chunks WHERE volume_id = ? AND chunk_s = ? AND run_id = ?',
    ).pluck();
    const out: VolumeSpan[] = [];
    for (const v of volumes) {
      const starts = (order: 'ASC' | 'DESC'): number | null => {
        let best: number | null = null;
        let bestChunk: number | null = null;
        const chunks = walk(order).iterate(v.id, fromChunkS, toS) as IterableIterator<EdgeChunk>;
        for (const c of chunks) {
          if (bestChunk !== null && c.chunkS !== bestChunk) break;
          let found = storedEdge(c, order, fromS, toS) ?? null;
          if (found === null) {
            const data = dataOf.get(v.id, c.chunkS, c.runId) as Buffer;
            const rows = unpackChunk(v.name, c.chunkS, new Uint8Array(data), fromS, toS, false);
            found = extremeStart(
              rows.map((r) => r.startS),
              order,
              fromS,
              toS,
            );
          }
          if (found !== null && (best === null || (order === 'ASC' ? found < best : found > best))) best = found;
          if (best !== null) bestChunk = c.chunkS;
        }
        return best;
      };
      const firstS = starts('ASC');
      if (firstS !== null) out.push({ volume: v.name, firstS, lastS: starts('DESC')! });
    }
    return out;
  }

  async *scanIntervals(scan: IntervalScan): AsyncIterable<IntervalRow[]> {
    const limit = Math.max(1, Math.ceil((scan.pageRows ?? SCAN_PAGE_ROWS) / CHUNK_INTERVALS));
    for (const page of this.#chunkPages(scan, limit)) yield intervalsOfChunks(page);
  }

  async *scanChunks(scan: IntervalScan): AsyncIterable<StoredChunk[]> {
    yield* this.#chunkPages(scan, Math.max(1, Math.ceil((scan.pageRows ?? SCAN_PAGE_ROWS) / CHUNK_INTERVALS)));
  }

  /**
   * Visible chunks of the selection in pages of about `limit` chunks by chunk start, unpacked to
   * the intervals inside the window; the chunks of one chunk start never straddle two pages.
   */
  *#chunkPages(scan: IntervalScan, limit: number): Generator<StoredChunk[]> {
    const filter = this.#volumeFilter(scan.volumes);
    if (filter === null) return;
    const [windowFromS, toS] = windowOf(scan);
    const select = `SELECT v.name AS volume, c.chunk_s AS chunkS, c.run_id AS runId, c.cells, c.writes,
      c.write_bytes AS writeBytes,
        c.reads, c.read_bytes AS readBytes, c.changed_tracks AS changedTracks, c.or_bitmap AS orBitmap, c.data
      FROM chunks c JOIN runs r ON r.id = c.run_id JOIN volumes v ON v.id = c.volume_id
      WHERE r.status IN ('complete', 'live') ${filter}`;
    const page = this.#statement(
      `${select} AND c.chunk_s >= ? AND c.chunk_s < ? ORDER BY c.chunk_s, c.volume_id, c.run_id LIMIT ${limit}`,
    );
    const whole = this.#statement(`${select} AND c.chunk_s = ? ORDER BY c.volume_id, c.run_id`);
    let fromS = this.#chunkFloor(windowFromS);
    while (fromS < toS) {
      let chunks = page.all(fromS, toS) as (Omit<StoredChunk, 'intervals'> & { data: Buffer })[];
      if (chunks.length === 0) return;
      const lastS = chunks[chunks.length - 1]!.chunkS;
      if (chunks.length === limit) {
        const cut = chunks.findIndex((c) => c.chunkS === lastS);
        chunks = cut > 0 ? chunks.slice(0, cut) : (whole.all(lastS) as typeof chunks);
        fromS = cut > 0 ? lastS : lastS + 1;
      } else {
        fromS = toS;
      }
      const out: StoredChunk[] = [];
      for (const { data, ...c } of chunks) {
        const intervals = unpackChunk(
          c.volume,
          c.chunkS,
          new Uint8Array(data),
          windowFromS,
          toS,
          !scan.withoutProfiles,
        );
        if (intervals.length > 0) out.push({ ...c, orBitmap: new Uint8Array(c.orBitmap), intervals });
      }
      if (out.length > 0) yield out;
    }
  }

  async *scanChunkData(volume: string, fromS: number, toS: number): AsyncIterable<RawChunk[]> {
    const volumeId = this.#statement('SELECT id FROM volumes WHERE name = ?').pluck().get(volume);
    if (volumeId === undefined) return;
    // Pages by (chunk start, run) keyset: no statement stays open between pages.
    const page = this.#statement(`SELECT c.chunk_s AS chunkS, c.run_id AS runId, c.data,
      c.first_s AS firstS, c.last_s AS lastS, c.changed_tracks AS changedTracks
      FROM chunks c JOIN runs r ON r.id = c.run_id
      WHERE r.status IN ('complete', 'live') AND c.volume_id = ? AND c.chunk_s >= ? AND c.chunk_s < ?
        AND (c.chunk_s > ? OR c.run_id > ?)
      ORDER BY c.chunk_s, c.run_id LIMIT ${RAW_CHUNKS_PER_PAGE}`);
    let afterS = this.#chunkFloor(fromS) - 1;
    let afterRun = Number.MAX_SAFE_INTEGER;
    for (;;) {
      const rows = page.all(volumeId, afterS, toS, afterS, afterRun) as RawChunk[];
      if (rows.length > 0) yield rows;
      if (rows.length < RAW_CHUNKS_PER_PAGE) return;
      afterS = rows[rows.length - 1]!.chunkS;
      afterRun = rows[rows.length - 1]!.runId;
    }
  }

  async *scanRollups(scan: RollupScan): AsyncIterable<StoredRollup[]> {
    const find = this.#statement('SELECT id FROM volumes WHERE name = ?').pluck();
    const volumeId = find.get(scan.volume) as number | undefined;
    if (volumeId === undefined) return;
    yield* readRollups(
      this.#db,
      volumeId,
      scan.volume,
      scan.levelS,
      scan.fromS,
      scan.toS,
      scan.pageRows ?? 512,
      scan.withoutBitmaps !== true,
    );
  }

  async rollupLevels(): Promise<number[]> {
    return this.#meta('interval_s') === null ? [] : rollupLevels(this.#intervalS());
  }

  #statusOf(runId: number): string | undefined {
    return this.#statement('SELECT status FROM runs WHERE id = ?').pluck().get(runId) as string | undefined;
  }

  #visible(runId: number): boolean {
    const status = this.#statusOf(runId);
    return status === 'live' || status === 'complete';
  }

  #statement(sql: string): Database.Statement {
    let st = this.#statements.get(sql);
    if (st === undefined) this.#statements.set(sql, (st = this.#db.prepare(sql)));
    return st;
  }

  #intervalS(): number {
    const intervalS = this.#cachedIntervalS ?? Number(this.#meta('interval_s'));
    if (!(intervalS > 0)) throw new Error(`store ${this.location}: intervals written before the settings`);
    return (this.#cachedIntervalS = intervalS);
  }

  /** Start of the chunk holding `s` (a store without settings holds no chunks: anything goes). */
  #chunkFloor(s: number): number {
    if (s === -Number.MAX_SAFE_INTEGER || this.#meta('interval_s') === null) return -Number.MAX_SAFE_INTEGER;
    return chunkStartS(s, this.#intervalS());
  }

  /**
   * Close. A writer leaves the file in rollback-journal mode when it is the last connection, so
   * that readers can open it where they cannot create the WAL index (read-only mounts and
   * directories); with other connections open the switch fails at once and WAL stays.
   */
  async close(): Promise<void> {
    if (!this.#db.open) return;
    // A reading store's snapshot ends (it wrote nothing: the end cannot fail on a lock).
    if (this.#db.inTransaction && this.#readonly) this.#db.exec('ROLLBACK');
    if (!this.#readonly && this.#db.pragma('journal_mode', { simple: true }) === 'wal') {
      this.#db.pragma('busy_timeout = 0');
      try {
        // Everything committed into the main file first, without waiting for anyone: when another
        // connection is open the switch below fails and the file stays in WAL mode, but a copy of
        // the main file alone then still holds every run (unless a reader was mid-read on an older
        // state at this instant; its -wal beside it has the rest).
        this.#db.pragma('wal_checkpoint(PASSIVE)');
        this.#db.pragma('journal_mode = DELETE');
      } catch {
        // another connection is open: it (or the next writer) switches back
      }
    }
    this.#db.close();
  }

  async writeCompressionSamples(rows: CompressionSampleRow[]): Promise<void> {
    if (rows.length > 0) writeSamplesSqlite(this.#db, (name) => this.#volumeId(name), rows);
  }

  async readCompressionSamples(query: IntervalQuery): Promise<CompressionSampleRow[]> {
    return readSamplesSqlite(this.#db, query);
  }

  #deleteRun(runId: number): void {
    this.#db.prepare('DELETE FROM chunks WHERE run_id = ?').run(runId);
    this.#db.prepare('DELETE FROM batches WHERE run_id = ?').run(runId);
    this.#db.prepare('DELETE FROM sources WHERE run_id = ?').run(runId);
    this.#db.prepare('DELETE FROM runs WHERE id = ?').run(runId);
    this.#db.prepare('DELETE FROM meta WHERE key = ?').run(`owner:${runId}`);
  }

  /** SQL restricting rows to the named volumes ('' for all); null when none of them exists. */
  #volumeFilter(volumes: readonly string[] | undefined): string | null {
    if (volumes === undefined) return '';
    const ids: number[] = [];
    const find = this.#statement('SELECT id FROM volumes WHERE name = ?').pluck();
    for (const name of volumes) {
      const id = find.get(name) as number | undefined;
      if (id !== undefined) ids.push(id);
    }
    return ids.length === 0 ? null : `AND c.volume_id IN (${ids.join(',')})`;
  }

  #addSources(runId: number, sources: SourceInfo[]): void {
    const add = this.#db.prepare(
      'INSERT INTO sources (run_id, path, fingerprint, bytes, format) VALUES (?, ?, ?, ?, ?)',
    );
    for (const s of sources) add.run(runId, s.path, s.fingerprint, s.bytes, s.format);
  }

  #volumeId(name: string): number {
    let id = this.#volumeIds.get(name);
    if (id === undefined) {
      this.#db.prepare('INSERT OR IGNORE INTO volumes (name) VALUES (?)').run(name);
      id = this.#db.prepare('SELECT id FROM volumes WHERE name = ?').pluck().get(name) as number;
      this.#volumeIds.set(name, id);
    }
    return id;
  }

  #runInfo(r: RunRow): RunInfo {
    const sources = this.#db
      .prepare('SELECT path, fingerprint, bytes, format FROM sources WHERE run_id = ? ORDER BY rowid')
      .all(r.id) as SourceInfo[];
    const owner = this.#meta(`owner:${r.id}`);
    return {
      id: r.id,
      status: r.status,
      host: r.host,
      owner,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      records: r.records,
      skipped: r.skipped,
      sources,
    };
  }

  #meta(key: string): string | null {
    const value = this.#db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(key);
    return value === undefined ? null : String(value);
  }

  #setMeta(key: string, value: string): void {
    this.#db
      .prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value')
      .run(key, value);
  }
}

function windowOf(query: IntervalQuery): [number, number] {
  return [query.fromS ?? -Number.MAX_SAFE_INTEGER, query.toS ?? Number.MAX_SAFE_INTEGER];
}

function blob(b: Uint8Array): Buffer {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

function normalizeRow(row: IntervalRow): void {
  row.bitmap = new Uint8Array(row.bitmap.buffer, row.bitmap.byteOffset, row.bitmap.byteLength);
  row.writeProfile = new Uint8Array(row.writeProfile.buffer, row.writeProfile.byteOffset, row.writeProfile.byteLength);
  row.partial = (row.partial as unknown) === 1;
}

/** A run deleted while it was still being collected (another collection replaced it). */
export function runRemoved(location: string, runId: number, cause?: unknown): Error {
  return new Error(
    `run ${runId} was removed from store ${location} while it was being collected (another collection of the same ` +
      'input replaced it with --replace); nothing of this collection is kept',
    cause === undefined ? undefined : { cause },
  );
}

/** Refuse to mix track sizes or intervals in one store. */
export function checkSameSettings(location: string, stored: StoreSettings, wanted: StoreSettings): void {
  if (stored.intervalS !== wanted.intervalS || stored.trackBytes !== wanted.trackBytes) {
    throw new UsageError(
      `store ${location} holds ${stored.intervalS} s intervals of ${stored.trackBytes} B tracks; ` +
        `this collection asks for ${wanted.intervalS} s and ${wanted.trackBytes} B. ` +
        'Use another store, or the stored intervalS and trackBytes',
    );
  }
}
