import type { FieldCursor } from './fields.js';

/**
 * The span of absolute trace times taken as plausible, µs since the Unix epoch: from
 * 1990-01-01 (inclusive) to 2100-01-01 UTC (exclusive). No block trace predates the formats
 * that carry an absolute time, and a time outside this span is a zero, a truncated field or
 * a unit mistake; one such record would otherwise stretch a run over centuries.
 */
export const PLAUSIBLE_FROM_US = Date.UTC(1990, 0, 1) * 1000;
export const PLAUSIBLE_UNTIL_US = Date.UTC(2100, 0, 1) * 1000; // exclusive

/** True when an absolute time (µs since the epoch) lies in the plausible span. */
export const isPlausibleUs = (timeUs: number): boolean => timeUs >= PLAUSIBLE_FROM_US && timeUs < PLAUSIBLE_UNTIL_US;

/**
 * `timeUs`, read from the cursor's current field `name`, or an InputError naming the field when it
 * lies outside the plausible span (for formats whose timestamps are absolute).
 */
export function plausibleTimeUs(f: FieldCursor, name: string, timeUs: number): number {
  if (isPlausibleUs(timeUs)) return timeUs;
  const ms = timeUs / 1000;
  const when = Math.abs(ms) < 8.64e15 ? `${new Date(Math.floor(ms)).toISOString().slice(0, 10)}, ` : '';
  return fail(f, `${name} is not a plausible time: "${f.excerpt()}" (${when}outside 1990-01-01 .. 2100-01-01 UTC)`);
}

function fail(f: FieldCursor, problem: string): never {
  throw f.error(problem);
}

/**
 * Why a relative trace time, once the start (`--start`) is added, cannot be counted — as a phrase
 * after the field's name — or null when it can. Relative formats start at the Unix epoch by
 * default, so the span is 1970-01-01 (inclusive) to 2100-01-01 UTC (exclusive): a time beyond it
 * is garbage (a corrupt or mis-typed field), and would put an interval start past exact doubles.
 */
export function relativeTimeProblem(timeUs: number): string | null {
  if (timeUs >= 0 && timeUs < PLAUSIBLE_UNTIL_US) return null;
  return (
    `plus the start time is ${Number.isFinite(timeUs) ? Math.round(timeUs / 1e6) : timeUs} s since the epoch, ` +
    'outside 1970-01-01 .. 2100-01-01 UTC'
  );
}
