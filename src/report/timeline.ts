import { Bitset } from '../bitmap/bitset.js';
import { orRoaringInto } from '../bitmap/roaring.js';
import { addProfileInto } from '../collect/write-profile.js';
import type { CellMap } from './cells.js';

/**
 * The changes of a set of volumes (one link's worth) over a window, as the planning models need
 * them: changed bytes over any run of whole intervals (bitmaps ORed per volume, then summed),
 * and written bytes per second. Pure; ORs are memoized because the simulator and the planner's
 * bisection ask for the same ranges again and again.
 */
export class Timeline {
  readonly firstS: number;
  readonly endS: number; // exclusive
  readonly intervals: number;
  readonly #cells: CellMap;
  readonly #memo = new Map<number, number>();
  readonly #scratch = new Bitset();
  #activeStartsS: Float64Array | null = null;

  constructor(
    cells: CellMap,
    readonly intervalS: number,
    readonly trackBytes: number,
    firstS: number,
    endS: number,
  ) {
    this.#cells = cells;
    this.firstS = Math.floor(firstS / intervalS) * intervalS;
    this.endS = Math.ceil(endS / intervalS) * intervalS;
    this.intervals = (this.endS - this.firstS) / intervalS;
  }

  /** Changed bytes in [fromS, toS) — interval aligned; the part outside the window is empty. */
  changedBytes(fromS: number, toS: number): number {
    const from = Math.max(0, Math.round((fromS - this.firstS) / this.intervalS));
    const to = Math.min(this.intervals, Math.round((toS - this.firstS) / this.intervalS));
    if (to <= from) return 0;
    const key = from * (this.intervals + 1) + to;
    const memo = this.#memo.get(key);
    if (memo !== undefined) return memo;
    let tracks = 0;
    for (const byStart of this.#cells.values()) {
      if (to - from === 1) {
        tracks += byStart.get(this.firstS + from * this.intervalS)?.changedTracks ?? 0;
        continue;
      }
      this.#scratch.clear();
      let any = false;
      for (let i = from; i < to; i++) {
        const cell = byStart.get(this.firstS + i * this.intervalS);
        if (cell === undefined) continue;
        orRoaringInto(cell.bitmap, this.#scratch);
        any = true;
      }
      if (any) tracks += this.#scratch.count();
    }
    const bytes = tracks * this.trackBytes;
    this.#memo.set(key, bytes);
    return bytes;
  }

  /**
   * Start of the first interval at or after `fromS` (inside the window) in which any selected
   * volume has a cell, or Infinity: lets the planners skip stretches without changes.
   */
  nextActiveS(fromS: number): number {
    if (this.#activeStartsS === null) {
      const starts = new Set<number>();
      for (const byStart of this.#cells.values()) {
        for (const s of byStart.keys()) if (s >= this.firstS && s < this.endS) starts.add(s);
      }
      this.#activeStartsS = Float64Array.from(starts).sort();
    }
    const a = this.#activeStartsS;
    let lo = 0;
    let hi = a.length; // first index with a[i] >= fromS, by bisection
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (a[mid]! < fromS) lo = mid + 1;
      else hi = mid;
    }
    return lo < a.length ? a[lo]! : Infinity;
  }

  /** Written bytes in the window (all selected volumes). */
  writtenBytes(): number {
    let total = 0;
    for (const byStart of this.#cells.values()) {
      for (const [s, cell] of byStart) if (s >= this.firstS && s < this.endS) total += cell.writeBytes;
    }
    return total;
  }

  /** Written bytes per second of the window, summed over the selected volumes. */
  writesPerSecond(): Float64Array {
    const perSecond = new Float64Array(this.endS - this.firstS);
    for (const byStart of this.#cells.values()) {
      for (const [s, cell] of byStart) if (s >= this.firstS && s < this.endS) addProfileInto(cell.writeProfile, perSecond, s - this.firstS);
    }
    return perSecond;
  }
}
