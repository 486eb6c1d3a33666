/**
 * RPO over time as a sawtooth. Between two applies the remote copy's consistency point is fixed,
 * so RPO rises by one second per second; an apply drops it. A tooth holds the RPO samples at whole
 * seconds t = startS + r·periodS + j (r < repeats, j < count), each equal to firstRpoS + j. A
 * stretch without changes (identical teeth, one per empty cycle) is one tooth with repeats > 1,
 * so time and memory follow the cycles that carry changes, never the span of the window.
 */
export interface RpoTooth {
  startS: number;
  count: number;
  firstRpoS: number;
  repeats: number;
  /** Seconds between the starts of two repeats (the cycle); equals `count` for one repeat. */
  periodS: number;
}

/** Number of one-second samples the teeth hold. */
export function rpoSampleCount(teeth: readonly RpoTooth[]): number {
  let n = 0;
  for (const t of teeth) n += t.count * t.repeats;
  return n;
}

/** Samples at or under `rpoS`, counting each tooth's rising run in O(1). */
function countAtOrBelow(teeth: readonly RpoTooth[], rpoS: number): number {
  let n = 0;
  for (const t of teeth) n += t.repeats * Math.min(t.count, Math.max(0, Math.floor(rpoS - t.firstRpoS) + 1));
  return n;
}

/** Largest RPO sample (0 when there are none). */
export function rpoMaxS(teeth: readonly RpoTooth[]): number {
  let max = 0;
  for (const t of teeth) if (t.count > 0 && t.firstRpoS + t.count - 1 > max) max = t.firstRpoS + t.count - 1;
  return max;
}

/**
 * Nearest-rank percentile of the RPO samples: the smallest sample with at least p % of the samples
 * at or under it. Samples are whole seconds (t and the consistency point are whole seconds), so a
 * bisection over whole seconds finds it exactly.
 */
export function rpoPercentileS(teeth: readonly RpoTooth[], p: number): number {
  const n = rpoSampleCount(teeth);
  if (n === 0) return 0;
  const rank = Math.min(n, Math.max(1, Math.ceil((p / 100) * n)));
  let lo = Infinity;
  for (const t of teeth) if (t.count > 0 && t.firstRpoS < lo) lo = t.firstRpoS;
  let hi = rpoMaxS(teeth); // countAtOrBelow(hi) = n >= rank
  lo -= 1; // countAtOrBelow(lo) = 0 < rank
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (countAtOrBelow(teeth, mid) >= rank) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Time above a target, its longest stretch, and how many separate stretches (violations). */
export interface AboveTarget {
  secondsAboveS: number;
  longestAboveS: number;
  violations: number;
}

/** Seconds with RPO above `targetS`; teeth are contiguous in time, so stretches join across teeth. */
export function aboveTarget(teeth: readonly RpoTooth[], targetS: number): AboveTarget {
  let secondsAboveS = 0;
  let longestAboveS = 0;
  let violations = 0;
  let run = 0; // length of the stretch above target still open at the last sample
  for (const t of teeth) {
    if (t.count === 0) continue;
    const below = Math.min(t.count, Math.max(0, Math.floor(targetS - t.firstRpoS) + 1)); // leading samples <= target
    const above = t.count - below;
    secondsAboveS += above * t.repeats;
    if (below === 0) {
      if (run === 0) violations++;
      run += t.count * t.repeats;
    } else if (above > 0) {
      violations += t.repeats;
      run = above;
    } else run = 0;
    if (run > longestAboveS) longestAboveS = run;
  }
  return { secondsAboveS, longestAboveS, violations };
}

/** First whole second at or after `fromS` with RPO at or under `targetS`, or null. */
export function firstAtOrBelowS(teeth: readonly RpoTooth[], fromS: number, targetS: number): number | null {
  for (const t of teeth) {
    const lastJ = Math.min(t.count - 1, Math.floor(targetS - t.firstRpoS)); // samples j <= lastJ qualify
    if (lastJ < 0) continue;
    const r = Math.max(0, Math.ceil((fromS - t.startS - lastJ) / t.periodS));
    if (r >= t.repeats) continue;
    const j = Math.max(0, Math.ceil(fromS - t.startS - r * t.periodS));
    if (j <= lastJ) return t.startS + r * t.periodS + j;
  }
  return null;
}

/** One interval's largest RPO. */
export interface RpoRow {
  startS: number;
  /** Exclusive: one interval after `startS`, or the end of a folded idle stretch. */
  endS: number;
  maxRpoS: number;
}

/**
 * Maximum RPO within each collection interval that has samples. A folded stretch without changes
 * (a tooth repeated every cycle) gives one row spanning its intervals, with the stretch's maximum:
 * exact for each interval that holds the end of a repeat (every interval when the cycle is at most
 * the interval), an upper bound for the others. The rows cover every second that has a sample.
 */
export function maxRpoPerInterval(teeth: readonly RpoTooth[], intervalS: number): RpoRow[] {
  const rows: RpoRow[] = [];
  // Rows are put in time order; a row that begins inside the last one splits it at an interval start.
  const put = (startS: number, endS: number, rpoS: number): void => {
    const last = rows[rows.length - 1];
    if (last === undefined || startS >= last.endS) {
      rows.push({ startS, endS, maxRpoS: rpoS });
      return;
    }
    if (startS > last.startS) {
      // A folded stretch ended inside this interval (its last repeat's peak lies there): split it.
      rows.push({ startS, endS: last.endS, maxRpoS: last.maxRpoS });
      last.endS = startS;
    }
    const here = rows[rows.length - 1]!;
    if (endS > here.startS + intervalS && here.endS === here.startS + intervalS) {
      // A folded stretch begins in an interval that already has samples: that interval takes both maxima.
      here.maxRpoS = Math.max(here.maxRpoS, rpoS);
      if (endS > here.endS) rows.push({ startS: here.endS, endS, maxRpoS: rpoS });
      return;
    }
    here.maxRpoS = Math.max(here.maxRpoS, rpoS);
    here.endS = Math.max(here.endS, endS);
  };
  for (const t of teeth) {
    if (t.count === 0) continue;
    if (t.repeats > 1) {
      const firstS = Math.floor(t.startS / intervalS) * intervalS;
      const endS = Math.ceil((t.startS + (t.repeats - 1) * t.periodS + t.count) / intervalS) * intervalS;
      put(firstS, endS, t.firstRpoS + t.count - 1);
      continue;
    }
    const endS = t.startS + t.count; // exclusive
    for (let s = Math.floor(t.startS / intervalS) * intervalS; s < endS; s += intervalS) {
      const lastT = Math.min(endS, s + intervalS) - 1; // RPO rises within a tooth: its max is at the last sample
      put(s, s + intervalS, t.firstRpoS + (lastT - t.startS));
    }
  }
  return rows;
}

/**
 * Builds the teeth from the applies in time order. `apply(atS, switchS)`: from `atS` on the remote
 * copy is consistent as of `switchS`; samples before `atS` keep the previous consistency point.
 */
export class RpoBuilder {
  readonly teeth: RpoTooth[] = [];
  #fromS: number; // first sample not yet emitted
  #consistentS: number;

  constructor(startS: number) {
    this.#fromS = Math.ceil(startS);
    this.#consistentS = startS; // in sync at the start
  }

  apply(atS: number, switchS: number): void {
    this.#emitUntil(Math.ceil(atS));
    if (switchS > this.#consistentS) this.#consistentS = switchS;
  }

  /** `repeats` empty cycles of `periodS` from `startS` (= the consistency point now), applied at their switch. */
  repeatIdle(startS: number, periodS: number, repeats: number): void {
    this.#emitUntil(startS);
    if (repeats > 0) this.teeth.push({ startS, count: periodS, firstRpoS: 0, repeats, periodS });
    this.#fromS = startS + repeats * periodS;
    this.#consistentS = this.#fromS;
  }

  /** Close the samples at `endS` (exclusive): extend up to it, and drop what lies beyond. */
  finish(endS: number): RpoTooth[] {
    this.#emitUntil(endS);
    while (this.teeth.length > 0) {
      const t = this.teeth[this.teeth.length - 1]!;
      const tEnd = t.startS + (t.repeats - 1) * t.periodS + t.count;
      if (tEnd <= endS) break;
      // Callers keep folded stretches inside the samples.
      if (t.repeats > 1) throw new Error('rpo: a folded stretch past the end of the samples');
      if (t.startS >= endS) this.teeth.pop();
      else t.count = endS - t.startS;
    }
    return this.teeth;
  }

  #emitUntil(toS: number): void {
    if (toS <= this.#fromS) return;
    const count = toS - this.#fromS;
    const firstRpoS = this.#fromS - this.#consistentS;
    this.teeth.push({ startS: this.#fromS, count, firstRpoS, repeats: 1, periodS: count });
    this.#fromS = toS;
  }
}

/**
 * Tells, while the teeth are built, when RPO at percentile `percentile` can no longer be at or
 * under `targetS`, whatever the rest of the simulation does. The samples are the window's
 * `windowS` seconds plus a tail T >= 0 past its end (while the link drains); a tail sample t
 * is above the target unless t − windowEnd < targetS (the remote copy is then consistent as of a
 * switch before the window's end), so at most X = ceil(targetS) + 1 of the tail's samples are at
 * or under it. With A samples of the window above the target, at most windowS − A + min(T, X)
 * are at or under it, against a rank of ceil(p/100 · (windowS + T)); the gap is widest at T = X,
 * so A > windowS + X − ceil(p/100 · (windowS + X)) decides that the target is missed.
 */
export class MissWatch {
  readonly #teeth: readonly RpoTooth[];
  readonly #endS: number;
  readonly #targetS: number;
  readonly #maxAbove: number;
  #counted = 0;
  #above = 0;

  constructor(teeth: readonly RpoTooth[], startS: number, endS: number, targetS: number, percentile: number) {
    this.#teeth = teeth;
    this.#endS = endS;
    this.#targetS = targetS;
    const n = endS - Math.ceil(startS) + Math.ceil(targetS) + 1;
    this.#maxAbove = n - Math.min(n, Math.max(1, Math.ceil((percentile / 100) * n)));
  }

  /** Whether the teeth built so far (final inside the window) already miss the target. */
  missed(): boolean {
    const teeth = this.#teeth;
    for (; this.#counted < teeth.length; this.#counted++) {
      const t = teeth[this.#counted]!;
      // Teeth before the window's end are final; a tooth running past it counts its samples inside.
      const inside = t.repeats > 1 ? t.count : Math.min(t.count, this.#endS - t.startS);
      if (inside <= 0) continue;
      const below = Math.min(inside, Math.max(0, Math.floor(this.#targetS - t.firstRpoS) + 1));
      this.#above += (inside - below) * t.repeats;
    }
    return this.#above > this.#maxAbove;
  }
}
