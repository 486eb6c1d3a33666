import { parseBytes } from './bytes.js';
import { UsageError } from '../errors.js';

/** Track-size presets: IBM 3390 and 3380 CKD tracks, 32 KiB FBA tracks. */
export const TRACK_PRESETS: Readonly<Record<string, number>> = {
  '3390': 56_664,
  '3380': 47_476,
  fba32: 32 * 1024,
};

export const DEFAULT_TRACK_BYTES = 64 * 1024;

/** Parse `--track`: a preset name (`3390`, `3380`, `fba32`) or a size (`64KiB`, `4096`). */
export function parseTrackBytes(text: string): number {
  const preset = TRACK_PRESETS[text.trim().toLowerCase()];
  const bytes = preset ?? parseBytes(text, 'track size');
  if (!Number.isInteger(bytes) || bytes < 512) {
    throw new UsageError(`track size must be a whole number of bytes >= 512; got "${text}"`);
  }
  return bytes;
}
