import { CHUNK_INTERVALS, forEachPackedBitmap, unpackChunk } from '../store/chunk.js';
import type { RawChunk, StoredChunk, VolumeSpan } from '../store/store.js';
import { cellsOfPage, type CellSource, type PlacedCell } from './cells.js';
import type { ModelSums, SpanSums } from './model-sums.js';
import { tileWindow } from './tiling.js';

/** The window and interval a volume is summed over. */
export interface VolumeWindow {
  intervalS: number;
  firstS: number;
  endS: number; // exclusive
}

/**
 * Add one volume's share of the models to `sums`: every fine cell's written bytes and write
 * profile, decoded straight from the packed chunks (no object per cell); the cycle and period
 * folds that the store's hour or day rollups tile read those (fine cells only at the window's
 * edges, a lone rollup's stored count without its OR), the others take the fine cells' counts and
 * bitmaps in the same pass (ORed only where a volume has two cells in one span).
 */
export async function sumVolume(
  source: CellSource,
  span: VolumeSpan,
  window: VolumeWindow,
  sums: ModelSums,
): Promise<void> {
  const { intervalS, firstS, endS } = window;
  const levels = source.rollups === undefined ? [] : (source.rollupLevelsS ?? []);
  // Spans of one chunk take a whole chunk's stored count, read with its packed intervals.
  const counted =
    source.chunkData === undefined ? [] : sums.spans.filter((f) => f.spanS === CHUNK_INTERVALS * intervalS);
  const rest = sums.spans.filter((f) => !counted.includes(f));
  const tiled = rest.filter((f) => levels.some((l) => f.spanS % l === 0));
  const untiled = rest.filter((f) => !tiled.includes(f));
  await sumFineCells(source, span.volume, firstS, endS, { untiled, counted }, sums);
  for (const fold of [...untiled, ...counted]) fold.close();
  const fromS = Math.max(firstS, span.firstS);
  const toS = Math.min(endS, span.lastS + intervalS);
  for (const fold of tiled) {
    for (const tile of tileWindow(fromS, toS, fold.spanS, levels)) {
      if (tile.levelS === 0) await foldChunks(source, span.volume, tile.fromS, tile.toS, fold);
      else {
        // A period that is a whole span is alone in it: its stored count, no OR.
        const alone = tile.levelS === fold.spanS;
        for await (const page of source.rollups!(span.volume, tile.levelS, tile.fromS, tile.toS, !alone)) {
          for (const r of page) fold.add(r.periodS, r.changedTracks, r.orBitmap, 0, r.orBitmap.byteLength);
        }
      }
    }
    fold.close();
  }
}

/** The folds that take fine cells: `untiled` every cell, `counted` (spans of one chunk) a whole chunk's count. */
interface FineFolds {
  untiled: readonly SpanSums[];
  counted: readonly SpanSums[];
}

/** Every fine cell of the volume in [fromS, toS): profile and written bytes into `sums`, counts into the folds. */
async function sumFineCells(
  source: CellSource,
  volume: string,
  fromS: number,
  toS: number,
  { untiled, counted }: FineFolds,
  sums: ModelSums,
): Promise<void> {
  const folds = [...untiled, ...counted];
  if (source.chunkData === undefined) {
    for await (const page of source.cells([volume], fromS, toS, true)) for (const c of page) addCell(c, folds, sums);
    return;
  }
  let group: RawChunk[] = [];
  const flush = (): void => {
    const only = group.length === 1 ? group[0]! : null;
    if (only !== null) {
      // One run's chunk wholly inside the window: alone in its span of one chunk, its stored count.
      const { changedTracks, firstS, lastS } = only;
      const whole = changedTracks !== undefined && firstS! >= fromS && lastS! < toS && counted.length > 0;
      if (whole) for (const fold of counted) fold.add(only.chunkS, changedTracks, only.data, 0, 0);
      addPackedChunk(only.chunkS, only.data, fromS, toS, whole ? untiled : folds, sums);
    } else if (group.length > 1) {
      // Several runs hold this chunk: their intervals merged by start (a stable sort keeps run order).
      const rows = group.flatMap((c) => unpackChunk(volume, c.chunkS, c.data, fromS, toS, true));
      rows.sort((a, b) => a.startS - b.startS);
      for (const c of cellsOfPage(rows)) addCell(c, folds, sums);
    }
    group = [];
  };
  for await (const page of source.chunkData(volume, fromS, toS)) {
    for (const c of page) {
      if (group.length > 0 && group[0]!.chunkS !== c.chunkS) flush();
      group.push(c);
    }
  }
  flush();
}

function addCell(c: PlacedCell, folds: readonly SpanSums[], sums: ModelSums): void {
  for (let f = 0; f < folds.length; f++) folds[f]!.add(c.startS, c.changedTracks, c.bitmap, 0, c.bitmap.byteLength);
  sums.addWritten(c.writeBytes);
  const p = c.writeProfile;
  sums.addProfile(new DataView(p.buffer, p.byteOffset, p.byteLength), 0, p.byteLength, c.startS);
}

/**
 * The intervals of one packed chunk (store/chunk.ts) with starts in [fromS, toS), read in place:
 * one DataView for the chunk, the bitmaps handed on by offset (looked at only to be ORed).
 */
function addPackedChunk(
  chunkS: number,
  data: Uint8Array,
  fromS: number,
  toS: number,
  folds: readonly SpanSums[],
  sums: ModelSums,
): void {
  forEachPackedBitmap(
    chunkS,
    data,
    fromS,
    toS,
    (startS, tracks, writeBytes, view, at, length, profileAt, profileLength) => {
      for (let f = 0; f < folds.length; f++) folds[f]!.add(startS, tracks, data, at, length);
      sums.addWritten(writeBytes);
      sums.addProfile(view, profileAt, profileLength, startS);
    },
  );
}

/**
 * The chunks of [fromS, toS) into one fold (a tiled fold's edges): a chunk of one run lying in one
 * span gives its stored rollup, other chunks their cells (merged across runs).
 */
async function foldChunks(
  source: CellSource,
  volume: string,
  fromS: number,
  toS: number,
  fold: SpanSums,
): Promise<void> {
  let group: StoredChunk[] = [];
  const flush = (): void => {
    const only = group.length === 1 ? group[0]! : null;
    const whole = only !== null && only.intervals.length === only.cells && only.cells > 1;
    if (whole && fold.indexOf(only.intervals[0]!.startS) === fold.indexOf(only.intervals.at(-1)!.startS)) {
      fold.add(only.intervals[0]!.startS, only.changedTracks, only.orBitmap, 0, only.orBitmap.byteLength);
    } else {
      const rows = group.flatMap((c) => c.intervals).sort((a, b) => a.startS - b.startS);
      for (const c of cellsOfPage(rows)) fold.add(c.startS, c.changedTracks, c.bitmap, 0, c.bitmap.byteLength);
    }
    group = [];
  };
  for await (const page of source.chunks(volume, fromS, toS, false)) {
    for (const chunk of page) {
      if (group.length > 0 && group[0]!.chunkS !== chunk.chunkS) flush();
      group.push(chunk);
    }
  }
  if (group.length > 0) flush();
}
