import { mergeCounters } from '../store/merge.js';
import type { StoredRollup } from '../store/rollup.js';
import type { IntervalCounts, IntervalRow, RawChunk, Store, StoredChunk, VolumeSpan } from '../store/store.js';

/** One (volume, interval) after merging every run's row for it. */
export type Cell = IntervalCounts;

/** A cell with its place: volume and interval start (s). */
export interface PlacedCell extends Cell {
  volume: string;
  startS: number;
}

/** volume → interval start (s) → cell: an in-memory collection (tests, small library uses). */
export type CellMap = Map<string, Map<number, Cell>>;

/**
 * Where reports read cells from, in bounded pieces: the volumes with cells in a window, and the
 * cells themselves page by page — of one volume, or of all selected volumes in time order. Two
 * runs holding the same (volume, interval) are merged exactly (tracks ORed, counters summed);
 * a cell never straddles two pages.
 */
export interface CellSource {
  /** Selected volumes with cells in [fromS, toS), by name, with their first and last start. */
  spans(fromS: number | null, toS: number | null): Promise<VolumeSpan[]>;
  /** Cells of `volumes` in [fromS, toS), ascending by start, in pages; empty write profiles unless asked. */
  cells(volumes: readonly string[], fromS: number, toS: number, withProfiles?: boolean): AsyncIterable<PlacedCell[]>;
  /**
   * One volume's chunks holding starts in [fromS, toS), packed as stored, by chunk start then run
   * (absent: read `cells`). Intervals outside the window are the reader's to skip.
   */
  chunkData?(volume: string, fromS: number, toS: number): AsyncIterable<RawChunk[]>;
  /**
   * Where another thread may open the same store read-only (a SQLite file) to read `chunkData`
   * beside this one; absent: only this connection reads.
   */
  workerLocation?: string;
  /** One volume's stored chunks with their rollups in [fromS, toS), by chunk start then run. */
  chunks(volume: string, fromS: number, toS: number, withProfiles?: boolean): AsyncIterable<StoredChunk[]>;
  /** The rollup levels (s, finest first) `rollups` answers; none (or absent): fine cells only. */
  rollupLevelsS?: readonly number[];
  /**
   * One volume's rollups of `levelS` (store/rollup.ts) with periods starting in [fromS, toS),
   * ascending, in pages: each exactly the merge of the period's cells; `withBitmaps` false leaves
   * the ORs out (empty), for a caller that needs only the counts.
   */
  rollups?(
    volume: string,
    levelS: number,
    fromS: number,
    toS: number,
    withBitmaps?: boolean,
  ): AsyncIterable<StoredRollup[]>;
}

/** Merge adjacent rows of the same (volume, interval) of one page, as they come from a scan. */
export function cellsOfPage(rows: readonly IntervalRow[]): PlacedCell[] {
  const out: PlacedCell[] = [];
  for (const row of rows) {
    const last = out[out.length - 1];
    const cell: PlacedCell = {
      volume: row.volume,
      startS: row.startS,
      writes: row.writes,
      writeBytes: row.writeBytes,
      reads: row.reads,
      readBytes: row.readBytes,
      changedTracks: row.changedTracks,
      bitmap: row.bitmap,
      writeProfile: row.writeProfile,
    };
    const same = last !== undefined && last.volume === row.volume && last.startS === row.startS;
    if (same) out[out.length - 1] = mergeCounters(last, cell);
    else out.push(cell);
  }
  return out;
}

/** The cells of a store, restricted to the volumes `includeVolume` accepts. */
export async function storeCellSource(store: Store, includeVolume: (volume: string) => boolean): Promise<CellSource> {
  const all = (await store.listVolumes()).map((v) => v.name);
  const selected = all.filter(includeVolume);
  const volumes = selected.length === all.length ? undefined : selected;
  return {
    rollupLevelsS: await store.rollupLevels(),
    rollups: (volume, levelS, fromS, toS, withBitmaps = true) =>
      store.scanRollups({ volume, levelS, fromS, toS, withoutBitmaps: !withBitmaps }),
    spans: (fromS, toS) => store.volumeSpans({ fromS: fromS ?? undefined, toS: toS ?? undefined, volumes }),
    async *cells(names, fromS, toS, withProfiles = false) {
      const scan = { fromS, toS, volumes: names, withoutProfiles: !withProfiles };
      for await (const rows of store.scanIntervals(scan)) yield cellsOfPage(rows);
    },
    chunkData: store.scanChunkData === undefined ? undefined : (v, fromS, toS) => store.scanChunkData!(v, fromS, toS),
    workerLocation: workerLocationOf(store),
    chunks: (volume, fromS, toS, withProfiles = false) =>
      store.scanChunks({ fromS, toS, volumes: [volume], withoutProfiles: !withProfiles }),
  };
}

/** A SQLite store's file, for a worker's own connection (not an in-memory database nor a PostgreSQL URL). */
function workerLocationOf(store: Store): string | undefined {
  const location = store.location;
  if (store.scanChunkData === undefined || /^postgres(ql)?:\/\//i.test(location)) return undefined;
  return location === '' || location.startsWith(':memory:') || location.startsWith('file:') ? undefined : location;
}

/** Index stored rows by volume and interval, merging rows of the same cell. */
export function cellsFromRows(rows: readonly IntervalRow[], includeVolume: (volume: string) => boolean): CellMap {
  const cells: CellMap = new Map();
  for (const row of rows) {
    if (!includeVolume(row.volume)) continue;
    let byStart = cells.get(row.volume);
    if (byStart === undefined) cells.set(row.volume, (byStart = new Map()));
    const seen = byStart.get(row.startS);
    const cell: Cell = {
      writes: row.writes,
      writeBytes: row.writeBytes,
      reads: row.reads,
      readBytes: row.readBytes,
      changedTracks: row.changedTracks,
      bitmap: row.bitmap,
      writeProfile: row.writeProfile,
    };
    byStart.set(row.startS, seen === undefined ? cell : mergeCounters(seen, cell));
  }
  return cells;
}

/** An in-memory collection as a cell source (tests, small library uses). */
export function memoryCellSource(cells: CellMap): CellSource {
  return {
    async spans(fromS, toS) {
      const out: VolumeSpan[] = [];
      for (const [volume, byStart] of cells) {
        let firstS = Infinity;
        let lastS = -Infinity;
        for (const s of byStart.keys()) {
          if ((fromS !== null && s < fromS) || (toS !== null && s >= toS)) continue;
          firstS = Math.min(firstS, s);
          lastS = Math.max(lastS, s);
        }
        if (firstS !== Infinity) out.push({ volume, firstS, lastS });
      }
      return out.sort((a, b) => (a.volume < b.volume ? -1 : a.volume > b.volume ? 1 : 0));
    },
    async *cells(names, fromS, toS) {
      const out: PlacedCell[] = [];
      for (const volume of names) {
        for (const [startS, cell] of cells.get(volume) ?? []) {
          if (startS >= fromS && startS < toS) out.push({ ...cell, volume, startS });
        }
      }
      yield out.sort((a, b) => a.startS - b.startS);
    },
    async *chunks(volume, fromS, toS) {
      // No rollups in memory: one single-interval chunk per cell.
      const out: StoredChunk[] = [];
      for (const [startS, cell] of [...(cells.get(volume) ?? [])].sort((a, b) => a[0] - b[0])) {
        if (startS < fromS || startS >= toS) continue;
        const intervals = [{ ...cell, volume, startS }];
        out.push({ ...cell, volume, runId: 0, chunkS: startS, cells: 1, orBitmap: cell.bitmap, intervals });
      }
      yield out;
    },
  };
}

/** The window the spans cover: [first start, last start + one interval). */
export function spanWindow(spans: readonly VolumeSpan[], intervalS: number): { fromS: number; toS: number } | null {
  if (spans.length === 0) return null;
  let fromS = Infinity;
  let toS = -Infinity;
  for (const s of spans) {
    fromS = Math.min(fromS, s.firstS);
    toS = Math.max(toS, s.lastS + intervalS);
  }
  return { fromS, toS };
}
