import type pg from 'pg';
import { chunkStartS } from './chunk.js';
import { sqlInteger, type CopyColumns, type CopyField } from './postgres-copy.js';
import { byteaArray, int4Array, int8Array } from './postgres-arrays.js';
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
 * The coarse rollups of the PostgreSQL store (store/rollup.ts): table `churnlink_rollups`, the same
 * design as SQLite's `rollups`. volume_id leads the key, like the chunks' (distribution by volume).
 * Hours whose chunks tile them are rolled up from the chunks' rollups and counts (column `counts`,
 * added to older stores by `addChunkCountsPg`) without fetching their packed intervals.
 */

/** Give a store created before chunks kept their counts the `counts` column (null in its chunks). */
export async function addChunkCountsPg(c: pg.PoolClient): Promise<void> {
  // Looked up first: ALTER TABLE would take the table's exclusive lock even with IF NOT EXISTS.
  const { rowCount } = await c.query(`SELECT 1 FROM information_schema.columns
    WHERE table_schema = current_schema() AND table_name = 'churnlink_chunks' AND column_name = 'counts'`);
  if (rowCount === 0) await c.query('ALTER TABLE churnlink_chunks ADD COLUMN IF NOT EXISTS counts bytea');
}

export const POSTGRES_ROLLUPS_SCHEMA = `
CREATE TABLE IF NOT EXISTS churnlink_rollups (
  volume_id integer NOT NULL REFERENCES churnlink_volumes(id),
  level_s integer NOT NULL, period_s bigint NOT NULL, cells integer NOT NULL,
  writes bigint NOT NULL, write_bytes bigint NOT NULL, reads bigint NOT NULL, read_bytes bigint NOT NULL,
  changed_tracks bigint NOT NULL, counts bytea NOT NULL, or_bitmap bytea NOT NULL,
  PRIMARY KEY (volume_id, level_s, period_s)
);
`;

/** The ranges a run's chunks cover, per volume. */
export async function runRangesPg(c: pg.PoolClient, runIds: number[], intervalS: number): Promise<DirtyRange[]> {
  const { rows } = await c.query(
    `SELECT volume_id, MIN(first_s) AS from_s, MAX(last_s) AS last_s FROM churnlink_chunks
    WHERE run_id = ANY($1::bigint[]) GROUP BY volume_id`,
    [runIds],
  );
  return rows.map((r) => ({ volumeId: r.volume_id, fromS: Number(r.from_s), toS: Number(r.last_s) + intervalS }));
}

/** Every volume's range of visible chunks (a migration computes every rollup). */
export async function allRangesPg(c: pg.PoolClient, intervalS: number): Promise<DirtyRange[]> {
  const { rows } = await c.query(`SELECT c.volume_id, MIN(c.first_s) AS from_s, MAX(c.last_s) AS last_s
    FROM churnlink_chunks c JOIN churnlink_runs r ON r.id = c.run_id WHERE r.status IN ('complete', 'live')
    GROUP BY c.volume_id`);
  return rows.map((r) => ({ volumeId: r.volume_id, fromS: Number(r.from_s), toS: Number(r.last_s) + intervalS }));
}

/** Recompute the rollups of every coarsest-level period touching the ranges, in the caller's transaction. */
export async function refreshRollupsPg(
  c: pg.PoolClient,
  intervalS: number,
  ranges: readonly DirtyRange[],
): Promise<void> {
  const levels = rollupLevels(intervalS);
  if (levels.length === 0 || ranges.length === 0) return;
  const top = levels[levels.length - 1]!;
  // Each (volume, coarsest period) once, sorted: concurrent writers take the period locks in one order.
  const periods = new Map<string, { volumeId: number; topS: number }>();
  for (const range of ranges) {
    for (let topS = periodStartS(range.fromS, top); topS < range.toS; topS += top) {
      periods.set(`${range.volumeId}/${topS}`, { volumeId: range.volumeId, topS });
    }
  }
  const sorted = [...periods.values()].sort((a, b) => a.volumeId - b.volumeId || a.topS - b.topS);
  // Another writer's chunks of these periods become visible to us once its transaction ends:
  // waiting for its locks first keeps two concurrent recomputations from losing one's cells. One
  // statement takes them all, in the order of the arrays.
  await c.query('SELECT pg_advisory_xact_lock(v, p) FROM unnest($1::int[], $2::int[]) AS t(v, p)', [
    sorted.map((x) => x.volumeId),
    sorted.map((x) => Math.floor(x.topS / top)),
  ]);
  for (const { volumeId, topS } of sorted) {
    // The chunks' rollups and counts; their packed intervals only where cells must be merged.
    const read = async (withData: boolean): Promise<PeriodChunk[]> => {
      const { rows } = await c.query(
        `SELECT c.chunk_s, c.cells, c.writes, c.write_bytes, c.reads, c.read_bytes, c.changed_tracks, c.or_bitmap,
          c.counts${withData ? ', c.data' : ''} FROM churnlink_chunks c
          JOIN churnlink_runs r ON r.id = c.run_id
          WHERE r.status IN ('complete', 'live') AND c.volume_id = $1 AND c.chunk_s >= $2 AND c.chunk_s < $3`,
        [volumeId, chunkStartS(topS, intervalS), topS + top],
      );
      return rows.map((k) => ({
        chunkS: Number(k.chunk_s),
        cells: k.cells,
        writes: k.writes,
        writeBytes: k.write_bytes,
        reads: k.reads,
        readBytes: k.read_bytes,
        changedTracks: k.changed_tracks,
        orBitmap: new Uint8Array(k.or_bitmap),
        counts: k.counts === null ? null : new Uint8Array(k.counts),
        ...(withData ? { data: new Uint8Array(k.data) } : {}),
      }));
    };
    let chunks = await read(false);
    if (chunksNeedData(levels, intervalS, chunks)) chunks = await read(true);
    const rollups = rollupsOfChunks(levels, intervalS, topS, chunks);
    if (rollups.length === 0) {
      await c.query('DELETE FROM churnlink_rollups WHERE volume_id = $1 AND period_s >= $2 AND period_s < $3', [
        volumeId,
        topS,
        topS + top,
      ]);
      continue;
    }
    // One statement: the period's rollups upserted, and those it no longer has deleted (the
    // DELETE sees the rows as they were before the upsert and leaves the upserted ones alone).
    const int8 = (pick: (r: (typeof rollups)[number]) => number): Buffer => int8Array(rollups.map(pick));
    await c.query(
      `WITH put AS (
          INSERT INTO churnlink_rollups (volume_id, level_s, period_s, cells, writes, write_bytes, reads,
          read_bytes, changed_tracks, counts, or_bitmap)
          SELECT $1, l, p, n, w, wb, r, rb, ct, co, ob FROM unnest($2::int[], $3::bigint[], $4::int[], $5::bigint[],
            $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[], $10::bytea[], $11::bytea[])
            AS t(l, p, n, w, wb, r, rb, ct, co, ob)
          ON CONFLICT (volume_id, level_s, period_s) DO UPDATE SET cells = EXCLUDED.cells, writes = EXCLUDED.writes,
            write_bytes = EXCLUDED.write_bytes, reads = EXCLUDED.reads, read_bytes = EXCLUDED.read_bytes,
            changed_tracks = EXCLUDED.changed_tracks, counts = EXCLUDED.counts, or_bitmap = EXCLUDED.or_bitmap
          RETURNING level_s, period_s)
        DELETE FROM churnlink_rollups o WHERE o.volume_id = $1 AND o.period_s >= $12 AND o.period_s < $13
          AND NOT EXISTS (SELECT 1 FROM put WHERE put.level_s = o.level_s AND put.period_s = o.period_s)`,
      [
        volumeId,
        int4Array(rollups.map((r) => r.levelS)),
        int8((r) => r.periodS),
        int4Array(rollups.map((r) => r.cells)),
        int8((r) => r.writes),
        int8((r) => r.writeBytes),
        int8((r) => r.reads),
        int8((r) => r.readBytes),
        int8((r) => r.changedTracks),
        byteaArray(rollups.map((r) => r.counts)),
        byteaArray(rollups.map((r) => r.orBitmap)),
        topS,
        topS + top,
      ],
    );
  }
}

/**
 * One volume's rollups of `levelS` with periods in [fromS, toS), ascending, in pages of `pageRows`,
 * read through binary COPY (`copy`, postgres-copy.ts): the numbers are written into the SQL.
 */
export async function* readRollupsPg(
  copy: (select: string, columns: CopyColumns) => Promise<CopyField[][]>,
  volumeId: number,
  volume: string,
  levelS: number,
  fromS: number,
  toS: number,
  pageRows: number,
  withBitmaps = true,
): AsyncGenerator<StoredRollup[]> {
  for (let from = fromS; from < toS;) {
    const rows = await copy(
      `SELECT level_s, period_s, cells, writes, write_bytes, reads, read_bytes, changed_tracks,
      counts, ${withBitmaps ? 'or_bitmap' : "''::bytea AS or_bitmap"} FROM churnlink_rollups
      WHERE volume_id = ${sqlInteger(volumeId)} AND level_s = ${sqlInteger(levelS)}
        AND period_s >= ${sqlInteger(from)} AND period_s < ${sqlInteger(Math.ceil(toS))} ORDER BY period_s
      LIMIT ${sqlInteger(pageRows)}`,
      'iiiiiiiibb',
    );
    if (rows.length === 0) return;
    yield rows.map((r) => ({
      volume,
      levelS: r[0] as number,
      periodS: r[1] as number,
      cells: r[2] as number,
      writes: r[3] as number,
      writeBytes: r[4] as number,
      reads: r[5] as number,
      readBytes: r[6] as number,
      changedTracks: r[7] as number,
      counts: (r[8] as Uint8Array | null) ?? new Uint8Array(0),
      orBitmap: r[9] as Uint8Array,
    }));
    if (rows.length < pageRows) return;
    from = (rows[rows.length - 1]![1] as number) + 1;
  }
}
