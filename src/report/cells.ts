import { mergeCounters } from '../store/merge.js';
import type { IntervalCounts, IntervalRow } from '../store/store.js';

/** One (volume, interval) after merging every run's row for it. */
export type Cell = IntervalCounts;

/** volume → interval start (s) → cell. */
export type CellMap = Map<string, Map<number, Cell>>;

/**
 * Index stored rows by volume and interval. Two runs holding the same (volume, interval)
 * (several trace files of one volume) are merged exactly: tracks ORed, counters summed.
 */
export function cellsFromRows(rows: readonly IntervalRow[], includeVolume: (volume: string) => boolean): CellMap {
  const cells: CellMap = new Map();
  for (const row of rows) {
    if (!includeVolume(row.volume)) continue;
    let byStart = cells.get(row.volume);
    if (byStart === undefined) cells.set(row.volume, (byStart = new Map()));
    const seen = byStart.get(row.startS);
    if (seen === undefined) {
      byStart.set(row.startS, { writes: row.writes, writeBytes: row.writeBytes, reads: row.reads, readBytes: row.readBytes, changedTracks: row.changedTracks, bitmap: row.bitmap, writeProfile: row.writeProfile });
      continue;
    }
    byStart.set(row.startS, mergeCounters(seen, row));
  }
  return cells;
}

/** First and last interval start present, or null when there are no cells. */
export function cellSpan(cells: CellMap): { firstS: number; lastS: number } | null {
  let firstS = Infinity;
  let lastS = -Infinity;
  for (const byStart of cells.values()) {
    for (const s of byStart.keys()) {
      if (s < firstS) firstS = s;
      if (s > lastS) lastS = s;
    }
  }
  return firstS === Infinity ? null : { firstS, lastS };
}
