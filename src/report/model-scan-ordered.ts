import type { StoredChunk, VolumeSpan } from '../store/store.js';
import { cellsOfPage, type CellSource, type PlacedCell } from './cells.js';
import { checkModelOptions, modelRows, slidingSummary, type ModelOptions, type ModelRow } from './models.js';
import { summarizeSparse, type SeriesSummary } from './percentile.js';
import type { WriteProfile } from './timeline.js';
import { tileWindow } from './tiling.js';
import { eachVolumeCell } from './volume-cells.js';
import { CHUNK_INTERVALS } from '../store/chunk.js';
import { TrackUnion } from './track-union.js';

/** Changed bytes per epoch-aligned span, folded volume by volume; only spans with data are kept. */
class SpanFold {
  readonly perSpan = new Map<number, number>();
  readonly #union = new TrackUnion();
  #index = -1;
  #cells = 0;
  #first: Uint8Array | null = null;
  #firstTracks = 0;

  constructor(
    readonly spanS: number,
    readonly alignedS: number,
    readonly trackBytes: number,
  ) {}

  indexOf(s: number): number {
    return Math.floor((s - this.alignedS) / this.spanS);
  }

  #at(index: number): void {
    if (index === this.#index) return;
    this.close();
    this.#index = index;
  }

  addCell(cell: PlacedCell): void {
    this.addRollup(cell.startS, cell.bitmap, cell.changedTracks);
  }

  /**
   * A cell, a whole chunk of one run, or a stored hour or day, inside one span: its bitmap (or
   * OR) and count. A lone part's count is stored: the OR starts once a second part comes.
   */
  addRollup(startS: number, orBitmap: Uint8Array, tracks: number): void {
    this.#at(this.indexOf(startS));
    if (++this.#cells === 1) {
      this.#first = orBitmap;
      this.#firstTracks = tracks;
      return;
    }
    if (this.#cells === 2) this.#union.add(this.#first!);
    this.#union.add(orBitmap);
  }

  close(): void {
    if (this.#index >= 0 && this.#cells > 0) {
      const tracks = this.#cells === 1 ? this.#firstTracks : this.#union.count();
      this.perSpan.set(this.#index, (this.perSpan.get(this.#index) ?? 0) + tracks * this.trackBytes);
    }
    this.#union.clear();
    this.#index = -1;
    this.#cells = 0;
    this.#first = null;
  }
}

/** Longest window (s) whose per-second sums are kept in arrays (9 bytes per second): 62 days, 46 MiB. */
export const DENSE_PROFILE_MAX_S = 62 * 86_400;

/**
 * The write profiles summed per second, in the order the cells come (so sums are the same
 * floating-point sums as a sort by second would give): one entry per distinct written second.
 * Within `DENSE_PROFILE_MAX_S` the sums are kept in an array by second of the window (9 bytes a
 * second, no hashing: the profile's per-second work is most of what the models cost); longer
 * windows in a map of the written seconds.
 */
class ProfilePairs {
  readonly #bytes = new Map<number, number>();
  readonly #dense: Float64Array | null;
  readonly #written: Uint8Array | null;

  constructor(
    readonly firstS: number,
    readonly endS: number,
  ) {
    const spanS = endS - firstS;
    this.#dense = spanS >= 0 && spanS <= DENSE_PROFILE_MAX_S ? new Float64Array(spanS) : null;
    this.#written = this.#dense === null ? null : new Uint8Array(spanS);
  }

  add(startS: number, blob: Uint8Array): void {
    const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
    const count = blob.byteLength >= 4 ? view.getUint32(0, true) : 0;
    const dense = this.#dense;
    const written = this.#written;
    for (let i = 0, p = 4; i < count; i++, p += 12) {
      const s = startS + view.getUint32(p, true);
      const b = view.getFloat64(p + 4, true);
      const k = s - this.firstS;
      if (dense !== null && k >= 0 && k < dense.length) {
        if (written![k] === 0) {
          written![k] = 1;
          dense[k] = b;
        } else dense[k] = dense[k]! + b;
        continue;
      }
      const before = this.#bytes.get(s);
      this.#bytes.set(s, before === undefined ? b : before + b);
    }
  }

  /** Summed per second, ascending, seconds before `endS` only. */
  profile(endS: number): WriteProfile {
    const sparse = Float64Array.from(this.#bytes.keys())
      .filter((s) => s < endS)
      .sort();
    const written = this.#written;
    let n = sparse.length;
    if (written !== null) for (let k = 0; k < Math.min(written.length, endS - this.firstS); k++) n += written[k]!;
    const seconds = new Float64Array(n);
    const bytes = new Float64Array(n);
    let i = 0;
    const fromMap = (upToS: number): void => {
      for (; i < n && j < sparse.length && sparse[j]! < upToS; j++, i++) {
        seconds[i] = sparse[j]!;
        bytes[i] = this.#bytes.get(sparse[j]!)!;
      }
    };
    let j = 0;
    fromMap(this.firstS);
    if (written !== null) {
      for (let k = 0; k < written.length && this.firstS + k < endS; k++) {
        if (written[k] === 0) continue;
        seconds[i] = this.firstS + k;
        bytes[i++] = this.#dense![k]!;
      }
    }
    fromMap(Infinity);
    return { seconds, bytes };
  }
}

/** What `scanModels` reads: the store's interval and track, the window [fromS, toS), the models' options. */
export interface ScanModelsRequest extends ModelOptions {
  intervalS: number;
  trackBytes: number;
  fromS: number;
  toS: number; // exclusive
}

/**
 * The replication models of `compareModels`, read from a cell source volume by volume instead of a
 * timeline, adding bytes in the order the cells come (the same floating-point sums for any bytes):
 * memory holds one volume's OR per model, one figure per span with data and the write profile's
 * non-zero seconds — never the cells. Whole chunks of one run inside a span are ORed from their
 * stored rollup, and spans of whole hours or days from the store's hour and day rollups. The path
 * `scanModels` (model-scan.ts) takes when the sums are not exact integers, or the window too long.
 */
export async function scanModelsInOrder(
  source: CellSource,
  volumes: readonly VolumeSpan[],
  options: ScanModelsRequest,
): Promise<ModelRow[]> {
  const { intervalS, trackBytes, fromS, toS } = options;
  checkModelOptions(intervalS, options);
  const firstS = Math.floor(fromS / intervalS) * intervalS;
  const endS = Math.ceil(toS / intervalS) * intervalS;
  const folds = [options.cycleS, options.periodS].map(
    (spanS) => new SpanFold(spanS, Math.floor(firstS / spanS) * spanS, trackBytes),
  );
  const pairs = new ProfilePairs(firstS, endS);
  let writtenBytes = 0;
  // A fold whose spans hold whole hours or days reads the stored rollups, fine cells only at the
  // window's edges (tileWindow); the others OR the fine cells read for the write profile anyway.
  const levels = source.rollups === undefined ? [] : (source.rollupLevelsS ?? []);
  const tiled = folds.filter((f) => levels.some((l) => f.spanS % l === 0));
  const untiled = folds.filter((f) => !tiled.includes(f));
  for (const { volume, firstS: volumeFirstS, lastS } of volumes) {
    const feedChunks = async (
      folding: SpanFold[],
      fromS: number,
      toS: number,
      withProfiles: boolean,
    ): Promise<void> => {
      let group: StoredChunk[] = [];
      const flush = (): void => {
        const only = group.length === 1 ? group[0]! : null;
        const whole = only !== null && only.intervals.length === only.cells && only.cells > 1;
        for (const fold of folding) {
          if (whole && fold.indexOf(only.intervals[0]!.startS) === fold.indexOf(only.intervals.at(-1)!.startS)) {
            fold.addRollup(only.intervals[0]!.startS, only.orBitmap, only.changedTracks);
            continue;
          }
          const rows = group.flatMap((c) => c.intervals).sort((a, b) => a.startS - b.startS);
          for (const cell of cellsOfPage(rows)) fold.addCell(cell);
        }
        if (withProfiles) {
          for (const chunk of group)
            for (const r of chunk.intervals) {
              pairs.add(r.startS, r.writeProfile);
              writtenBytes += r.writeBytes;
            }
        }
        group = [];
      };
      for await (const page of source.chunks(volume, fromS, toS, withProfiles)) {
        for (const chunk of page) {
          if (group.length > 0 && group[0]!.chunkS !== chunk.chunkS) flush();
          group.push(chunk);
        }
      }
      if (group.length > 0) flush();
    };
    // Spans shorter than a chunk never take its stored OR: the cells are decoded in place.
    const chunkSpanS = CHUNK_INTERVALS * intervalS;
    if (source.chunkData !== undefined && untiled.every((f) => f.spanS < chunkSpanS)) {
      await eachVolumeCell(
        source,
        volume,
        firstS,
        endS,
        (startS, tracks, writeBytes, bitmap, writeProfile) => {
          for (const fold of untiled) fold.addRollup(startS, bitmap, tracks);
          pairs.add(startS, writeProfile);
          writtenBytes += writeBytes;
        },
        true,
      );
    } else await feedChunks(untiled, firstS, endS, true);
    const fromS = Math.max(firstS, volumeFirstS);
    const toS = Math.min(endS, lastS + intervalS);
    for (const fold of tiled) {
      for (const tile of tileWindow(fromS, toS, fold.spanS, levels)) {
        if (tile.levelS === 0) await feedChunks([fold], tile.fromS, tile.toS, false);
        else {
          // A period that is a whole span is alone in it: its stored count, no OR.
          const alone = tile.levelS === fold.spanS;
          for await (const page of source.rollups!(volume, tile.levelS, tile.fromS, tile.toS, !alone)) {
            for (const r of page) fold.addRollup(r.periodS, r.orBitmap, r.changedTracks);
          }
        }
      }
    }
    for (const fold of folds) fold.close();
  }
  const spans = (spanS: number): { summary: ReturnType<typeof summarizeSparse>; totalBytes: number } => {
    const fold = folds[spanS === options.cycleS ? 0 : 1]!;
    const values = [...fold.perSpan.values()];
    const count = Math.max(0, Math.ceil((endS - fold.alignedS) / spanS));
    return { summary: summarizeSparse(values, count), totalBytes: values.reduce((a, b) => a + b, 0) };
  };
  const sync = (windowS: number): SeriesSummary => slidingSummary(pairs.profile(endS), firstS, endS - firstS, windowS);
  return modelRows({ firstS, endS, writtenBytes, sync, spans }, options);
}
