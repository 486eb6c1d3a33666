import { UsageError } from '../errors.js';
import { parseDurationS } from './duration.js';

/**
 * Parse a point in time: epoch seconds (`1700000000`, `0`) or ISO 8601 (`2026-01-01T10:00`,
 * `2026-01-01 10:00:00Z`, `2026-01-01T10:00+02:00`). ISO text without a zone is UTC, so a
 * report never depends on the machine's time zone. Returns seconds since the epoch.
 */
export function parseTimeS(text: string, what = 'time'): number {
  const t = text.trim();
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  if (/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i.test(t)) {
    const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(t) && t.length > 10;
    const iso = t.replace(' ', 'T') + (hasZone ? '' : t.length === 10 ? 'T00:00:00Z' : 'Z');
    const ms = Date.parse(iso);
    if (!Number.isNaN(ms)) return ms / 1000;
  }
  throw new UsageError(`${what} is not a time (epoch seconds or ISO 8601 such as 2026-01-01T10:00Z): "${text}"`);
}

/** A time range [fromS, toS) — toS exclusive. */
export interface TimeRange {
  fromS: number;
  toS: number;
}

/** Parse `START/END` or `START/DURATION` (e.g. `2026-01-01T10:00/2h`). */
export function parseTimeRange(text: string, what = 'window'): TimeRange {
  const slash = text.lastIndexOf('/');
  if (slash <= 0)
    throw new UsageError(`${what} must be START/END or START/DURATION (e.g. 2026-01-01T10:00/2h): "${text}"`);
  const fromS = parseTimeS(text.slice(0, slash), `${what} start`);
  const tail = text.slice(slash + 1);
  let toS: number;
  try {
    toS = parseTimeS(tail, `${what} end`);
  } catch {
    toS = fromS + parseDurationS(tail, `${what} end or duration`);
  }
  if (toS <= fromS) throw new UsageError(`${what} ends before it starts: "${text}"`);
  return { fromS, toS };
}

/** `2026-01-01T10:00:00Z` from epoch seconds. */
export function isoFromS(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}
