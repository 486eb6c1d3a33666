import { ContainerReader } from '../bitmap/container-reader.js';
import { ARRAY_CONTAINER, RUN_CONTAINER } from '../bitmap/roaring.js';
import type { ChangedRange } from './changes.js';
import { DENSE_MIN_TRACKS, RecentWrites, UNSET, type Page } from './recent-writes.js';

/** Most (start, length) entries a grid holds (8 bytes each, twice with ratios): 64 MiB. */
export const GRID_MAX_ENTRIES = 1 << 23;

/**
 * The changes of every short run of a window, computed in one pass over the cells: for each
 * interval start s and each length ℓ in 1..`lengths` intervals, Σ over volumes of the distinct
 * tracks of [s, s + ℓ) (each volume's intervals ORed) and, with ratios, Σ over volumes of those
 * tracks × Σ (c_i / r_i) / Σ c_i — exactly what reading the run from the cells gives, volumes
 * added in the order they are fed. Cycles of the nominal length from any interval, and their
 * prefixes (a backlog's mark), are then answered without reading. Memory: `intervals × lengths`
 * numbers (twice with ratios), never the cells.
 */
export class CycleGrid {
  readonly #tracks: Float64Array;
  readonly #compressed: Float64Array | null;

  constructor(
    readonly intervals: number,
    readonly lengths: number,
    readonly trackBytes: number,
    withRatios: boolean,
  ) {
    this.#tracks = new Float64Array(intervals * lengths);
    this.#compressed = withRatios ? new Float64Array(intervals * lengths) : null;
  }

  /** Whether a grid of `intervals` × `lengths` fits `GRID_MAX_ENTRIES`. */
  static fits(intervals: number, lengths: number): boolean {
    return intervals * lengths <= GRID_MAX_ENTRIES && lengths >= 1;
  }

  /** A builder for one volume's part: feed its cells in ascending interval order, then `finish`. */
  volume(): VolumeGrid {
    return new VolumeGrid(this.lengths, this.intervals, this.#tracks, this.#compressed);
  }

  /** The tracks counts (interval-major, `lengths` per interval), to add into another grid's (`addTracks`). */
  tracks(): Float64Array {
    return this.#tracks;
  }

  /**
   * Add the counts of a grid of the same shape without ratios, fed other volumes (integers:
   * the sums are exact in any order).
   */
  addTracks(tracks: Float64Array): void {
    if (this.#compressed !== null || tracks.length !== this.#tracks.length)
      throw new Error('cycle grid: shapes differ');
    for (let i = 0; i < tracks.length; i++) this.#tracks[i] = this.#tracks[i]! + tracks[i]!;
  }

  /** The run of `length` intervals from interval `from`, or null when the grid does not hold it. */
  answer(from: number, length: number): ChangedRange | null {
    if (length < 1 || length > this.lengths || from < 0 || from >= this.intervals) return null;
    const i = from * this.lengths + length - 1;
    const changedBytes = this.#tracks[i]! * this.trackBytes;
    const compressedBytes = this.#compressed === null ? changedBytes : this.#compressed[i]! * this.trackBytes;
    return { changedBytes, compressedBytes };
  }
}

/**
 * One volume's contribution to a `CycleGrid`. Each track of a cell at interval i whose previous
 * write in the volume was at interval p (or never) is new in the runs starting in (p, i]: the
 * cell adds those counts to the (at most `lengths`) open starts, so a run's distinct tracks are
 * counted once per track written, whatever the run's length — no bitmap is ORed. Memory: the
 * open starts' counts, the last cells (at most `lengths`) and the tracks written in the last
 * 2 × `lengths` intervals (`RecentWrites`).
 */
export class VolumeGrid {
  readonly #index: number[] = [];
  readonly #tracks: number[] = [];
  readonly #ratios: number[] = [];
  #head = 0;
  /** Next start not yet written. */
  #nextStart = 0;
  /** Track -> the last interval it was written in, within the last `lengths` intervals. */
  readonly #last: RecentWrites;
  /** New tracks by distance to the previous write (capped at `lengths`), of the cell being added. */
  readonly #byDistance: Float64Array;
  /** Open start s, offset o: tracks first written (since s) at s + o; slot s mod lengths. */
  readonly #open: Float64Array;

  constructor(
    readonly lengths: number,
    readonly intervals: number,
    readonly gridTracks: Float64Array,
    readonly gridCompressed: Float64Array | null,
  ) {
    this.#byDistance = new Float64Array(lengths + 1);
    this.#open = new Float64Array(lengths * lengths);
    this.#last = new RecentWrites(lengths);
  }

  readonly #reader = new ContainerReader();

  /** Add the cell of interval `index` (ascending, one per interval: runs already merged). */
  push(index: number, changedTracks: number, bitmap: Uint8Array, ratio: number): void {
    this.pushAt(
      index,
      changedTracks,
      new DataView(bitmap.buffer, bitmap.byteOffset, bitmap.byteLength),
      0,
      bitmap.length,
      ratio,
    );
  }

  /** `push` of the bitmap of `length` bytes at `start` in `view` (no view of its own). */
  pushAt(index: number, changedTracks: number, view: DataView, start: number, length: number, ratio: number): void {
    const L = this.lengths;
    this.#flushThrough(index - L);
    const byDistance = this.#byDistance;
    byDistance.fill(0);
    const last = this.#last;
    last.advance(index);
    const reader = this.#reader;
    reader.reset(view, start, length);
    while (reader.next()) {
      const { key, kind, card, at } = reader;
      const base = key * 65536;
      if (card === 65536) {
        last.wholeContainer(key, index, byDistance); // a write spanning the container: one entry
        continue;
      }
      const page = last.page(key, index, card >= DENSE_MIN_TRACKS);
      if (page !== null) {
        countDense(page, last, base, index, L, kind, card, at, view, byDistance);
        continue;
      }
      if (kind === ARRAY_CONTAINER) {
        for (let i = 0, q = at; i < card; i++, q += 2) {
          const p = last.swap(base + view.getUint16(q, true), index);
          byDistance[p < 0 || index - p >= L ? L : index - p]!++;
        }
      } else if (kind === RUN_CONTAINER) {
        const runs = view.getUint16(at, true);
        for (let r = 0, q = at + 2; r < runs; r++, q += 4) {
          const first = base + view.getUint16(q, true);
          const lastValue = first + view.getUint16(q + 2, true);
          for (let t = first; t <= lastValue; t++) {
            const p = last.swap(t, index);
            byDistance[p < 0 || index - p >= L ? L : index - p]!++;
          }
        }
      } else {
        for (let w = 0, q = at; w < 2048; w++, q += 4) {
          for (let bits = view.getUint32(q, true); bits !== 0; bits &= bits - 1) {
            const p = last.swap(base + w * 32 + (31 - Math.clz32(bits & -bits)), index);
            byDistance[p < 0 || index - p >= L ? L : index - p]!++;
          }
        }
      }
    }
    // Runs from s = index - off count the tracks whose previous write was before s: distance > off.
    let newer = 0;
    for (let off = L - 1; off >= 0; off--) {
      newer += byDistance[off + 1]!;
      const s = index - off;
      if (s >= 0) this.#open[(s % L) * L + off] = this.#open[(s % L) * L + off]! + newer;
    }
    this.#index.push(index);
    this.#tracks.push(changedTracks);
    this.#ratios.push(ratio);
  }

  /** Write the starts left. */
  finish(): void {
    this.#flushThrough(this.intervals - 1);
    this.#last.clear();
  }

  /** Write every start up to `lastStart` (their runs end before any cell still to come). */
  #flushThrough(lastStart: number): void {
    const L = this.lengths;
    let s = this.#nextStart;
    while (s <= lastStart && this.#head < this.#index.length) {
      while (this.#head < this.#index.length && this.#index[this.#head]! < s) this.#head++;
      if (this.#head === this.#index.length) break;
      const first = this.#index[this.#head]!;
      if (first >= s + L) {
        s = Math.min(first - L + 1, lastStart + 1);
        continue;
      }
      this.#start(s);
      s++;
    }
    this.#nextStart = Math.max(this.#nextStart, lastStart + 1);
    while (this.#head < this.#index.length && this.#index[this.#head]! < this.#nextStart) this.#head++;
    if (this.#head > 1024 && this.#head * 2 > this.#index.length) {
      const h = this.#head;
      this.#index.splice(0, h);
      this.#tracks.splice(0, h);
      this.#ratios.splice(0, h);
      this.#head = 0;
    }
  }

  /** Write the runs [s, s + ℓ), ℓ = 1 .. lengths, and free the start's slot. */
  #start(s: number): void {
    const L = this.lengths;
    const base = s * L;
    const slot = (s % L) * L;
    let j = this.#head;
    let tracks = 0;
    let sumTracks = 0;
    let sumCompressed = 0;
    for (let off = 0; off < L; off++) {
      tracks += this.#open[slot + off]!;
      this.#open[slot + off] = 0;
      if (j < this.#index.length && this.#index[j] === s + off) {
        const c = this.#tracks[j]!;
        sumTracks += c;
        sumCompressed += c / this.#ratios[j]!;
        j++;
      }
      this.gridTracks[base + off] = this.gridTracks[base + off]! + tracks;
      if (this.gridCompressed !== null) {
        const compressed = sumTracks === 0 ? 0 : (tracks * sumCompressed) / sumTracks;
        this.gridCompressed[base + off] = this.gridCompressed[base + off]! + compressed;
      }
    }
  }
}

/**
 * Count a container's tracks into `byDistance` by their previous write, looked up (and set to
 * `index`) in its key's dense page; a track the page has not seen asks the sparse tables.
 */
function countDense(
  page: Page,
  last: RecentWrites,
  base: number,
  index: number,
  L: number,
  kind: number,
  card: number,
  at: number,
  view: DataView,
  byDistance: Float64Array,
): void {
  const values = page.last;
  const rel = index - page.base;
  // Distance to the previous write (L or more: never, or not within the horizon).
  const distance = (low: number): number => {
    const v = values[low]!;
    values[low] = rel;
    if (v !== UNSET) return rel - v;
    const p = last.sparse(base + low);
    return p < 0 ? L : index - p;
  };
  if (kind === ARRAY_CONTAINER) {
    for (let i = 0, q = at; i < card; i++, q += 2) {
      const d = distance(view.getUint16(q, true));
      byDistance[d >= L ? L : d]!++;
    }
  } else if (kind === RUN_CONTAINER) {
    const runs = view.getUint16(at, true);
    for (let r = 0, q = at + 2; r < runs; r++, q += 4) {
      const first = view.getUint16(q, true);
      const end = first + view.getUint16(q + 2, true);
      for (let low = first; low <= end; low++) {
        const d = distance(low);
        byDistance[d >= L ? L : d]!++;
      }
    }
  } else {
    for (let w = 0, q = at; w < 2048; w++, q += 4) {
      for (let bits = view.getUint32(q, true); bits !== 0; bits &= bits - 1) {
        const d = distance(w * 32 + (31 - Math.clz32(bits & -bits)));
        byDistance[d >= L ? L : d]!++;
      }
    }
  }
}
