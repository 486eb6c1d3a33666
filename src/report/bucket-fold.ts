import type { Scope } from '../scope/scope.js';
import { eachCount, type StoredRollup } from '../store/rollup.js';
import type { StoredChunk, VolumeSpan } from '../store/store.js';
import { cellsOfPage, type CellSource, type PlacedCell } from './cells.js';
import { countInMask, groupsOf, maskOf, selectDatasets, unionMasks, type Masks } from './entities.js';
import { copyFigures, emptyFigures, mergeFigures, type BucketFigures, type Sums } from './figures.js';
import { summarizeSparse } from './percentile.js';
import { SparseSeries } from './sparse-series.js';
import { tileWindow } from './tiling.js';
import { TrackUnion } from './track-union.js';
import type { BucketPlan, Per } from './window.js';

/** Most bytes of bitmaps held to be ORed together (container-major) before they are ORed in. */
const PENDING_BYTES = 4 << 20;

/** What folding a report's volumes into coarse buckets needs of its plan (plain data, for a worker too). */
export interface FoldPlan {
  request: {
    by: 'volume' | 'group' | 'dataset';
    per: Per;
    datasets: string[] | null;
    percentile?: number;
  };
  ctx: { intervalS: number; trackBytes: number; scope: Scope };
  buckets: BucketPlan;
  /** Row entities in output order (data sets then the all-selected row, for data-set reports). */
  entities: string[];
}

/**
 * The figures of buckets longer than one interval, folded volume by volume: each bucket of a
 * volume is the OR of its cells (or of the stored chunk, hour and day rollups that tile it, plus
 * fine cells at its edges), folded into the volume's entities (the volume, its groups, or the data
 * sets whose extents it holds). Memory: one volume's OR at a time, and one figure per (entity,
 * bucket that has cells).
 */
export class BucketFold {
  /** Bucket index → entity → figures, of the volumes added so far. */
  readonly results: BucketFigures = new Map();
  readonly #union = new TrackUnion();
  readonly #masks: Masks[];
  readonly #levels: readonly number[];

  constructor(
    readonly source: CellSource,
    readonly plan: FoldPlan,
  ) {
    const { ctx, request } = plan;
    const datasets = request.by === 'dataset' ? selectDatasets(ctx.scope, request.datasets) : [];
    this.#masks = datasets.map((d) => maskOf(d.extents, ctx.trackBytes));
    if (this.#masks.length > 0) this.#masks.push(unionMasks(this.#masks));
    // Per-interval counts inside a data set's mask are not rolled up: data sets read the fine cells.
    this.#levels = request.by === 'dataset' || source.rollups === undefined ? [] : (source.rollupLevelsS ?? []);
  }

  /** Fold one volume's cells in the window into the results. */
  async addVolume(span: VolumeSpan): Promise<void> {
    const { source, plan, results } = this;
    const { buckets, ctx, request } = plan;
    const masks = this.#masks;
    const union = this.#union;
    const levels = this.#levels;
    if (request.by === 'dataset' && !masks.some((m) => m.has(span.volume))) return;
    const entities =
      request.by === 'volume' ? [span.volume] : request.by === 'group' ? groupsOf(ctx.scope, span.volume) : [];
    let index = -1;
    let sums = emptyFigures();
    // ORed parts (cells, chunk or period rollups) of the open bucket; a lone part's count is
    // stored, so the OR starts only once a second part comes.
    let parts = 0;
    let firstBits: Uint8Array | null = null;
    let firstTracks = 0;
    // Parts wait to be ORed together, container-major (TrackUnion.addAll), up to PENDING_BYTES.
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    const flushPending = (): void => {
      if (pending.length > 0) union.addAll(pending);
      pending = [];
      pendingBytes = 0;
    };
    const hold = (bitmap: Uint8Array): void => {
      pending.push(bitmap);
      pendingBytes += bitmap.byteLength;
      if (pendingBytes >= PENDING_BYTES) flushPending();
    };
    const addBits = (bitmap: Uint8Array, tracks: number): void => {
      if (++parts === 1) {
        firstBits = bitmap;
        firstTracks = tracks;
        return;
      }
      if (parts === 2) hold(firstBits!);
      hold(bitmap);
    };
    let perMask: SparseSeries[] = masks.map(() => new SparseSeries());
    const close = (): void => {
      if (index < 0) return;
      flushPending();
      let bucket = results.get(index);
      if (bucket === undefined) results.set(index, (bucket = new Map()));
      if (request.by === 'dataset') {
        plan.entities.forEach((name, k) => {
          const mask = masks[k]!.get(span.volume);
          if (mask === undefined) return;
          const f = bucket!.get(name) ?? emptyFigures();
          bucket!.set(name, f);
          f.changedTracks += parts === 0 ? 0 : union.countAnd(mask);
          f.series.addSeries(perMask[k]!);
        });
      } else {
        sums.changedTracks = parts === 1 ? firstTracks : union.count();
        if (request.by === 'volume') {
          // The volume is the row's only contributor: summarize now, keep no series until output.
          const b = buckets.bucket(index);
          sums.summary = summarizeSparse(
            sums.series.values(),
            (b.endS - b.startS) / ctx.intervalS,
            undefined,
            request.percentile,
          );
          sums.series = new SparseSeries();
        }
        for (const e of entities) {
          const f = bucket.get(e);
          if (f === undefined) bucket.set(e, entities.length === 1 ? sums : copyFigures(sums));
          else mergeFigures(f, sums);
        }
      }
      union.clear();
      sums = emptyFigures();
      parts = 0;
      firstBits = null;
      perMask = masks.map(() => new SparseSeries());
    };
    // Move to the bucket holding `startS` (closing the open one) and add a part's counters.
    const enter = (startS: number, part: Omit<Sums, 'changedTracks'>): void => {
      const b = buckets.indexOf(startS);
      if (b !== index) {
        close();
        index = b;
      }
      sums.writes += part.writes;
      sums.writeBytes += part.writeBytes;
      sums.reads += part.reads;
      sums.readBytes += part.readBytes;
    };
    const addCell = (cell: PlacedCell): void => {
      enter(cell.startS, cell);
      addToSeries(sums.series, cell.startS, cell.changedTracks);
      if (request.by === 'dataset') {
        parts++;
        union.add(cell.bitmap);
      } else addBits(cell.bitmap, cell.changedTracks);
      masks.forEach((m, k) => {
        const mask = m.get(span.volume);
        if (mask === undefined) return;
        const n = countInMask(cell.bitmap, mask);
        perMask[k]!.add(cell.startS, n);
      });
    };
    // A whole chunk of one run inside one bucket is answered by its rollup: counters summed and
    // the OR of its bitmaps, stored; only the per-interval counts are read from its intervals.
    const addRollup = (chunk: StoredChunk): void => {
      enter(chunk.intervals[0]!.startS, chunk);
      for (const r of chunk.intervals) addToSeries(sums.series, r.startS, r.changedTracks);
      addBits(chunk.orBitmap, chunk.changedTracks);
    };
    let group: StoredChunk[] = [];
    const flushGroup = (): void => {
      const only = group.length === 1 ? group[0]! : null;
      if (
        only !== null &&
        request.by !== 'dataset' &&
        only.intervals.length === only.cells &&
        only.cells > 1 &&
        buckets.indexOf(only.intervals[0]!.startS) === buckets.indexOf(only.intervals.at(-1)!.startS)
      ) {
        addRollup(only);
      } else {
        // Several runs share the chunk, or it crosses an edge: merge its intervals exactly.
        const rows = group.flatMap((c) => c.intervals).sort((a, b) => a.startS - b.startS);
        for (const cell of cellsOfPage(rows)) addCell(cell);
      }
      group = [];
    };
    // A period's stored rollup (hour, day) whole inside one bucket: counters, OR and per-cell counts.
    const addPeriod = (r: StoredRollup): void => {
      enter(r.periodS, r);
      eachCount(r, (startS, tracks) => addToSeries(sums.series, startS, tracks));
      addBits(r.orBitmap, r.changedTracks);
    };
    const fromS = Math.max(buckets.firstS, span.firstS);
    const toS = Math.min(buckets.endS, span.lastS + ctx.intervalS);
    for (const tile of tileWindow(fromS, toS, request.per === null ? null : buckets.stepS, levels)) {
      if (tile.levelS > 0) {
        // A period that is a whole bucket is alone in it: its stored count is the answer, no OR.
        const alone = request.per !== null && buckets.stepS === tile.levelS;
        for await (const page of source.rollups!(span.volume, tile.levelS, tile.fromS, tile.toS, !alone)) {
          for (const r of page) addPeriod(r);
        }
        continue;
      }
      for await (const page of source.chunks(span.volume, tile.fromS, tile.toS)) {
        for (const chunk of page) {
          if (group.length > 0 && group[0]!.chunkS !== chunk.chunkS) flushGroup();
          group.push(chunk);
        }
      }
      if (group.length > 0) flushGroup();
    }
    close();
  }
}

function addToSeries(series: SparseSeries, startS: number, tracks: number): void {
  if (tracks > 0) series.add(startS, tracks);
}
