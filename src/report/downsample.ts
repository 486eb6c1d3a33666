import type { ChurnRow } from './churn.js';

/** Points per chart series: about what a screen shows across; more only cost bytes. */
export const CHART_POINTS = 2000;

/** A chart's points: per-interval rows folded into at most `maxPoints` steps. */
export interface ChartSeries {
  /** Seconds per point: a whole number of intervals. */
  stepS: number;
  /** One row per (point, entity), points ascending, zeros included. */
  rows: ChurnRow[];
}

/**
 * Fold a per-interval row stream (any order of entities, sparse or dense) over [firstS, endS)
 * into at most `maxPoints` points per entity, each the maximum of the intervals it covers (a
 * bar as tall as the tallest interval under its pixel), so peaks survive downsampling. Memory:
 * points × entities, whatever the window's length.
 */
export async function chartSeries(
  rows: AsyncIterable<ChurnRow>,
  firstS: number,
  endS: number,
  intervalS: number,
  maxPoints: number,
): Promise<ChartSeries> {
  const intervals = Math.max(0, Math.round((endS - firstS) / intervalS));
  const perPoint = Math.max(1, Math.ceil(intervals / maxPoints));
  const stepS = perPoint * intervalS;
  const points = Math.ceil(intervals / perPoint);
  const byName = new Map<string, { template: ChurnRow; changed: Float64Array; written: Float64Array }>();
  for await (const r of rows) {
    let s = byName.get(r.name);
    if (s === undefined) {
      byName.set(r.name, (s = { template: r, changed: new Float64Array(points), written: new Float64Array(points) }));
    }
    const k = Math.floor((r.startS - firstS) / stepS);
    if (k < 0 || k >= points) continue;
    s.changed[k] = Math.max(s.changed[k]!, r.changedBytes);
    s.written[k] = Math.max(s.written[k]!, r.writeBytes ?? 0);
  }
  const out: ChurnRow[] = [];
  for (let k = 0; k < points; k++) {
    for (const [name, s] of byName) {
      const startS = firstS + k * stepS;
      out.push({
        ...s.template,
        name,
        startS,
        endS: Math.min(endS, startS + stepS),
        writes: null,
        reads: null,
        readBytes: null,
        changedTracks: 0,
        changedBytes: s.changed[k]!,
        writeBytes: s.written[k]!,
        percentChanged: null,
        foldRatio: null,
      });
    }
  }
  return { stepS, rows: out };
}
