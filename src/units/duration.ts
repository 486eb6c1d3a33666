import { UsageError } from '../errors.js';

const SECONDS_PER_UNIT: Record<string, number> = {
  s: 1,
  sec: 1,
  second: 1,
  seconds: 1,
  m: 60,
  min: 60,
  minute: 60,
  minutes: 60,
  h: 3600,
  hour: 3600,
  hours: 3600,
  d: 86400,
  day: 86400,
  days: 86400,
  ms: 0.001,
};

/**
 * Parse a duration such as `30s`, `5m`, `1h`, `1h30m`, `2d` or a bare number of seconds.
 * Returns seconds (may be fractional for `ms`).
 */
export function parseDurationS(text: string, what = 'duration'): number {
  // `M` is minutes to some and months or mega to others: refuse it rather than guess.
  if (/\dM/.test(text)) {
    throw new UsageError(
      `${what}: "M" is not a duration unit (write min for minutes, h for hours, d for days): "${text}"`,
    );
  }
  const compact = text.replace(/\s+/g, '').toLowerCase();
  if (/^\d+(\.\d+)?$/.test(compact)) return Number(compact);
  if (!/^(\d+(\.\d+)?[a-z]+)+$/.test(compact)) throw notADuration(what, text);
  let total = 0;
  for (const m of compact.matchAll(/(\d+(?:\.\d+)?)([a-z]+)/g)) {
    const factor = SECONDS_PER_UNIT[m[2]!];
    if (factor === undefined) throw notADuration(what, text);
    total += Number(m[1]) * factor;
  }
  return total;
}

function notADuration(what: string, text: string): UsageError {
  return new UsageError(`${what} is not a duration (e.g. 30s, 5m, 1h): "${text}"`);
}

/** Human form of a duration in seconds: `45 s`, `5 min`, `1 h 30 min`, `2 d 3 h`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return seconds > 0 ? 'never' : '-';
  if (seconds < 1) return `${(seconds * 1000).toFixed(0)} ms`;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const s = Math.round(seconds);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return h === 0 ? `${d} d` : `${d} d ${h} h`;
  if (h > 0) return m === 0 ? `${h} h` : `${h} h ${m} min`;
  return sec === 0 ? `${m} min` : `${m} min ${sec} s`;
}
