import { unionBitmaps } from '../bitmap/union.js';
import { mergeProfiles } from './write-profile.js';
import type { IntervalCounts } from './store.js';

/**
 * Merge two stored closings of the same (volume, interval): tracks ORed exactly (in bounded
 * memory, container by container), counters and write profiles summed.
 */
export function mergeCounters<T extends IntervalCounts>(a: T, b: T): T {
  const { bitmap, cardinality } = unionBitmaps([a.bitmap, b.bitmap]);
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
