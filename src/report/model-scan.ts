import type { StoredChunk, VolumeSpan } from '../store/store.js';
import { cellsOfPage, type CellSource, type PlacedCell } from './cells.js';
import { checkModelOptions, modelRows, type ModelOptions, type ModelRow } from './models.js';
import { summarizeSparse } from './percentile.js';
import type { WriteProfile } from './timeline.js';
import { tileWindow } from './tiling.js';
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

/**
 * The write profiles summed per second, in the order the cells come (so sums are the same
 * floating-point sums as a sort by second would give): one entry per distinct written second.
 */
class ProfilePairs {
  readonly #bytes = new Map<number, number>();

  add(cell: { startS: number; writeProfile: Uint8Array }): void {
    const blob = cell.writeProfile;
    const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
    const count = blob.byteLength >= 4 ? view.getUint32(0, true) : 0;
    for (let i = 0, p = 4; i < count; i++, p += 12) {
      const s = cell.startS + view.getUint32(p, true);
      const before = this.#bytes.get(s);
      const b = view.getFloat64(p + 4, true);
      this.#bytes.set(s, before === undefined ? b : before + b);
    }
  }

  /** Summed per second, ascending, seconds before `endS` only. */
  profile(endS: number): WriteProfile {
    const seconds = Float64Array.from(this.#bytes.keys())
      .filter((s) => s < endS)
      .sort();
    const bytes = seconds.map((s) => this.#bytes.get(s)!);
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
 * timeline: memory holds one volume's OR per model, one figure per span with data and the write
 * profile's non-zero seconds — never the cells. Whole chunks of one run inside a span are ORed from
 * their stored rollup, and spans of whole hours or days from the store's hour and day rollups.
 */
export async function scanModels(
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
  const pairs = new ProfilePairs();
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
              pairs.add(r);
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
    await feedChunks(untiled, firstS, endS, true);
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
  return modelRows({ firstS, endS, writtenBytes, profile: pairs.profile(endS), spans }, options);
}
