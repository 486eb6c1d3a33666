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
  if (step % intervalS !== 0) throw new UsageError(`--per ${step} s is not a multiple of the ${intervalS} s collection interval`);
  const buckets: Bucket[] = [];
  for (let s = Math.floor(first / step) * step; s < end; s += step) {
    buckets.push({ startS: Math.max(s, first), endS: Math.min(s + step, end) });
  }
  return buckets;
}

/** Interval starts inside a bucket. */
export function intervalStartsIn(bucket: Bucket, intervalS: number): number[] {
  const starts: number[] = [];
  for (let s = bucket.startS; s < bucket.endS; s += intervalS) starts.push(s);
  return starts;
}
