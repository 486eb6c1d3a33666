import { UsageError } from '../errors.js';

/** A reporting bucket [startS, endS) — endS exclusive — over which bitmaps are ORed. */
export interface Bucket {
  startS: number;
  endS: number;
}

/** `null`: one bucket for the whole window; `'interval'`: one per interval; n: windows of n s. */
export type Per = null | 'interval' | number;

/**
 * Plan the buckets of a report over [fromS, toS): the range is widened to whole intervals, and
 * windows of `per` seconds are aligned to the epoch like intervals are.
 */
export function planBuckets(fromS: number, toS: number, intervalS: number, per: Per): Bucket[] {
  const first = Math.floor(fromS / intervalS) * intervalS;
  const end = Math.ceil(toS / intervalS) * intervalS;
  if (end <= first) return [];
  if (per === null) return [{ startS: first, endS: end }];
  const step = per === 'interval' ? intervalS : per;
  if (step % intervalS !== 0)
    throw new UsageError(`per ${step} s is not a multiple of the ${intervalS} s collection interval`);
  const buckets: Bucket[] = [];
  for (let s = Math.floor(first / step) * step; s < end; s += step) {
    buckets.push({ startS: Math.max(s, first), endS: Math.min(s + step, end) });
  }
  return buckets;
}

/**
 * The buckets of a report as arithmetic, not an array: a window of years at one second must cost
 * nothing until a bucket is used. Same buckets as `planBuckets`.
 */
export class BucketPlan {
  readonly firstS: number;
  readonly endS: number; // exclusive
  readonly stepS: number;
  readonly alignedS: number;
  readonly count: number;

  constructor(fromS: number, toS: number, intervalS: number, per: Per) {
    this.firstS = Math.floor(fromS / intervalS) * intervalS;
    this.endS = Math.max(this.firstS, Math.ceil(toS / intervalS) * intervalS);
    this.stepS = per === null ? Math.max(intervalS, this.endS - this.firstS) : per === 'interval' ? intervalS : per;
    if (this.stepS % intervalS !== 0) {
      throw new UsageError(`per ${this.stepS} s is not a multiple of the ${intervalS} s collection interval`);
    }
    this.alignedS = per === null ? this.firstS : Math.floor(this.firstS / this.stepS) * this.stepS;
    this.count = this.endS <= this.firstS ? 0 : Math.ceil((this.endS - this.alignedS) / this.stepS);
  }

  bucket(index: number): Bucket {
    const s = this.alignedS + index * this.stepS;
    return { startS: Math.max(s, this.firstS), endS: Math.min(s + this.stepS, this.endS) };
  }

  /** Index of the bucket holding time `s` (inside the window). */
  indexOf(s: number): number {
    return Math.floor((s - this.alignedS) / this.stepS);
  }
}
