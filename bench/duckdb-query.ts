import { DuckDBInstance } from '@duckdb/node-api';

/** One (volume, interval) as both churnlink and DuckDB report it. */
export interface ExactRow {
  volume: string;
  startS: number;
  writes: number;
  writeBytes: number;
  changedTracks: number;
}

/** The write records of a trace as a DuckDB relation: volume, start_s, size, t0, t1 (tracks). */
function writesSql(path: string, kind: string, intervalS: number, trackBytes: number): string {
  if (kind === 'msr') {
    return `SELECT host || '_' || disk AS volume,
        CAST(((ts // 10000000) - 11644473600) // ${intervalS} * ${intervalS} AS BIGINT) AS start_s,
        size, off // ${trackBytes} AS t0, (off + size - 1) // ${trackBytes} AS t1
      FROM read_csv('${path}', header = false, delim = ',', columns = {'ts': 'HUGEINT', 'host': 'VARCHAR', 'disk': 'VARCHAR', 'type': 'VARCHAR', 'off': 'BIGINT', 'size': 'BIGINT', 'rt': 'BIGINT'})
      WHERE type = 'Write'`;
  }
  return `SELECT CAST(device AS VARCHAR) AS volume, ts // ${intervalS * 1e6} * ${intervalS} AS start_s,
      size, off // ${trackBytes} AS t0, (off + size - 1) // ${trackBytes} AS t1
    FROM read_csv('${path}', header = false, delim = ',', columns = {'device': 'BIGINT', 'op': 'VARCHAR', 'off': 'BIGINT', 'size': 'BIGINT', 'ts': 'BIGINT'})
    WHERE op = 'W'`;
}

/**
 * DuckDB's exact answer: per (volume, interval) the write count, written bytes and the number of
 * distinct tracks written (each write expanded to every track it touches, then COUNT DISTINCT).
 */
export async function duckdbQuery(
  path: string,
  kind: string,
  threads: number,
  intervalS: number,
  trackBytes: number,
): Promise<ExactRow[]> {
  const db = await DuckDBInstance.create(':memory:', { threads: String(threads) });
  const connection = await db.connect();
  const sql = `
    WITH w AS (${writesSql(path, kind, intervalS, trackBytes)}),
    counts AS (SELECT volume, start_s, count(*) AS writes, sum(size) AS write_bytes FROM w GROUP BY ALL),
    tracks AS (
      SELECT volume, start_s, count(DISTINCT track) AS changed_tracks
      FROM (SELECT volume, start_s, unnest(range(t0, t1 + 1)) AS track FROM w WHERE size > 0) GROUP BY ALL
    )
    SELECT c.volume, c.start_s, c.writes, c.write_bytes, coalesce(t.changed_tracks, 0) AS changed_tracks
    FROM counts c LEFT JOIN tracks t USING (volume, start_s) ORDER BY c.start_s, c.volume`;
  const reader = await connection.runAndReadAll(sql);
  const rows = reader.getRowObjects().map((r) => ({
    volume: String(r.volume),
    startS: Number(r.start_s),
    writes: Number(r.writes),
    writeBytes: Number(r.write_bytes),
    changedTracks: Number(r.changed_tracks),
  }));
  connection.closeSync();
  return rows;
}
