import { parseBytes } from './bytes.js';
import { UsageError } from '../errors.js';

/** Track-size presets: IBM 3390 and 3380 CKD tracks, 32 KiB FBA tracks. */
export const TRACK_PRESETS: Readonly<Record<string, number>> = {
  '3390': 56_664,
  '3380': 47_476,
  fba32: 32 * 1024,
};

export const DEFAULT_TRACK_BYTES = 64 * 1024;

/**
 * First track a write at `offsetBytes` touches: floor(o / T). Two scalar functions, not a pair,
 * so the tracker's loop allocates nothing. Exact for offsets far beyond any real volume: 1/T
 * exceeds the double spacing of o/T.
 */
export function firstTrackOf(offsetBytes: number, trackBytes: number): number {
  return Math.floor(offsetBytes / trackBytes);
}

/** Last track (inclusive) a write of `lengthBytes` > 0 at `offsetBytes` touches: floor((o + L - 1) / T). */
export function lastTrackOf(offsetBytes: number, lengthBytes: number, trackBytes: number): number {
  return Math.floor((offsetBytes + lengthBytes - 1) / trackBytes);
}

/** Parse `--track`: a preset name (`3390`, `3380`, `fba32`) or a size (`64KiB`, `4096`). */
export function parseTrackBytes(text: string): number {
  const preset = TRACK_PRESETS[text.trim().toLowerCase()];
  const bytes = preset ?? parseBytes(text, 'track size');
  if (!Number.isInteger(bytes) || bytes < 512) {
    throw new UsageError(`track size must be a whole number of bytes >= 512; got "${text}"`);
  }
  return bytes;
}
