import { modelRows, type ModelOptions, type ModelRow } from './models.js';
import { summarizeSparse, type SeriesSummary } from './percentile.js';
import { SpanUnion } from './span-union.js';

/** The largest integer a double holds exactly with every smaller one: sums below it are exact in any order. */
const EXACT_MAX = Number.MAX_SAFE_INTEGER;

/**
 * Changed bytes per epoch-aligned span, in an array by span index of the window, folded volume by
 * volume: the cells of one volume inside one span are ORed (`SpanUnion`: a lone cell, chunk or
 * rollup gives its stored count, no OR), and the span's count times the track size is added to its entry.
 */
export class SpanSums {
  readonly values: Float64Array;
  readonly #union = new SpanUnion();
  #index = -1;

  constructor(
    readonly spanS: number,
    readonly alignedS: number,
    endS: number,
    readonly trackBytes: number,
  ) {
    this.values = new Float64Array(Math.max(0, Math.ceil((endS - alignedS) / spanS)));
  }

  indexOf(s: number): number {
    return Math.floor((s - this.alignedS) / this.spanS);
  }

  /** A part (cell, chunk, rollup) of the current volume: its bitmap at `data[at, at + length)` and count. */
  add(startS: number, tracks: number, data: Uint8Array, at: number, length: number): void {
    const index = this.indexOf(startS);
    if (index !== this.#index) {
      this.close();
      this.#index = index;
    }
    this.#union.add(data, at, length, tracks);
  }

  /** End the current span of the current volume: its count goes into its entry. */
  close(): void {
    if (this.#index >= 0 && this.#union.parts > 0) this.values[this.#index]! += this.#union.count() * this.trackBytes;
    this.#union.clear();
    this.#index = -1;
  }

  /** Summary over every span of the window (spans without data are zeros) and the total. */
  summary(): { summary: SeriesSummary; totalBytes: number } {
    let nonZero = 0;
    let total = 0;
    for (let i = 0; i < this.values.length; i++) {
      const v = this.values[i]!;
      if (v !== 0) nonZero++;
      total += v;
    }
    const values = new Float64Array(nonZero);
    for (let i = 0, j = 0; i < this.values.length; i++) if (this.values[i] !== 0) values[j++] = this.values[i]!;
    return { summary: summarizeSparse(values, this.values.length), totalBytes: total };
  }
}

/** What one thread's `ModelSums` hands to another: its arrays (transferable) and checks. */
export interface ModelPartial {
  perSecond: Float64Array;
  spans: Float64Array[];
  writtenBytes: number;
  profileBytes: number;
  exact: boolean;
}

/**
 * What the models add up over the selected volumes, as exact integer sums: written bytes per
 * second of the window (an array by second, 8 bytes a second) and changed bytes per cycle and per
 * period (`SpanSums`). Integer bytes below 2^53 add up exactly in any order, so volumes may be
 * summed in any order and on several threads and the partial arrays added; `exact` turns false
 * (and the caller sums in order instead, `scanModelsInOrder`) as soon as a byte count is not a
 * non-negative integer or a total passes 2^53.
 */
export class ModelSums {
  readonly perSecond: Float64Array;
  readonly spans: SpanSums[];
  writtenBytes = 0;
  /** Every profile byte added (all non-negative: every per-second and window sum is at most this). */
  profileBytes = 0;
  exact: boolean;

  constructor(
    readonly firstS: number,
    readonly endS: number,
    spansS: readonly number[],
    trackBytes: number,
  ) {
    this.perSecond = new Float64Array(Math.max(0, endS - firstS));
    this.spans = spansS.map((spanS) => new SpanSums(spanS, Math.floor(firstS / spanS) * spanS, endS, trackBytes));
    this.exact = Number.isInteger(trackBytes) && trackBytes >= 0;
  }

  /** A cell's written bytes (its profile goes to `addProfile`). */
  addWritten(writeBytes: number): void {
    this.writtenBytes += writeBytes;
    if (!(writeBytes >= 0 && Number.isInteger(writeBytes))) this.exact = false;
  }

  /**
   * Add a write profile (store/write-profile.ts: u32 count, then u32 second, f64 bytes each) of
   * the interval starting at `startS`, read from `view` at `at`; seconds outside the window are
   * left out.
   */
  addProfile(view: DataView, at: number, length: number, startS: number): void {
    const count = length >= 4 ? view.getUint32(at, true) : 0;
    if (length < 4 + 12 * count) throw new Error(`write profile: truncated (${length} bytes for ${count} entries)`);
    const perSecond = this.perSecond;
    const offsetS = startS - this.firstS;
    let added = 0;
    let integral = true;
    for (let i = 0, p = at + 4; i < count; i++, p += 12) {
      const k = offsetS + view.getUint32(p, true);
      const bytes = view.getFloat64(p + 4, true);
      if (k < 0 || k >= perSecond.length) continue;
      perSecond[k]! += bytes;
      added += bytes;
      integral = integral && bytes >= 0 && bytes === Math.floor(bytes);
    }
    this.profileBytes += added;
    if (!integral) this.exact = false;
  }

  /** End the current volume (every span fold closes its span). */
  closeVolume(): void {
    for (const s of this.spans) s.close();
  }

  partial(): ModelPartial {
    this.closeVolume();
    return {
      perSecond: this.perSecond,
      spans: this.spans.map((s) => s.values),
      writtenBytes: this.writtenBytes,
      profileBytes: this.profileBytes,
      exact: this.exact,
    };
  }

  /** Add another thread's sums (of other volumes) into these. */
  absorb(other: ModelPartial): void {
    addInto(this.perSecond, other.perSecond);
    this.spans.forEach((s, i) => addInto(s.values, other.spans[i]!));
    this.writtenBytes += other.writtenBytes;
    this.profileBytes += other.profileBytes;
    this.exact = this.exact && other.exact;
  }

  /** True when every sum was of non-negative integers below 2^53: exact, whatever the order. */
  isExact(): boolean {
    if (!this.exact || this.writtenBytes > EXACT_MAX || this.profileBytes > EXACT_MAX) return false;
    for (const s of this.spans) {
      let total = 0;
      for (let i = 0; i < s.values.length; i++) total += s.values[i]!;
      if (total > EXACT_MAX) return false;
    }
    return true;
  }

  /** The model rows; `spans` of the folds are the cycle's then the period's. */
  rows(options: ModelOptions): ModelRow[] {
    this.closeVolume();
    const [cycle, period] = this.spans;
    return modelRows(
      {
        firstS: this.firstS,
        endS: this.endS,
        writtenBytes: this.writtenBytes,
        sync: (windowS) => slidingSummaryDense(this.perSecond, windowS),
        spans: (spanS) => (spanS === options.cycleS ? cycle! : period!).summary(),
      },
      options,
    );
  }
}

function addInto(target: Float64Array, source: Float64Array): void {
  if (target.length !== source.length) throw new Error(`model sums: ${source.length} entries, not ${target.length}`);
  for (let i = 0; i < target.length; i++) target[i]! += source[i]!;
}

/**
 * Summary of the sums of every `window` consecutive seconds of a per-second series (one value
 * per window start, as `slidingSums`), the running sum kept by adding the second that enters and
 * subtracting the one that leaves: exact for integer bytes below 2^53.
 */
export function slidingSummaryDense(perSecond: Float64Array, window: number): SeriesSummary {
  const lengthS = perSecond.length;
  if (lengthS === 0) return summarizeSparse([], 0);
  const w = Math.min(window, lengthS);
  const starts = lengthS - w + 1;
  const values = new Float64Array(starts);
  let n = 0;
  let sum = 0;
  for (let i = 0; i < w - 1; i++) sum += perSecond[i]!;
  for (let s = 0; s < starts; s++) {
    sum += perSecond[s + w - 1]!;
    if (sum !== 0) values[n++] = sum;
    sum -= perSecond[s]!;
  }
  return summarizeSparse(values.subarray(0, n), starts);
}
