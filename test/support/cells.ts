import { serializeRoaring } from '../../src/bitmap/roaring.js';
import type { IntervalRow } from '../../src/store/store.js';
import { encodeProfile } from '../../src/store/write-profile.js';

/** One (volume, interval) where each of `tracks` took one 4 KiB write, and nothing was read. */
export function writeCell(volume: string, startS: number, tracks: readonly number[]): IntervalRow {
  return {
    volume,
    startS,
    writes: tracks.length,
    writeBytes: tracks.length * 4096,
    reads: 0,
    readBytes: 0,
    changedTracks: tracks.length,
    bitmap: serializeRoaring(Uint32Array.from(tracks).sort()),
    writeProfile: encodeProfile(Float64Array.of(tracks.length * 4096)),
  };
}
