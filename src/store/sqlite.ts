import Database from 'better-sqlite3';
import { UsageError } from '../errors.js';
import { mergeCounters } from '../bitmap/union.js';
import type {
  IntervalQuery, IntervalRow, RunInfo, SourceInfo, Store, StoreSettings, VolumeInfo,
} from './store.js';

const SCHEMA_VERSION = '5';

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
CREATE TABLE IF NOT EXISTS intervals (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  volume_id INTEGER NOT NULL REFERENCES volumes(id),
  start_s INTEGER NOT NULL,
  writes INTEGER NOT NULL,
  write_bytes INTEGER NOT NULL,
  reads INTEGER NOT NULL,
  read_bytes INTEGER NOT NULL,
  changed_tracks INTEGER NOT NULL,
  bitmap BLOB NOT NULL,
  write_profile BLOB NOT NULL,
  partial INTEGER NOT NULL DEFAULT 0,
  UNIQUE (run_id, volume_id, start_s)
);
CREATE TABLE IF NOT EXISTS batches (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  PRIMARY KEY (run_id, seq)
);
CREATE INDEX IF NOT EXISTS intervals_start ON intervals(start_s);
`;

interface RunRow {
  id: number; status: 'running' | 'live' | 'complete'; host: string; started_at: string;
  finished_at: string | null; records: number; skipped: number;
}

/**
 * The embedded store: one SQLite file in WAL mode. Each `writeIntervals` call is one
 * transaction, so a crash loses at most intervals not yet handed over; runs still `running`
 * are invisible to reports and replaced by the next collection of the same source.
 */
export class SqliteStore implements Store {
  readonly location: string;
  readonly #db: Database.Database;
  readonly #volumeIds = new Map<string, number>();
  #find: Database.Statement | undefined;
  #insert: Database.Statement | undefined;
  #update: Database.Statement | undefined;

  readonly #readonly: boolean;

  /**
   * Open (or create) the store at `path`. With `readonly` (reports) nothing is ever written and a
   * store the user may not write, or on a read-only mount, reads fine. A SQLite database that is
   * not a churnlink store is refused before anything is written to it.
   */
  constructor(path: string, options: { readonly?: boolean } = {}) {
    this.location = path;
    this.#readonly = options.readonly === true;
    try {
      this.#db = new Database(path, this.#readonly ? { readonly: true, fileMustExist: true } : {});
    } catch (err) {
      throw new UsageError(`store: cannot open SQLite file ${path}: ${(err as Error).message}`, { cause: err });
    }
    try {
      const fresh = this.#checkChurnlink();
      if (!this.#readonly) {
        // Bitmaps are kilobytes: larger pages keep them out of long overflow chains (new files only).
        if (fresh) this.#db.pragma('page_size = 16384');
        // An existing store switches to WAL at its first write (#writing), so that a command
        // failing before it writes leaves the file byte for byte as it was.
        if (fresh) this.#writing();
        this.#db.pragma('synchronous = NORMAL');
        this.#db.pragma('foreign_keys = ON');
      }
      this.#db.pragma('busy_timeout = 10000');
      if (!this.#readonly) this.#db.exec(SCHEMA);
    } catch (err) {
      this.#db.close();
      if (err instanceof UsageError) throw err;
      if (/^SQLITE_(READONLY|CANTOPEN)/.test((err as { code?: string }).code ?? '')) {
        const why = `${(err as Error).message}: permission denied or a read-only file system`;
        throw new UsageError(`store: cannot write ${path} (${why}); give a --store you may write`, { cause: err });
      }
      throw new UsageError(`store: ${path} is not a churnlink SQLite store: ${(err as Error).message}`, { cause: err });
    }
    const version = this.#meta('schema_version');
    if (version === null) this.#setMeta('schema_version', SCHEMA_VERSION);
    else if (version !== SCHEMA_VERSION) throw new UsageError(`store: ${path} has schema version ${version}; this churnlink reads ${SCHEMA_VERSION}`);
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
            '(read-only directory); run any churnlink command that writes on it once where it is writable, or copy it',
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
    const versioned = tables.includes('meta') &&
      this.#db.prepare("SELECT name FROM pragma_table_info('meta') WHERE name IN ('key', 'value')").all().length === 2 &&
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

  /** Before the first write: WAL mode, so readers never wait for writers. */
  #writing(): void {
    if (this.#wal) return;
    // A file SQLite could open only read-only (permissions, read-only mount) fails here, first.
    let mode: unknown;
    try {
      mode = this.#db.pragma('journal_mode = WAL', { simple: true });
    } catch (err) {
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
    return intervalS === null || trackBytes === null ? null : { intervalS: Number(intervalS), trackBytes: Number(trackBytes) };
  }

  async useSettings(settings: StoreSettings): Promise<void> {
    this.#writing();
    this.#db.transaction(() => this.#useSettings(settings)).immediate();
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
    const ids = this.#db.prepare('SELECT DISTINCT run_id FROM sources WHERE fingerprint = ? ORDER BY run_id').pluck().all(fingerprint) as number[];
    return ids.map((id) => this.#runInfo(this.#db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as RunRow));
  }

  async beginRun(
    host: string,
    sources: SourceInfo[],
    live = false,
    options: { settings?: StoreSettings; owner?: string } = {},
  ): Promise<number> {
    this.#writing();
    return this.#db.transaction(() => {
      if (options.settings !== undefined) this.#useSettings(options.settings);
      const id = Number(this.#db.prepare('INSERT INTO runs (status, host, started_at) VALUES (?, ?, ?)').run(live ? 'live' : 'running', host, new Date().toISOString()).lastInsertRowid);
      this.#addSources(id, sources);
      if (options.owner !== undefined) this.#setMeta(`owner:${id}`, options.owner);
      return id;
    }).immediate();
  }

  async writeIntervals(runId: number, rows: IntervalRow[], batch?: number): Promise<void> {
    if (rows.length === 0) return;
    this.#writing();
    this.#find ??= this.#db.prepare('SELECT writes, write_bytes AS writeBytes, reads, read_bytes AS readBytes, changed_tracks AS changedTracks, bitmap, write_profile AS writeProfile FROM intervals WHERE run_id = ? AND volume_id = ? AND start_s = ?');
    this.#insert ??= this.#db.prepare('INSERT INTO intervals (run_id, volume_id, start_s, writes, write_bytes, reads, read_bytes, changed_tracks, bitmap, write_profile, partial) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING');
    this.#update ??= this.#db.prepare('UPDATE intervals SET writes = ?, write_bytes = ?, reads = ?, read_bytes = ?, changed_tracks = ?, bitmap = ?, write_profile = ?, partial = ? WHERE run_id = ? AND volume_id = ? AND start_s = ?');
    const find = this.#find;
    const insert = this.#insert;
    const update = this.#update;
    const blob = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);
    const write = this.#db.transaction(() => {
      if (batch !== undefined && this.#db.prepare('INSERT OR IGNORE INTO batches (run_id, seq) VALUES (?, ?)').run(runId, batch).changes === 0) return;
      for (const row of rows) {
        const volumeId = this.#volumeId(row.volume);
        if (insert.run(runId, volumeId, row.startS, row.writes, row.writeBytes, row.reads, row.readBytes, row.changedTracks, blob(row.bitmap), blob(row.writeProfile), row.partial ? 1 : 0).changes === 1) continue;
        // The run already has this (volume, interval): late records, or a cut between threads.
        const existing = find.get(runId, volumeId, row.startS) as IntervalRow;
        const r = mergeCounters({ ...existing, bitmap: new Uint8Array(existing.bitmap), writeProfile: new Uint8Array(existing.writeProfile) }, row);
        update.run(r.writes, r.writeBytes, r.reads, r.readBytes, r.changedTracks, blob(r.bitmap), blob(r.writeProfile), row.partial ? 1 : 0, runId, volumeId, row.startS);
      }
    });
    try {
      write();
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY') throw runRemoved(this.location, runId, err);
      throw err;
    }
  }

  async finishRun(runId: number, totals: { records: number; skipped: number }, replaces: number[], sources: SourceInfo[]): Promise<void> {
    this.#writing();
    this.#db.transaction(() => {
      for (const old of replaces) this.#deleteRun(old);
      this.#db.prepare('DELETE FROM sources WHERE run_id = ?').run(runId);
      this.#addSources(runId, sources);
      const done = this.#db.prepare("UPDATE runs SET status = 'complete', finished_at = ?, records = ?, skipped = ? WHERE id = ?")
        .run(new Date().toISOString(), totals.records, totals.skipped, runId);
      if (done.changes === 0) throw runRemoved(this.location, runId);
      this.#db.prepare('DELETE FROM meta WHERE key = ?').run(`owner:${runId}`);
    })();
  }

  async abortRun(runId: number): Promise<void> {
    this.#writing();
    this.#db.transaction(() => {
      this.#deleteRun(runId);
      if (this.#db.prepare('SELECT 1 FROM runs LIMIT 1').get() === undefined) {
        this.#db.prepare("DELETE FROM meta WHERE key IN ('interval_s', 'track_bytes')").run();
      }
    }).immediate();
  }

  async putVolumes(volumes: VolumeInfo[]): Promise<void> {
    this.#writing();
    const setCapacity = this.#db.prepare('UPDATE volumes SET capacity_bytes = ? WHERE id = ?');
    this.#db.transaction(() => {
      for (const v of volumes) {
        const id = this.#volumeId(v.name);
        if (v.capacityBytes !== null) setCapacity.run(v.capacityBytes, id);
      }
    })();
  }

  async listVolumes(): Promise<VolumeInfo[]> {
    return (this.#db.prepare('SELECT name, capacity_bytes AS capacityBytes FROM volumes ORDER BY name').all() as VolumeInfo[]);
  }

  async putScope(json: string): Promise<void> {
    this.#writing();
    this.#setMeta('scope', json);
  }

  async getScope(): Promise<string | null> {
    return this.#meta('scope');
  }

  async listRuns(): Promise<RunInfo[]> {
    return (this.#db.prepare('SELECT * FROM runs ORDER BY id').all() as RunRow[]).map((r) => this.#runInfo(r));
  }

  async readIntervals(query: IntervalQuery): Promise<IntervalRow[]> {
    const rows = this.#db.prepare(`
      SELECT v.name AS volume, i.start_s AS startS, i.writes, i.write_bytes AS writeBytes, i.reads,
             i.read_bytes AS readBytes, i.changed_tracks AS changedTracks, i.bitmap, i.write_profile AS writeProfile, i.partial
      FROM intervals i JOIN runs r ON r.id = i.run_id JOIN volumes v ON v.id = i.volume_id
      WHERE r.status IN ('complete', 'live') AND i.start_s >= ? AND i.start_s < ?
      ORDER BY i.start_s, v.name, i.run_id`).all(query.fromS ?? -Number.MAX_SAFE_INTEGER, query.toS ?? Number.MAX_SAFE_INTEGER) as IntervalRow[];
    for (const row of rows) {
      row.bitmap = new Uint8Array(row.bitmap.buffer, row.bitmap.byteOffset, row.bitmap.byteLength);
      row.writeProfile = new Uint8Array(row.writeProfile.buffer, row.writeProfile.byteOffset, row.writeProfile.byteLength);
      row.partial = (row.partial as unknown) === 1;
    }
    return rows;
  }

  /**
   * Close. A writer leaves the file in rollback-journal mode when it is the last connection, so
   * that readers can open it where they cannot create the WAL index (read-only mounts and
   * directories); with other connections open the switch fails at once and WAL stays.
   */
  async close(): Promise<void> {
    if (!this.#db.open) return;
    if (!this.#readonly && this.#db.pragma('journal_mode', { simple: true }) === 'wal') {
      try {
        this.#db.pragma('busy_timeout = 0');
        this.#db.pragma('journal_mode = DELETE');
      } catch {
        // another connection is open: it (or the next writer) switches back
      }
    }
    this.#db.close();
  }

  #deleteRun(runId: number): void {
    this.#db.prepare('DELETE FROM intervals WHERE run_id = ?').run(runId);
    this.#db.prepare('DELETE FROM batches WHERE run_id = ?').run(runId);
    this.#db.prepare('DELETE FROM sources WHERE run_id = ?').run(runId);
    this.#db.prepare('DELETE FROM runs WHERE id = ?').run(runId);
    this.#db.prepare('DELETE FROM meta WHERE key = ?').run(`owner:${runId}`);
  }

  #addSources(runId: number, sources: SourceInfo[]): void {
    const add = this.#db.prepare('INSERT INTO sources (run_id, path, fingerprint, bytes, format) VALUES (?, ?, ?, ?, ?)');
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
    const sources = this.#db.prepare('SELECT path, fingerprint, bytes, format FROM sources WHERE run_id = ? ORDER BY rowid').all(r.id) as SourceInfo[];
    const owner = this.#meta(`owner:${r.id}`);
    return { id: r.id, status: r.status, host: r.host, owner, startedAt: r.started_at, finishedAt: r.finished_at, records: r.records, skipped: r.skipped, sources };
  }

  #meta(key: string): string | null {
    const value = this.#db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(key);
    return value === undefined ? null : String(value);
  }

  #setMeta(key: string, value: string): void {
    this.#db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }
}

/** A run deleted while it was still being collected (another collection replaced it). */
export function runRemoved(location: string, runId: number, cause?: unknown): Error {
  return new Error(`run ${runId} was removed from store ${location} while it was being collected (another collection of the same ` +
    'input replaced it with --replace); nothing of this collection is kept', cause === undefined ? undefined : { cause });
}

/** Refuse to mix track sizes or intervals in one store. */
export function checkSameSettings(location: string, stored: StoreSettings, wanted: StoreSettings): void {
  if (stored.intervalS !== wanted.intervalS || stored.trackBytes !== wanted.trackBytes) {
    throw new UsageError(
      `store ${location} holds ${stored.intervalS} s intervals of ${stored.trackBytes} B tracks; ` +
        `this collection asks for ${wanted.intervalS} s and ${wanted.trackBytes} B. Use another --store, or the stored --interval and --track`,
    );
  }
}
