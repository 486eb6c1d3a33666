import { RoaringUnion } from '../bitmap/roaring-union.js';
import { CellCursor } from './cell-cursor.js';
import type { StoreSettings } from '../store/store.js';
import type { TimeRange } from '../units/time.js';
import { spanWindow, type CellSource, type PlacedCell } from './cells.js';
import { NO_CHANGE, type ChangedRange, type ChangedRanges, type CycleChanges } from './changes.js';
import { nothingSelected } from './selection.js';
import { Timeline } from './timeline.js';
import { CycleGrid } from './cycle-grid.js';
import { PARALLEL_MIN_CELLS, scanWindow, type WindowScan } from './window-scan.js';
import { runTiles, tiledRun, type RatioAt } from './tiled-runs.js';

export type { RatioAt };

/** Most remembered ranges before the memo starts over (about 100 bytes each). */
const MEMO_MAX = 1 << 20;

/** One volume's OR over the run being read. */
class VolumeRun {
  constructor(readonly rank: number) {}
  cells = 0;
  first: Uint8Array | null = null;
  firstTracks = 0;
  readonly union = new RoaringUnion();
  /** Σ changed tracks of its intervals, and Σ changed tracks / ratio (per-interval compression). */
  intervalTracks = 0;
  compressedTracks = 0;

  add(cell: PlacedCell, ratio: number): void {
    if (this.cells === 0) {
      this.first = cell.bitmap;
      this.firstTracks = cell.changedTracks;
    } else {
      if (this.cells === 1) this.union.add(this.first!);
      this.union.add(cell.bitmap);
    }
    this.cells++;
    this.intervalTracks += cell.changedTracks;
    this.compressedTracks += cell.changedTracks / ratio;
  }

  tracks(): number {
    return this.cells === 1 ? this.firstTracks : this.union.cardinality();
  }

  /**
   * Its distinct tracks divided by the changed-track-weighted harmonic mean of its intervals'
   * ratios: tracks × Σ (c_i / r_i) / Σ c_i (each interval's changed tracks c_i, ratio r_i).
   */
  compressed(tracks: number): number {
    return this.intervalTracks === 0 ? 0 : (tracks * this.compressedTracks) / this.intervalTracks;
  }

  reset(): void {
    if (this.cells > 1) this.union.clear();
    this.cells = 0;
    this.first = null;
    this.intervalTracks = 0;
    this.compressedTracks = 0;
  }
}

/**
 * The changes of the selected volumes over a window, read from the store when asked, never held:
 * a run of whole intervals [from, to) is read forwards (`CellCursor`) keeping, per volume, only the
 * OR of the run (a `RoaringUnion`: the size of the answer), and its count is remembered by
 * (first interval, end interval), so the planner's grid and bisection steps, which ask for the
 * same cycles again and again, read each run once. Memory: one page of the store, the ORs of one
 * run, the starts of the active intervals (8 bytes each) and the memo — not the window's cells.
 *
 * With `ratioAt` (measured compression), each volume's part of a run is divided by the
 * changed-track-weighted harmonic mean of the ratios of its intervals in the run:
 * compressed = Σ_volumes distinct tracks × Σ_i (c_i / r_i) / Σ_i c_i × track size, where c_i is
 * the interval's changed tracks. For a single interval this is its own ratio; for a run it gives
 * each interval's ratio the weight of the tracks it changed (tracks rewritten in several intervals
 * of the run are sent once, at the weighted ratio).
 */
export class StreamedChanges implements CycleChanges {
  readonly firstS: number;
  readonly endS: number;
  readonly intervals: number;
  readonly perIntervalCompression: boolean;
  readonly #cursor: CellCursor;
  readonly #active: Float64Array;
  readonly #writtenBytes: number;
  readonly #memo = new Map<number, ChangedRange>();
  readonly #runs = new Map<string, VolumeRun>();
  readonly #ratioAt: RatioAt | null;
  readonly #rank: Map<string, number>;
  #grid: CycleGrid | null = null;
  #parallelMinCells = PARALLEL_MIN_CELLS;
  /** Runs read from the store (memo misses), and those of them answered from rollups. */
  reads = 0;
  tiledReads = 0;
  /** Volumes a second thread read in the last pass that counted the grid (`scanWindow`). */
  workerVolumes = 0;

  private constructor(
    cursor: CellCursor,
    readonly intervalS: number,
    readonly trackBytes: number,
    firstS: number,
    endS: number,
    active: Float64Array,
    writtenBytes: number,
    ratioAt: RatioAt | null,
  ) {
    this.#cursor = cursor;
    this.firstS = firstS;
    this.endS = endS;
    this.intervals = (endS - firstS) / intervalS;
    this.#active = active;
    this.#writtenBytes = writtenBytes;
    this.#ratioAt = ratioAt;
    this.perIntervalCompression = ratioAt !== null;
    this.#rank = new Map(cursor.volumes.map((v, i) => [v, i]));
  }

  /**
   * Read every selected volume's cells once, volume by volume, into a `CycleGrid` of the runs of
   * up to `cycleS` from every interval: the simulator's nominal cycles and their marks are then
   * answered without reading (the same figures: volumes are summed in the same order).
   */
  async prepareCycles(cycleS: number): Promise<void> {
    const lengths = Math.round(cycleS / this.intervalS);
    if ((this.#grid?.lengths ?? 0) >= lengths || !CycleGrid.fits(this.intervals, lengths)) return;
    this.#grid = null;
    const grid = new CycleGrid(this.intervals, lengths, this.trackBytes, this.#ratioAt !== null);
    const { source, volumes } = this.#cursor;
    const scan = await scanWindow(
      source,
      volumes,
      this.intervalS,
      this.firstS,
      this.endS,
      grid,
      this.#ratioAt,
      this.#parallelMinCells,
    );
    this.workerVolumes = scan.workerVolumes;
    this.#grid = grid;
  }

  static #of(
    source: CellSource,
    volumes: readonly string[],
    intervalS: number,
    trackBytes: number,
    firstS: number,
    endS: number,
    scan: WindowScan,
    ratioAt: RatioAt | null,
    parallelMinCells: number,
  ): StreamedChanges {
    const cursor = new CellCursor(source, volumes, endS);
    const changes = new StreamedChanges(
      cursor,
      intervalS,
      trackBytes,
      firstS,
      endS,
      scan.active,
      scan.writtenBytes,
      ratioAt,
    );
    changes.#grid = scan.grid;
    changes.#parallelMinCells = parallelMinCells;
    changes.workerVolumes = scan.workerVolumes;
    return changes;
  }

  /**
   * The changes of `volumes` over [fromS, toS) (widened to whole intervals). One pass lists the
   * intervals with cells, sums the written bytes and the bytes packing them would take; a window
   * within `budgetBytes` is then loaded as a `Timeline` (cells in memory: faster for the planner's
   * many simulations; the same answers), a larger one is `StreamedChanges`, which reads runs when
   * asked — so nothing over the budget is ever held. With `ratioAt` the changes are always streamed.
   * With `gridS` (the runs the caller will ask most: the simulator's cycle, the planner's cycles)
   * the same pass computes the `CycleGrid` of the runs up to `gridS`, so a streamed window is
   * read once before its first simulation, not twice; a window of `parallelMinCells` (volume,
   * interval) pairs or more is read by two threads (`scanWindow`).
   */
  static async open(
    source: CellSource,
    volumes: readonly string[],
    intervalS: number,
    trackBytes: number,
    fromS: number,
    toS: number,
    ratioAt: RatioAt | null,
    budgetBytes: number,
    gridS: number | null = null,
    parallelMinCells = PARALLEL_MIN_CELLS,
  ): Promise<CycleChanges> {
    const firstS = Math.floor(fromS / intervalS) * intervalS;
    const endS = Math.ceil(toS / intervalS) * intervalS;
    const lengths = gridS !== null && gridS >= intervalS && gridS % intervalS === 0 ? gridS / intervalS : 0;
    const intervals = (endS - firstS) / intervalS;
    const grid =
      lengths > 0 && CycleGrid.fits(intervals, lengths)
        ? new CycleGrid(intervals, lengths, trackBytes, ratioAt !== null)
        : null;
    const scan = await scanWindow(source, volumes, intervalS, firstS, endS, grid, ratioAt, parallelMinCells);
    if (ratioAt === null && scan.packedBytes <= budgetBytes) {
      const timeline = await Timeline.load(source, volumes, intervalS, trackBytes, fromS, toS, false);
      if (scan.grid !== null) timeline.useGrid(scan.grid);
      return timeline;
    }
    return StreamedChanges.#of(source, volumes, intervalS, trackBytes, firstS, endS, scan, ratioAt, parallelMinCells);
  }

  nextActiveS(fromS: number): number {
    const s = Math.ceil(fromS / this.intervalS) * this.intervalS;
    let lo = 0;
    let hi = this.#active.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#active[mid]! < s) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.#active.length ? this.#active[lo]! : Infinity;
  }

  writtenBytes(): number {
    return this.#writtenBytes;
  }

  async changed(fromS: number, toS: number, markS?: number): Promise<ChangedRanges> {
    const from = this.#index(fromS);
    const to = this.#index(toS);
    const mark = markS === undefined ? null : Math.min(to, Math.max(from, this.#index(markS)));
    if (to <= from) return { whole: NO_CHANGE, mark: mark === null ? null : NO_CHANGE };
    const key = (a: number, b: number): number => a * (this.intervals + 1) + b;
    const wholeSeen = this.#memo.get(key(from, to));
    const markSeen = mark === null ? null : mark <= from ? NO_CHANGE : this.#memo.get(key(from, mark));
    if (wholeSeen !== undefined && markSeen !== undefined) return { whole: wholeSeen, mark: markSeen };
    if (this.#grid !== null) {
      const whole = this.#grid.answer(from, to - from);
      const atMark = mark === null ? null : mark <= from ? NO_CHANGE : this.#grid.answer(from, mark - from);
      if (whole !== null && (mark === null || atMark !== null)) return { whole, mark: atMark };
    }

    this.reads++;
    const runFromS = this.firstS + from * this.intervalS;
    const tiles = runTiles(this.#cursor.source, runFromS, this.firstS + to * this.intervalS);
    if (tiles !== null) {
      // A run holding whole hours or days: their stored ORs, and fine cells at the edges only.
      const { source, volumes } = this.#cursor;
      let whole = wholeSeen;
      if (whole === undefined) {
        this.tiledReads++;
        whole = await tiledRun(source, volumes, tiles, this.trackBytes, this.#ratioAt);
        this.#remember(key(from, to), whole);
      }
      const markStartS = this.firstS + (mark ?? from) * this.intervalS;
      const atMark = mark === null ? null : (markSeen ?? (await this.changed(runFromS, markStartS)).whole);
      return { whole, mark: atMark };
    }
    const touched: VolumeRun[] = [];
    const markStartS = mark === null ? Infinity : this.firstS + mark * this.intervalS;
    let atMark: ChangedRange | null = mark === null ? null : mark <= from ? NO_CHANGE : null;
    await this.#cursor.scan(this.firstS + from * this.intervalS, this.firstS + to * this.intervalS, (cell) => {
      if (atMark === null && cell.startS >= markStartS) atMark = this.#total(touched);
      let run = this.#runs.get(cell.volume);
      if (run === undefined) this.#runs.set(cell.volume, (run = new VolumeRun(this.#rank.get(cell.volume)!)));
      if (run.cells === 0) touched.push(run);
      run.add(cell, this.#ratioAt === null ? 1 : this.#ratioAt(cell.volume, cell.startS));
    });
    const whole = this.#total(touched);
    atMark ??= mark === null ? null : whole;
    for (const run of touched) run.reset();
    this.#remember(key(from, to), whole);
    if (mark !== null && mark > from) this.#remember(key(from, mark), atMark!);
    return { whole, mark: atMark };
  }

  #remember(key: number, range: ChangedRange): void {
    if (this.#memo.size >= MEMO_MAX) this.#memo.clear();
    this.#memo.set(key, range);
  }

  /** Release the store read in progress. */
  async close(): Promise<void> {
    await this.#cursor.close();
  }

  #index(s: number): number {
    return Math.min(this.intervals, Math.max(0, Math.round((s - this.firstS) / this.intervalS)));
  }

  /** The runs' total, volumes summed in the order of the selection (as `CycleGrid` sums them). */
  #total(touched: readonly VolumeRun[]): ChangedRange {
    const runs = touched.length > 1 ? [...touched].sort((a, b) => a.rank - b.rank) : touched;
    let tracks = 0;
    let compressed = 0;
    for (const run of runs) {
      const t = run.tracks();
      tracks += t;
      compressed += this.#ratioAt === null ? t : run.compressed(t);
    }
    return { changedBytes: tracks * this.trackBytes, compressedBytes: compressed * this.trackBytes };
  }
}

/** Packed cells up to this many bytes are held in memory (`Timeline`), larger windows streamed. */
export const TIMELINE_BUDGET_BYTES = 128 * 2 ** 20;

/**
 * The planning view of the selected volumes over the window (default: all they hold): their cells
 * packed in memory (`Timeline`) when that takes at most `budgetBytes`, else `StreamedChanges`
 * (always with `ratioAt`, measured compression). Both give the same answers; memory is bounded by
 * the budget, not by the cells of the window. `parallelMinCells`: see `StreamedChanges.open`.
 */
export async function openChanges(
  source: CellSource,
  settings: StoreSettings,
  range: TimeRange | null,
  ratioAt: RatioAt | null = null,
  budgetBytes = TIMELINE_BUDGET_BYTES,
  gridS: number | null = null,
  parallelMinCells = PARALLEL_MIN_CELLS,
): Promise<CycleChanges> {
  const from = range === null ? null : Math.floor(range.fromS / settings.intervalS) * settings.intervalS;
  const spans = await source.spans(from, range?.toS ?? null);
  const window = spanWindow(spans, settings.intervalS);
  if (window === null) throw await nothingSelected(source, settings, range);
  const volumes = spans.map((s) => s.volume);
  const fromS = range?.fromS ?? window.fromS;
  const toS = range?.toS ?? window.toS;
  return StreamedChanges.open(
    source,
    volumes,
    settings.intervalS,
    settings.trackBytes,
    fromS,
    toS,
    ratioAt,
    budgetBytes,
    gridS,
    parallelMinCells,
  );
}
