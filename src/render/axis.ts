import { isoFromS } from '../units/time.js';

/**
 * Chart axes: evenly spaced ticks on round times and durations, and labels that never overlap
 * (their width estimated from the font's character widths, then thinned).
 */

/** Round steps a time or duration axis may use (s): 1 s … 30 min, 1 h … 12 h, 1, 2, 7 days. */
export const ROUND_STEPS_S = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800,
];
const WEEK_S = 604800;
const DAY_S = 86400;
/** Weekly ticks fall on Mondays 00:00 UTC: 1970-01-01 was a Thursday, so Monday is 4 days in. */
const MONDAY_OFFSET_S = 4 * DAY_S;

/** Ticks of a time axis: the step chosen and the tick times (s, ascending, within the span). */
export interface TimeTicks {
  stepS: number;
  ticksS: number[];
}

/**
 * Ticks at whole multiples of the smallest round step that leaves at most `maxSteps` steps
 * across [fromS, toS] (beyond a week: whole weeks). With `absolute`, multiples count from the Unix
 * epoch in UTC (weeks from a Monday); else from 0 (a duration axis).
 */
export function roundTicks(fromS: number, toS: number, maxSteps: number, absolute = true): TimeTicks {
  const spanS = Math.max(toS - fromS, 1e-9);
  const stepS = ROUND_STEPS_S.find((s) => spanS / s <= maxSteps) ?? Math.ceil(spanS / maxSteps / WEEK_S) * WEEK_S;
  const originS = absolute && stepS % WEEK_S === 0 ? MONDAY_OFFSET_S : 0;
  const ticksS: number[] = [];
  for (let t = Math.ceil((fromS - originS) / stepS - 1e-9) * stepS + originS; t <= toS + 1e-9; t += stepS) {
    ticksS.push(t);
  }
  return { stepS, ticksS };
}

/**
 * UTC labels for time ticks: `HH:MM` (`HH:MM:SS` under a minute), the date `MM-DD` in front of the
 * first tick and of each tick on a new day; whole-day steps show `YYYY-MM-DD`.
 */
export function timeTickLabels(ticksS: readonly number[], stepS: number): string[] {
  let previousDay = '';
  return ticksS.map((t) => {
    const iso = isoFromS(t); // 2026-01-05T00:00:00Z
    const day = iso.slice(0, 10);
    if (stepS % DAY_S === 0) return day;
    const clock = stepS < 60 ? iso.slice(11, 19) : iso.slice(11, 16);
    const label = day === previousDay ? clock : `${iso.slice(5, 10)} ${clock}`;
    previousDay = day;
    return label;
  });
}

/**
 * Advance widths of a sans-serif font (Helvetica's metrics, per 1000 em), rounded up 10 % so a
 * wider system font still fits. Characters not listed count as an `M`-wide glyph, the widest.
 */
const NARROW = new Set([...' .,:;!|il\'"()[]/jft-']);
const WIDE = new Set([...'MWmw@%']);
export function textWidthPx(text: string, fontPx: number): number {
  let units = 0;
  for (const ch of text) {
    if (NARROW.has(ch)) units += 300;
    else if (WIDE.has(ch)) units += 900;
    else if (/[0-9a-z]/.test(ch)) units += 560;
    else if (/[A-Z]/.test(ch)) units += 700;
    else units += 900;
  }
  return (units / 1000) * fontPx * 1.1;
}

/** A tick label at a horizontal position (px), centred on it. */
export interface TickLabel {
  x: number;
  label: string;
}

/**
 * Keep labels that do not overlap (centred at x, at least `gapPx` apart): the first and the last
 * always, then greedily from the left. Assumes labels sorted by x.
 */
export function thinLabels(labels: readonly TickLabel[], fontPx: number, gapPx = 8): TickLabel[] {
  if (labels.length <= 2) return [...labels];
  const half = (l: TickLabel): number => textWidthPx(l.label, fontPx) / 2;
  const last = labels[labels.length - 1]!;
  const kept: TickLabel[] = [labels[0]!];
  for (let i = 1; i < labels.length - 1; i++) {
    const l = labels[i]!;
    const prev = kept[kept.length - 1]!;
    const clearOfPrevious = l.x - half(l) >= prev.x + half(prev) + gapPx;
    const clearOfLast = l.x + half(l) + gapPx <= last.x - half(last);
    if (clearOfPrevious && clearOfLast) kept.push(l);
  }
  const prev = kept[kept.length - 1]!;
  if (last.x - half(last) >= prev.x + half(prev) + gapPx) kept.push(last);
  return kept;
}
