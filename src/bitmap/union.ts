import { serializeRoaring, walkRoaring } from './roaring.js';
import { mergeProfiles } from '../collect/write-profile.js';
import type { IntervalCounts } from '../store/store.js';

/**
 * Exact union of serialized roaring bitmaps, serialized again. Used by the stores to merge a
 * reopened interval's second closing into the first; rare, so clarity wins over speed.
 */
export function unionRoaring(blobs: Uint8Array[]): { bitmap: Uint8Array; cardinality: number } {
  const values: number[] = [];
  for (const blob of blobs) {
    walkRoaring(blob, {
      range(first, last) {
        for (let v = first; v <= last; v++) values.push(v);
      },
    });
  }
  const sorted = Uint32Array.from(values).sort();
  let n = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[n - 1]) sorted[n++] = sorted[i]!;
  return { bitmap: serializeRoaring(sorted, n), cardinality: n };
}

/** Merge two stored closings of the same (volume, interval). */
export function mergeCounters<T extends IntervalCounts>(a: T, b: T): T {
  const { bitmap, cardinality } = unionRoaring([a.bitmap, b.bitmap]);
  return {
    ...a,
    writeProfile: mergeProfiles(a.writeProfile, b.writeProfile),
    writes: a.writes + b.writes,
    writeBytes: a.writeBytes + b.writeBytes,
    reads: a.reads + b.reads,
    readBytes: a.readBytes + b.readBytes,
    changedTracks: cardinality,
    bitmap,
  };
}
