import { unionBitmaps } from '../bitmap/union.js';
import { CHUNK_INTERVALS, COUNT_BYTES, countsOfChunk, unpackChunk } from './chunk.js';
import { mergeCounters } from './merge.js';
import type { ChunkRollup, IntervalRow } from './store.js';

/**
 * Coarse rollups kept by the store beside the chunks: one row per (volume, level, period) — UTC
 * hours and days — over every visible run (complete and live), holding the counters summed, the
 * OR of the bitmaps and the changed-track count of every merged cell inside (the per-interval
 * series reports summarize). Exact: a rollup is computed from the fine cells after runs sharing
 * a (volume, interval) are merged (tracks ORed, counters summed), and recomputed whenever the
 * visible cells of its period change (a live run's intervals, a run completed, replaced or
 * removed). An interval belongs to the period holding its start, whatever the interval length.
 */
export const ROLLUP_LEVELS_S = [3600, 86_400] as const;

/** Levels kept for a store's interval: those holding more than one interval. */
export function rollupLevels(intervalS: number): number[] {
  return ROLLUP_LEVELS_S.filter((levelS) => levelS > intervalS);
}

/** A volume's range of interval starts [fromS, toS) whose visible cells changed: its rollups are recomputed. */
export interface DirtyRange {
  volumeId: number;
  fromS: number;
  toS: number;
}

/** A period's rollup as stored. `counts`: per merged cell, u32 offset (s) from the period and f64 tracks. */
export interface RollupRecord extends ChunkRollup {
  levelS: number;
  periodS: number;
  counts: Uint8Array;
}

/** A stored rollup of one volume (reads). */
export interface StoredRollup extends RollupRecord {
  volume: string;
}

/** The per-cell changed-track counts of a rollup: calls `each(startS, tracks)` in start order. */
export function eachCount(
  r: { periodS: number; counts: Uint8Array },
  each: (startS: number, tracks: number) => void,
): void {
  const view = new DataView(r.counts.buffer, r.counts.byteOffset, r.counts.byteLength);
  for (let p = 0; p < r.counts.byteLength; p += COUNT_BYTES) {
    each(r.periodS + view.getUint32(p, true), view.getFloat64(p + 4, true));
  }
}

/** Start of the period of `levelS` holding `s` (UTC aligned). */
export function periodStartS(s: number, levelS: number): number {
  return Math.floor(s / levelS) * levelS;
}

/**
 * The rollup of one period from its merged cells (one per interval start, ascending, all inside
 * the period); null when there is none.
 */
export function rollupOfCells(levelS: number, periodS: number, cells: readonly IntervalRow[]): RollupRecord | null {
  if (cells.length === 0) return null;
  const counts = new Uint8Array(cells.length * COUNT_BYTES);
  const view = new DataView(counts.buffer);
  const r: RollupRecord = {
    levelS,
    periodS,
    cells: cells.length,
    writes: 0,
    writeBytes: 0,
    reads: 0,
    readBytes: 0,
    changedTracks: 0,
    orBitmap: new Uint8Array(0),
    counts,
  };
  cells.forEach((c, i) => {
    view.setUint32(i * COUNT_BYTES, c.startS - periodS, true);
    view.setFloat64(i * COUNT_BYTES + 4, c.changedTracks, true);
    r.writes += c.writes;
    r.writeBytes += c.writeBytes;
    r.reads += c.reads;
    r.readBytes += c.readBytes;
  });
  const { bitmap, cardinality } =
    cells.length === 1
      ? { bitmap: cells[0]!.bitmap, cardinality: cells[0]!.changedTracks }
      : unionBitmaps(cells.map((c) => c.bitmap));
  r.orBitmap = bitmap;
  r.changedTracks = cardinality;
  return r;
}

/** The rollup of a coarser period from the rollups of the finer periods it holds (ascending). */
export function rollupOfRollups(levelS: number, periodS: number, parts: readonly RollupRecord[]): RollupRecord | null {
  if (parts.length === 0) return null;
  let bytes = 0;
  for (const p of parts) bytes += p.counts.byteLength;
  const counts = new Uint8Array(bytes);
  const view = new DataView(counts.buffer);
  const r: RollupRecord = {
    levelS,
    periodS,
    cells: 0,
    writes: 0,
    writeBytes: 0,
    reads: 0,
    readBytes: 0,
    changedTracks: 0,
    orBitmap: new Uint8Array(0),
    counts,
  };
  let at = 0;
  for (const p of parts) {
    counts.set(p.counts, at);
    for (let q = at; q < at + p.counts.byteLength; q += COUNT_BYTES) {
      view.setUint32(q, view.getUint32(q, true) + p.periodS - periodS, true);
    }
    at += p.counts.byteLength;
    r.cells += p.cells;
    r.writes += p.writes;
    r.writeBytes += p.writeBytes;
    r.reads += p.reads;
    r.readBytes += p.readBytes;
  }
  const { bitmap, cardinality } =
    parts.length === 1
      ? { bitmap: parts[0]!.orBitmap, cardinality: parts[0]!.changedTracks }
      : unionBitmaps(parts.map((p) => p.orBitmap));
  r.orBitmap = bitmap;
  r.changedTracks = cardinality;
  return r;
}

/**
 * Merge the intervals of every visible run's chunks of one volume (any order) into cells, one per
 * start, ascending: two runs holding the same interval are merged like reports merge them.
 */
export function mergedCells(rows: IntervalRow[]): IntervalRow[] {
  rows.sort((a, b) => a.startS - b.startS);
  const out: IntervalRow[] = [];
  for (const row of rows) {
    const last = out[out.length - 1];
    if (last !== undefined && last.startS === row.startS) out[out.length - 1] = mergeCounters(last, row);
    else out.push(row);
  }
  return out;
}

/**
 * Every level's rollups of one volume for one period of the coarsest level, from its
 * merged cells there (ascending): the finest level from the cells, each coarser one from the
 * level below. Only periods holding cells get a rollup.
 */
export function rollupsOfTopPeriod(levelsS: readonly number[], cells: readonly IntervalRow[]): RollupRecord[] {
  if (levelsS.length === 0 || cells.length === 0) return [];
  const fine = levelsS[0]!;
  const finest: RollupRecord[] = [];
  for (let i = 0; i < cells.length;) {
    const p = periodStartS(cells[i]!.startS, fine);
    let j = i;
    while (j < cells.length && cells[j]!.startS < p + fine) j++;
    finest.push(rollupOfCells(fine, p, cells.slice(i, j))!);
    i = j;
  }
  return withCoarserLevels(levelsS, finest);
}

/**
 * A visible run's chunk inside a coarsest-level period, as the rollups read it: its rollup, its
 * per-interval counts (null in chunks stored before chunks kept them) and, when asked for
 * (`chunksNeedData`), its packed intervals.
 */
export interface PeriodChunk extends ChunkRollup {
  chunkS: number;
  counts: Uint8Array | null;
  data?: Uint8Array;
}

/**
 * Whether `rollupsOfChunks` needs the packed intervals of these chunks (one coarsest-level period
 * of one volume): when a chunk spans several finest-level periods, two runs hold the same chunk
 * (cells to merge), or a chunk has no stored counts. Otherwise the chunks' rollups and counts suffice.
 */
export function chunksNeedData(levelsS: readonly number[], intervalS: number, chunks: readonly PeriodChunk[]): boolean {
  if (levelsS.length === 0) return false;
  if (levelsS[0]! % (CHUNK_INTERVALS * intervalS) !== 0) return true;
  const starts = new Set<number>();
  for (const c of chunks) {
    if (c.counts === null || starts.has(c.chunkS)) return true;
    starts.add(c.chunkS);
  }
  return false;
}

/**
 * Every level's rollups of one volume for the coarsest-level period at `topS`, from the visible
 * chunks there (any order, any run). When a chunk lies inside one finest-level period (60 intervals
 * of at most 1 min tile an hour) and no other run has a chunk at the same start, the chunk's
 * stored rollup (the OR and counters of its intervals) and counts are that hour's share as they
 * stand: the hour is the OR of those rollups, with no bitmap decoded. An hour where two runs hold
 * the same chunk (cells to merge), or any chunk spanning several hours, is computed from its
 * merged cells (the chunks' `data` must then be present: `chunksNeedData`).
 */
export function rollupsOfChunks(
  levelsS: readonly number[],
  intervalS: number,
  topS: number,
  chunks: readonly PeriodChunk[],
): RollupRecord[] {
  if (levelsS.length === 0 || chunks.length === 0) return [];
  const fine = levelsS[0]!;
  const top = levelsS[levelsS.length - 1]!;
  const spanS = CHUNK_INTERVALS * intervalS;
  if (fine % spanS !== 0) {
    const rows = chunks.flatMap((c) => unpackChunk('', c.chunkS, dataOf(c), topS, topS + top, false));
    return rollupsOfTopPeriod(levelsS, mergedCells(rows));
  }
  const sorted = [...chunks].sort((a, b) => a.chunkS - b.chunkS);
  const finest: RollupRecord[] = [];
  for (let i = 0; i < sorted.length;) {
    const p = periodStartS(sorted[i]!.chunkS, fine);
    let j = i;
    let shared = false;
    for (; j < sorted.length && sorted[j]!.chunkS < p + fine; j++) {
      shared ||= j > i && sorted[j]!.chunkS === sorted[j - 1]!.chunkS;
    }
    const group = sorted.slice(i, j);
    finest.push(
      shared
        ? rollupOfCells(
            fine,
            p,
            mergedCells(group.flatMap((c) => unpackChunk('', c.chunkS, dataOf(c), p, p + fine, false))),
          )!
        : rollupOfRollups(
            fine,
            p,
            group.map((c) => chunkAsRollup(spanS, c)),
          )!,
    );
    i = j;
  }
  return withCoarserLevels(levelsS, finest);
}

function dataOf(c: PeriodChunk): Uint8Array {
  if (c.data === undefined) throw new Error(`chunk at ${c.chunkS}: its intervals were not read (chunksNeedData)`);
  return c.data;
}

/** A chunk's stored rollup as a rollup of its own span, with its per-cell counts. */
function chunkAsRollup(spanS: number, c: PeriodChunk): RollupRecord {
  const counts = c.counts ?? countsOfChunk(dataOf(c));
  if (counts.byteLength !== c.cells * COUNT_BYTES) {
    throw new Error(`chunk at ${c.chunkS}: ${counts.byteLength / COUNT_BYTES} intervals counted, ${c.cells} held`);
  }
  return {
    levelS: spanS,
    periodS: c.chunkS,
    cells: c.cells,
    writes: c.writes,
    writeBytes: c.writeBytes,
    reads: c.reads,
    readBytes: c.readBytes,
    changedTracks: c.changedTracks,
    orBitmap: c.orBitmap,
    counts,
  };
}

/** The finest level's rollups (ascending) followed by each coarser level's, built from the level below. */
function withCoarserLevels(levelsS: readonly number[], finest: RollupRecord[]): RollupRecord[] {
  const out = [...finest];
  let below = finest;
  for (const levelS of levelsS.slice(1)) {
    const next: RollupRecord[] = [];
    for (let i = 0; i < below.length;) {
      const p = periodStartS(below[i]!.periodS, levelS);
      let j = i;
      while (j < below.length && below[j]!.periodS < p + levelS) j++;
      next.push(rollupOfRollups(levelS, p, below.slice(i, j))!);
      i = j;
    }
    out.push(...next);
    below = next;
  }
  return out;
}
