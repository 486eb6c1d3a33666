import pg from 'pg';
import { UsageError } from '../errors.js';
import { mergeCounters } from '../bitmap/union.js';
import { redactLocation, scrubSecrets } from './location.js';
import { checkSameSettings, runRemoved } from './sqlite.js';
import type { IntervalQuery, IntervalRow, RunInfo, SourceInfo, Store, StoreSettings, VolumeInfo } from './store.js';

// int8 and numeric columns arrive as text by default; every value here is below 2^53.
pg.types.setTypeParser(20, (v) => Number(v));

const SCHEMA = `
CREATE TABLE IF NOT EXISTS churnlink_meta (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE IF NOT EXISTS churnlink_runs (
  id bigserial PRIMARY KEY, status text NOT NULL, host text NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(), finished_at timestamptz,
  records bigint NOT NULL DEFAULT 0, skipped bigint NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS churnlink_sources (
  run_id bigint NOT NULL REFERENCES churnlink_runs(id) ON DELETE CASCADE,
  path text NOT NULL, fingerprint text NOT NULL, bytes bigint NOT NULL, format text NOT NULL
);
CREATE INDEX IF NOT EXISTS churnlink_sources_fingerprint ON churnlink_sources(fingerprint);
CREATE TABLE IF NOT EXISTS churnlink_volumes (id serial PRIMARY KEY, name text NOT NULL UNIQUE, capacity_bytes bigint);
CREATE TABLE IF NOT EXISTS churnlink_intervals (
  run_id bigint NOT NULL REFERENCES churnlink_runs(id) ON DELETE CASCADE,
  volume_id integer NOT NULL REFERENCES churnlink_volumes(id),
  start_s bigint NOT NULL,
  writes bigint NOT NULL, write_bytes bigint NOT NULL, reads bigint NOT NULL, read_bytes bigint NOT NULL,
  changed_tracks bigint NOT NULL, bitmap bytea NOT NULL, write_profile bytea NOT NULL,
  partial boolean NOT NULL DEFAULT false,
  PRIMARY KEY (run_id, volume_id, start_s)
);
CREATE INDEX IF NOT EXISTS churnlink_intervals_start ON churnlink_intervals(start_s);
-- Batches already committed, so that a write retried after a lost acknowledgement is not counted twice.
CREATE TABLE IF NOT EXISTS churnlink_batches (
  run_id bigint NOT NULL REFERENCES churnlink_runs(id) ON DELETE CASCADE, seq bigint NOT NULL, PRIMARY KEY (run_id, seq)
);
`;
const SCHEMA_VERSION = '4';
const SCHEMA_LOCK = 7_460_253; // advisory lock id: one collector creates the schema at a time
const SETTINGS_LOCK = 7_460_254; // settings recorded with a first run vs. dropped with the last aborted one

/** Errors after which the same statement may succeed on a new connection. */
function isTransient(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  if (e.code && /^(08|57P0[123]|53300|40001|40P01)/.test(e.code)) return true;
  if (e.code && ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN'].includes(e.code)) return true;
  return /Connection terminated|connection.*(closed|ended)|Client has encountered a connection error|timeout exceeded/i.test(e.message ?? '');
}

export interface PostgresOptions {
  /** How long to keep retrying after the server goes away (s). */
  retryForS?: number;
  /** Called when a retry starts (for the CLI to say so). */
  onRetry?: (err: Error, attempt: number) => void;
}

/**
 * The central store: PostgreSQL, for many collectors at once. Same schema and semantics as the
 * SQLite store (bitmaps as bytea, portable roaring). Every method retries on a lost connection
 * with backoff until `retryForS`; a batch of intervals is written in one transaction with its
 * sequence number, so a retry after a commit whose acknowledgement was lost changes nothing.
 */
export class PostgresStore implements Store {
  readonly location: string;
  readonly #pool: pg.Pool;
  readonly #retryForS: number;
  readonly #onRetry: ((err: Error, attempt: number) => void) | undefined;
  readonly #volumeIds = new Map<string, number>();
  readonly #batchSeq = new Map<number, number>();

  private constructor(url: string, options: PostgresOptions) {
    this.location = redactLocation(url);
    this.#pool = new pg.Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 10_000 });
    this.#pool.on('error', () => {}); // idle clients dying with the server: the next query reconnects
    this.#retryForS = options.retryForS ?? 300;
    this.#onRetry = options.onRetry;
  }

  /** Connect and create the schema on first use. */
  static async open(url: string, options: PostgresOptions = {}): Promise<PostgresStore> {
    const store = new PostgresStore(url, options);
    try {
      await store.#transaction(async (c) => {
        await c.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
        await c.query(SCHEMA);
        await c.query("INSERT INTO churnlink_meta (key, value) VALUES ('schema_version', $1) ON CONFLICT DO NOTHING", [SCHEMA_VERSION]);
        const { rows } = await c.query("SELECT value FROM churnlink_meta WHERE key = 'schema_version'");
        if (rows[0].value !== SCHEMA_VERSION) throw new UsageError(`store: ${store.location} has schema version ${rows[0].value}; this churnlink reads ${SCHEMA_VERSION}`);
      });
    } catch (err) {
      await store.close();
      if (err instanceof UsageError) throw err;
      const why = scrubSecrets((err as Error).message, url);
      throw new UsageError(`store: cannot use PostgreSQL at ${store.location}: ${why}`, { cause: err });
    }
    return store;
  }

  async getSettings(): Promise<StoreSettings | null> {
    const rows = await this.#query("SELECT key, value FROM churnlink_meta WHERE key IN ('interval_s', 'track_bytes')");
    const m = new Map(rows.map((r) => [r.key as string, Number(r.value)]));
    return m.has('interval_s') && m.has('track_bytes') ? { intervalS: m.get('interval_s')!, trackBytes: m.get('track_bytes')! } : null;
  }

  async useSettings(settings: StoreSettings): Promise<void> {
    await this.#transaction(async (c) => this.#useSettings(c, settings));
  }

  async #useSettings(c: pg.PoolClient, settings: StoreSettings): Promise<void> {
    await c.query("INSERT INTO churnlink_meta (key, value) VALUES ('interval_s', $1), ('track_bytes', $2) ON CONFLICT DO NOTHING", [String(settings.intervalS), String(settings.trackBytes)]);
    const { rows } = await c.query("SELECT key, value FROM churnlink_meta WHERE key IN ('interval_s', 'track_bytes')");
    const m = new Map(rows.map((r) => [r.key as string, Number(r.value)]));
    checkSameSettings(this.location, { intervalS: m.get('interval_s')!, trackBytes: m.get('track_bytes')! }, settings);
  }

  async findRunsBySource(fingerprint: string): Promise<RunInfo[]> {
    const rows = await this.#query('SELECT r.* FROM churnlink_runs r WHERE r.id IN (SELECT run_id FROM churnlink_sources WHERE fingerprint = $1) ORDER BY r.id', [fingerprint]);
    return Promise.all(rows.map((r) => this.#runInfo(r)));
  }

  async beginRun(
    host: string,
    sources: SourceInfo[],
    live = false,
    options: { settings?: StoreSettings; owner?: string } = {},
  ): Promise<number> {
    return this.#transaction(async (c) => {
      if (options.settings !== undefined) {
        // Serialised with abortRun, which drops the settings of a store left without runs.
        await c.query('SELECT pg_advisory_xact_lock($1)', [SETTINGS_LOCK]);
        await this.#useSettings(c, options.settings);
      }
      const { rows } = await c.query('INSERT INTO churnlink_runs (status, host) VALUES ($1, $2) RETURNING id', [live ? 'live' : 'running', host]);
      const id = Number(rows[0].id);
      await addSources(c, id, sources);
      if (options.owner !== undefined) {
        await c.query('INSERT INTO churnlink_meta (key, value) VALUES ($1, $2)', [`owner:${id}`, options.owner]);
      }
      return id;
    });
  }

  async writeIntervals(runId: number, rows: IntervalRow[], batch?: number): Promise<void> {
    if (rows.length === 0) return;
    // Without an explicit batch, numbers count down from -1 so they never meet a caller's.
    const seq = batch ?? (this.#batchSeq.get(runId) ?? 0) - 1;
    if (batch === undefined) this.#batchSeq.set(runId, seq);
    const volumeIds = await this.#volumeIdsOf(rows.map((r) => r.volume));
    await this.#transaction(async (c) => {
      const exists = await c.query('SELECT 1 FROM churnlink_runs WHERE id = $1 FOR SHARE', [runId]);
      if (exists.rowCount === 0) throw runRemoved(this.location, runId);
      const fresh = await c.query('INSERT INTO churnlink_batches (run_id, seq) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING seq', [runId, seq]);
      if (fresh.rowCount === 0) return; // committed before; the acknowledgement was lost
      for (const row of rows) {
        const volumeId = volumeIds.get(row.volume)!;
        const inserted = await c.query(
          `INSERT INTO churnlink_intervals (run_id, volume_id, start_s, writes, write_bytes, reads, read_bytes, changed_tracks, bitmap, write_profile, partial)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING RETURNING start_s`,
          [runId, volumeId, row.startS, row.writes, row.writeBytes, row.reads, row.readBytes, row.changedTracks, Buffer.from(row.bitmap), Buffer.from(row.writeProfile), row.partial === true],
        );
        if (inserted.rowCount === 1) continue;
        const { rows: found } = await c.query(
          'SELECT writes, write_bytes, reads, read_bytes, changed_tracks, bitmap, write_profile FROM churnlink_intervals WHERE run_id = $1 AND volume_id = $2 AND start_s = $3 FOR UPDATE',
          [runId, volumeId, row.startS],
        );
        const e = found[0];
        const merged = mergeCounters({ ...row, writes: e.writes, writeBytes: e.write_bytes, reads: e.reads, readBytes: e.read_bytes, changedTracks: e.changed_tracks, bitmap: new Uint8Array(e.bitmap), writeProfile: new Uint8Array(e.write_profile) }, row);
        await c.query(
          'UPDATE churnlink_intervals SET writes = $4, write_bytes = $5, reads = $6, read_bytes = $7, changed_tracks = $8, bitmap = $9, write_profile = $10, partial = $11 WHERE run_id = $1 AND volume_id = $2 AND start_s = $3',
          [runId, volumeId, row.startS, merged.writes, merged.writeBytes, merged.reads, merged.readBytes, merged.changedTracks, Buffer.from(merged.bitmap), Buffer.from(merged.writeProfile), row.partial === true],
        );
      }
    });
  }

  async finishRun(runId: number, totals: { records: number; skipped: number }, replaces: number[], sources: SourceInfo[]): Promise<void> {
    await this.#transaction(async (c) => {
      if (replaces.length > 0) {
        await c.query('DELETE FROM churnlink_runs WHERE id = ANY($1::bigint[])', [replaces]);
        await c.query('DELETE FROM churnlink_meta WHERE key = ANY($1::text[])', [replaces.map((id) => `owner:${id}`)]);
      }
      await c.query('DELETE FROM churnlink_sources WHERE run_id = $1', [runId]);
      await addSources(c, runId, sources);
      const done = await c.query(
        "UPDATE churnlink_runs SET status = 'complete', finished_at = now(), records = $2, skipped = $3 WHERE id = $1",
        [runId, totals.records, totals.skipped],
      );
      if (done.rowCount === 0) throw runRemoved(this.location, runId);
      await c.query('DELETE FROM churnlink_meta WHERE key = $1', [`owner:${runId}`]);
    });
  }

  async abortRun(runId: number): Promise<void> {
    await this.#transaction(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [SETTINGS_LOCK]);
      await c.query('DELETE FROM churnlink_runs WHERE id = $1', [runId]);
      await c.query('DELETE FROM churnlink_meta WHERE key = $1', [`owner:${runId}`]);
      await c.query(
        "DELETE FROM churnlink_meta WHERE key IN ('interval_s', 'track_bytes') AND NOT EXISTS (SELECT 1 FROM churnlink_runs)",
      );
    });
  }

  async putVolumes(volumes: VolumeInfo[]): Promise<void> {
    const ids = await this.#volumeIdsOf(volumes.map((v) => v.name));
    await this.#transaction(async (c) => {
      for (const v of volumes) if (v.capacityBytes !== null) await c.query('UPDATE churnlink_volumes SET capacity_bytes = $1 WHERE id = $2', [v.capacityBytes, ids.get(v.name)]);
    });
  }

  async listVolumes(): Promise<VolumeInfo[]> {
    const rows = await this.#query('SELECT name, capacity_bytes FROM churnlink_volumes ORDER BY name');
    return rows.map((r) => ({ name: r.name, capacityBytes: r.capacity_bytes === null ? null : Number(r.capacity_bytes) }));
  }

  async putScope(json: string): Promise<void> {
    await this.#query("INSERT INTO churnlink_meta (key, value) VALUES ('scope', $1) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value", [json]);
  }

  async getScope(): Promise<string | null> {
    const rows = await this.#query("SELECT value FROM churnlink_meta WHERE key = 'scope'");
    return rows.length === 0 ? null : (rows[0].value as string);
  }

  async listRuns(): Promise<RunInfo[]> {
    const rows = await this.#query('SELECT * FROM churnlink_runs ORDER BY id');
    return Promise.all(rows.map((r) => this.#runInfo(r)));
  }

  async readIntervals(query: IntervalQuery): Promise<IntervalRow[]> {
    const rows = await this.#query(
      `SELECT v.name AS volume, i.start_s, i.writes, i.write_bytes, i.reads, i.read_bytes, i.changed_tracks, i.bitmap, i.write_profile, i.partial
       FROM churnlink_intervals i JOIN churnlink_runs r ON r.id = i.run_id JOIN churnlink_volumes v ON v.id = i.volume_id
       WHERE r.status IN ('complete', 'live') AND i.start_s >= $1 AND i.start_s < $2
       ORDER BY i.start_s, v.name COLLATE "C", i.run_id`,
      [query.fromS ?? -Number.MAX_SAFE_INTEGER, query.toS ?? Number.MAX_SAFE_INTEGER],
    );
    return rows.map((r) => ({
      volume: r.volume, startS: Number(r.start_s), writes: r.writes, writeBytes: r.write_bytes, reads: r.reads, readBytes: r.read_bytes,
      changedTracks: r.changed_tracks, bitmap: new Uint8Array(r.bitmap), writeProfile: new Uint8Array(r.write_profile), partial: r.partial,
    }));
  }

  async close(): Promise<void> {
    await this.#pool.end().catch(() => {});
  }

  async #volumeIdsOf(names: string[]): Promise<Map<string, number>> {
    for (const name of new Set(names)) {
      if (this.#volumeIds.has(name)) continue;
      const rows = await this.#query('INSERT INTO churnlink_volumes (name) VALUES ($1) ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id', [name]);
      this.#volumeIds.set(name, Number(rows[0].id));
    }
    return this.#volumeIds;
  }

  async #runInfo(r: Record<string, unknown>): Promise<RunInfo> {
    const sources = await this.#query('SELECT path, fingerprint, bytes, format FROM churnlink_sources WHERE run_id = $1 ORDER BY ctid', [r.id]);
    const owner = await this.#query('SELECT value FROM churnlink_meta WHERE key = $1', [`owner:${r.id}`]);
    return {
      id: Number(r.id), status: r.status as RunInfo['status'], host: r.host as string,
      owner: owner.length === 0 ? null : (owner[0]!.value as string),
      startedAt: (r.started_at as Date).toISOString(), finishedAt: r.finished_at ? (r.finished_at as Date).toISOString() : null,
      records: Number(r.records), skipped: Number(r.skipped),
      sources: sources.map((s) => ({ path: s.path, fingerprint: s.fingerprint, bytes: Number(s.bytes), format: s.format })),
    };
  }

  async #query(sql: string, params: unknown[] = []): Promise<Record<string, any>[]> {
    return this.#retrying(async () => (await this.#pool.query(sql, params)).rows);
  }

  async #transaction<T>(work: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.#retrying(async () => {
      const client = await this.#pool.connect();
      // A server going away mid-transaction fails the query in progress; without a listener the
      // client's 'error' event would also kill the process.
      const ignore = (): void => {};
      client.on('error', ignore);
      try {
        await client.query('BEGIN');
        const result = await work(client);
        await client.query('COMMIT');
        client.off('error', ignore);
        client.release();
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        client.off('error', ignore);
        client.release(isTransient(err) ? (err as Error) : undefined);
        throw err;
      }
    });
  }

  async #retrying<T>(attempt: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.#retryForS * 1000;
    for (let n = 1; ; n++) {
      try {
        return await attempt();
      } catch (err) {
        if (!isTransient(err) || Date.now() >= deadline) throw err;
        this.#onRetry?.(err as Error, n);
        await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 250 * 2 ** Math.min(n, 5))));
      }
    }
  }
}

async function addSources(c: pg.PoolClient, runId: number, sources: SourceInfo[]): Promise<void> {
  for (const s of sources) {
    await c.query('INSERT INTO churnlink_sources (run_id, path, fingerprint, bytes, format) VALUES ($1, $2, $3, $4, $5)', [runId, s.path, s.fingerprint, s.bytes, s.format]);
  }
}
