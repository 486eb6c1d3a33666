import type Database from 'better-sqlite3';
import { bumpGeneration } from './snapshot.js';
import type pg from 'pg';
import type { CompressionSampleRow, IntervalQuery } from './store.js';

/*
 * The compression samples of live collectors, kept in a table of their own in either store
 * (created on first use, so stores of earlier versions need no migration): one row per
 * (run, volume, interval), removed with its run.
 */

const COLUMNS = 'tracks_sampled, raw_bytes, compressed_bytes, zero_tracks, dup_tracks';

export const SQLITE_SAMPLES_SCHEMA = `CREATE TABLE IF NOT EXISTS compression_samples (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  volume_id INTEGER NOT NULL REFERENCES volumes(id),
  start_s INTEGER NOT NULL,
  tracks_sampled INTEGER NOT NULL,
  raw_bytes INTEGER NOT NULL,
  compressed_bytes INTEGER NOT NULL,
  zero_tracks INTEGER NOT NULL,
  dup_tracks INTEGER NOT NULL,
  PRIMARY KEY (run_id, volume_id, start_s)
)`;

export const POSTGRES_SAMPLES_SCHEMA = `CREATE TABLE IF NOT EXISTS churnlink_compression_samples (
  run_id bigint NOT NULL REFERENCES churnlink_runs(id) ON DELETE CASCADE,
  volume_id integer NOT NULL REFERENCES churnlink_volumes(id),
  start_s bigint NOT NULL,
  tracks_sampled integer NOT NULL,
  raw_bytes bigint NOT NULL,
  compressed_bytes bigint NOT NULL,
  zero_tracks integer NOT NULL,
  dup_tracks integer NOT NULL,
  PRIMARY KEY (run_id, volume_id, start_s)
)`;

const values = (r: CompressionSampleRow): number[] => [
  r.tracksSampled,
  r.rawBytes,
  r.compressedBytes,
  r.zeroTracks,
  r.dupTracks,
];

/** Write samples in one SQLite transaction; `volumeId` maps (and registers) volume names. */
export function writeSamplesSqlite(
  db: Database.Database,
  volumeId: (name: string) => number,
  rows: CompressionSampleRow[],
): void {
  db.exec(SQLITE_SAMPLES_SCHEMA);
  const put = db.prepare(`INSERT OR REPLACE INTO compression_samples (run_id, volume_id, start_s, ${COLUMNS})
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
  db.transaction(() => {
    for (const r of rows) put.run(r.runId, volumeId(r.volume), r.startS, ...values(r));
    bumpGeneration(db); // readers see samples of visible runs (store/snapshot.ts)
  }).immediate();
}

const SELECT = (table: string, runs: string, volumes: string, p1: string, p2: string): string => `
  SELECT s.run_id AS "runId", v.name AS volume, s.start_s AS "startS", s.tracks_sampled AS "tracksSampled",
         s.raw_bytes AS "rawBytes", s.compressed_bytes AS "compressedBytes", s.zero_tracks AS "zeroTracks",
         s.dup_tracks AS "dupTracks"
  FROM ${table} s JOIN ${runs} r ON r.id = s.run_id JOIN ${volumes} v ON v.id = s.volume_id
  WHERE r.status IN ('complete', 'live') AND s.start_s >= ${p1} AND s.start_s < ${p2}
  ORDER BY s.start_s, v.name${table.startsWith('churnlink') ? ' COLLATE "C"' : ''}, s.run_id`;

/** Whole-second bounds holding the same (whole) starts: PostgreSQL compares them as bigint. */
const range = (q: IntervalQuery): [number, number] => [
  Math.ceil(q.fromS ?? -Number.MAX_SAFE_INTEGER),
  Math.ceil(q.toS ?? Number.MAX_SAFE_INTEGER),
];

export function readSamplesSqlite(db: Database.Database, query: IntervalQuery): CompressionSampleRow[] {
  // Reports open the store read-only: a store no live collector sampled has no table, hence no samples.
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'compression_samples'").get();
  if (table === undefined) return [];
  const sql = SELECT('compression_samples', 'runs', 'volumes', '?', '?');
  return db.prepare(sql).all(...range(query)) as CompressionSampleRow[];
}

/** Create the PostgreSQL table (under the schema lock: many collectors may start at once). */
export async function createSamplesPostgres(c: pg.PoolClient, schemaLock: number): Promise<void> {
  await c.query('SELECT pg_advisory_xact_lock($1)', [schemaLock]);
  await c.query(POSTGRES_SAMPLES_SCHEMA);
}

/** Write samples with a client inside an open PostgreSQL transaction. */
export async function writeSamplesPostgres(
  c: pg.PoolClient,
  volumeIds: Map<string, number>,
  rows: CompressionSampleRow[],
): Promise<void> {
  for (const r of rows) {
    await c.query(
      `INSERT INTO churnlink_compression_samples (run_id, volume_id, start_s, ${COLUMNS})
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (run_id, volume_id, start_s) DO UPDATE SET tracks_sampled = EXCLUDED.tracks_sampled,
         raw_bytes = EXCLUDED.raw_bytes, compressed_bytes = EXCLUDED.compressed_bytes,
         zero_tracks = EXCLUDED.zero_tracks, dup_tracks = EXCLUDED.dup_tracks`,
      [r.runId, volumeIds.get(r.volume), r.startS, ...values(r)],
    );
  }
}

export async function readSamplesPostgres(
  query: (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>,
  q: IntervalQuery,
): Promise<CompressionSampleRow[]> {
  const sql = SELECT('churnlink_compression_samples', 'churnlink_runs', 'churnlink_volumes', '$1', '$2');
  const rows = await query(sql, range(q));
  return rows.map((r) => ({
    runId: Number(r.runId),
    volume: String(r.volume),
    startS: Number(r.startS),
    tracksSampled: Number(r.tracksSampled),
    rawBytes: Number(r.rawBytes),
    compressedBytes: Number(r.compressedBytes),
    zeroTracks: Number(r.zeroTracks),
    dupTracks: Number(r.dupTracks),
  }));
}
