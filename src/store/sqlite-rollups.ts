import type Database from 'better-sqlite3';
import { chunkStartS } from './chunk.js';
import {
  chunksNeedData,
  periodStartS,
  rollupLevels,
  rollupsOfChunks,
  type DirtyRange,
  type PeriodChunk,
  type StoredRollup,
} from './rollup.js';

/*
 * The coarse rollups of the SQLite store (store/rollup.ts): table `rollups`, one row per
 * (volume, level, period) over the visible runs, recomputed from the chunks whenever they change.
 * Chunks keep their per-interval counts (column `counts`, before `data` in stores created since;
 * added by `addChunkCounts` to older ones, whose chunks have none): an hour whose chunks tile it
 * is rolled up from the chunks' rollups and counts without reading their packed intervals.
 */

/** Give a store created before chunks kept their counts the `counts` column (null in its chunks). */
export function addChunkCounts(db: Database.Database): void {
  const has = db.prepare("SELECT 1 FROM pragma_table_info('chunks') WHERE name = 'counts'").get() !== undefined;
  if (!has) db.exec('ALTER TABLE chunks ADD COLUMN counts BLOB');
}

export const SQLITE_ROLLUPS_SCHEMA = `
CREATE TABLE IF NOT EXISTS rollups (
  volume_id INTEGER NOT NULL REFERENCES volumes(id),
  level_s INTEGER NOT NULL,
  period_s INTEGER NOT NULL,
  cells INTEGER NOT NULL,
  writes INTEGER NOT NULL,
  write_bytes INTEGER NOT NULL,
  reads INTEGER NOT NULL,
  read_bytes INTEGER NOT NULL,
  changed_tracks INTEGER NOT NULL,
  counts BLOB NOT NULL,
  or_bitmap BLOB NOT NULL,
  PRIMARY KEY (volume_id, level_s, period_s)
);
`;

/** A volume's first and last interval start in some chunks. */
type Extent = { volumeId: number; fromS: number; lastS: number };

/** The ranges a run's chunks cover, per volume (before it is deleted or after it becomes visible). */
export function runRanges(db: Database.Database, runId: number, intervalS: number): DirtyRange[] {
  const rows = db
    .prepare(
      `SELECT volume_id AS volumeId, MIN(first_s) AS fromS, MAX(last_s) AS lastS
    FROM chunks WHERE run_id = ? GROUP BY volume_id`,
    )
    .all(runId) as Extent[];
  return rows.map((r) => ({ volumeId: r.volumeId, fromS: r.fromS, toS: r.lastS + intervalS }));
}

/** Every volume's range of visible chunks (a migration computes every rollup). */
export function allRanges(db: Database.Database, intervalS: number): DirtyRange[] {
  const rows = db
    .prepare(
      `SELECT c.volume_id AS volumeId, MIN(c.first_s) AS fromS, MAX(c.last_s) AS lastS
    FROM chunks c JOIN runs r ON r.id = c.run_id WHERE r.status IN ('complete', 'live') GROUP BY c.volume_id`,
    )
    .all() as Extent[];
  return rows.map((r) => ({ volumeId: r.volumeId, fromS: r.fromS, toS: r.lastS + intervalS }));
}

/**
 * Recompute the rollups of every coarsest-level period touching the ranges, from the visible
 * chunks (inside the caller's transaction). Memory: one volume's day of cells at a time.
 */
export function refreshRollups(db: Database.Database, intervalS: number, ranges: readonly DirtyRange[]): void {
  const levels = rollupLevels(intervalS);
  if (levels.length === 0 || ranges.length === 0) return;
  const top = levels[levels.length - 1]!;
  // The chunks' rollups and counts; their packed intervals only where cells must be merged.
  const chunkColumns = `c.chunk_s AS chunkS, c.cells, c.writes, c.write_bytes AS writeBytes, c.reads,
    c.read_bytes AS readBytes, c.changed_tracks AS changedTracks, c.or_bitmap AS orBitmap, c.counts`;
  const where = `FROM chunks c JOIN runs r ON r.id = c.run_id
    WHERE r.status IN ('complete', 'live') AND c.volume_id = ? AND c.chunk_s >= ? AND c.chunk_s < ?`;
  const read = db.prepare(`SELECT ${chunkColumns} ${where}`);
  const readWithData = db.prepare(`SELECT ${chunkColumns}, c.data ${where}`);
  const clear = db.prepare('DELETE FROM rollups WHERE volume_id = ? AND period_s >= ? AND period_s < ?');
  const put = db.prepare(`INSERT INTO rollups (volume_id, level_s, period_s, cells, writes, write_bytes, reads,
    read_bytes, changed_tracks, counts, or_bitmap) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const done = new Set<string>();
  for (const range of ranges) {
    for (let topS = periodStartS(range.fromS, top); topS < range.toS; topS += top) {
      const key = `${range.volumeId}/${topS}`;
      if (done.has(key)) continue;
      done.add(key);
      // Buffers are Uint8Arrays already: no copy.
      const at = [range.volumeId, chunkStartS(topS, intervalS), topS + top];
      let chunks = read.all(...at) as PeriodChunk[];
      if (chunksNeedData(levels, intervalS, chunks)) chunks = readWithData.all(...at) as PeriodChunk[];
      clear.run(range.volumeId, topS, topS + top);
      for (const r of rollupsOfChunks(levels, intervalS, topS, chunks)) {
        put.run(
          range.volumeId,
          r.levelS,
          r.periodS,
          r.cells,
          r.writes,
          r.writeBytes,
          r.reads,
          r.readBytes,
          r.changedTracks,
          blob(r.counts),
          blob(r.orBitmap),
        );
      }
    }
  }
}

/** The OR of a rollup read without its bitmap (empty; never written to). */
const NO_BITMAP = new Uint8Array(0);

const statements = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/** One volume's rollups of `levelS` with periods in [fromS, toS), ascending, in pages of `pageRows`. */
export function* readRollups(
  db: Database.Database,
  volumeId: number,
  volume: string,
  levelS: number,
  fromS: number,
  toS: number,
  pageRows: number,
  withBitmaps = true,
): Generator<StoredRollup[]> {
  const key = `${pageRows}/${withBitmaps}`;
  let select = statements.get(db)?.get(key);
  if (select === undefined) {
    select = db.prepare(`SELECT level_s AS levelS, period_s AS periodS, cells, writes, write_bytes AS writeBytes,
      reads, read_bytes AS readBytes, changed_tracks AS changedTracks, counts,
      ${withBitmaps ? 'or_bitmap' : 'NULL'} AS orBitmap FROM rollups
      WHERE volume_id = ? AND level_s = ? AND period_s >= ? AND period_s < ? ORDER BY period_s LIMIT ${pageRows}`);
    const forDb = statements.get(db) ?? new Map<string, Database.Statement>();
    statements.set(db, forDb.set(key, select));
  }
  for (let from = fromS; from < toS;) {
    const rows = select.all(volumeId, levelS, from, toS) as StoredRollup[];
    if (rows.length === 0) return;
    // Buffers are Uint8Arrays already: no copy. Without bitmaps, one shared empty OR (a Buffer per
    // row of 720,000 costs a second).
    for (const r of rows) {
      r.volume = volume;
      if (!withBitmaps) r.orBitmap = NO_BITMAP;
    }
    yield rows;
    if (rows.length < pageRows) return;
    from = rows[rows.length - 1]!.periodS + 1;
  }
}

function blob(b: Uint8Array): Buffer {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}
