import { roundTicks, timeTickLabels } from './axis.js';
import { escapeXml } from './escape.js';
import {
  geometry,
  lineStyle,
  niceTicks,
  PALETTE,
  r1,
  renderFrame,
  strokeOf,
  xScale,
  yScale,
  type Series,
} from './svg.js';

/**
 * Charts of per-interval figures over time, drawn as steps: each value spans its own interval
 * [fromS, toS) at full width, so two 1-minute intervals cover two minutes of the axis, not a
 * ramp between their starts. The time axis has ticks on round UTC times.
 */

/** The time span a value covers: [fromS, toS). */
export interface Span {
  fromS: number;
  toS: number; // exclusive
}

export interface StepChartOptions {
  title: string;
  yLabel: string;
  /** The time axis: [fromS, toS]. */
  fromS: number;
  toS: number;
  /** The top of the y scale to use at least (several charts on one scale). */
  yMax?: number;
  yFormat?: (y: number) => string;
  reference?: { y: number; label: string };
  width?: number;
}

const esc = escapeXml;

/** Largest number of tick steps across a plot: labels of ~11 characters need ~100 px each. */
const maxTimeSteps = (plotW: number): number => Math.max(1, Math.floor(plotW / 110));

/**
 * The outline of values held over spans: (x, y) corners left to right; between spans that do
 * not touch, the outline drops to `gapValue`.
 */
function stepPoints(spans: readonly Span[], values: readonly number[], gapValue: number): [number, number][] {
  const out: [number, number][] = [];
  spans.forEach((s, i) => {
    const v = values[i] ?? 0;
    const prev = spans[i - 1];
    if (prev !== undefined && prev.toS < s.fromS) out.push([prev.toS, gapValue], [s.fromS, gapValue]);
    out.push([s.fromS, v], [s.toS, v]);
  });
  return out;
}

/** SVG path commands through points: H and V where a segment is straight across or up, collinear runs merged. */
function pathOf(points: readonly [number, number][]): string {
  const commands: string[] = [];
  let px = '';
  let py = '';
  for (const [x, y] of points) {
    const sx = r1(x);
    const sy = r1(y);
    if (commands.length === 0) commands.push(`M${sx},${sy}`);
    else if (sx === px && sy === py) continue;
    else if (sy === py) {
      if (commands[commands.length - 1]!.startsWith('H')) commands.pop();
      commands.push(`H${sx}`);
    } else if (sx === px) {
      if (commands[commands.length - 1]!.startsWith('V')) commands.pop();
      commands.push(`V${sy}`);
    } else commands.push(`L${sx},${sy}`);
    px = sx;
    py = sy;
  }
  return commands.join('');
}

function timeAxis(o: StepChartOptions, x: (s: number) => number, plotW: number): { x: number; label: string }[] {
  const { stepS, ticksS } = roundTicks(o.fromS, o.toS, maxTimeSteps(plotW));
  const labels = timeTickLabels(ticksS, stepS);
  return ticksS.map((t, i) => ({ x: x(t), label: labels[i]! }));
}

/** Series stacked on each other as filled steps (e.g. changed bytes per interval, by group). */
export function stackedStepChart(spans: readonly Span[], series: readonly Series[], o: StepChartOptions): string {
  const g = geometry(o.width);
  const x = xScale(g, o.fromS, o.toS, false);
  const totals = spans.map((_, i) => series.reduce((n, s) => n + (s.values[i] ?? 0), 0));
  const yTicks = niceTicks(Math.max(o.yMax ?? 0, ...totals));
  const y = yScale(g, yTicks);
  const base = new Array<number>(spans.length).fill(0);
  const body = series
    .map((s, k) => {
      const lower = [...base];
      const upper = spans.map((_, i) => base[i]! + (s.values[i] ?? 0));
      upper.forEach((v, i) => (base[i] = v));
      const top = stepPoints(spans, upper, 0).map(([t, v]): [number, number] => [x(t), y(v)]);
      const bottom = stepPoints(spans, lower, 0)
        .map(([t, v]): [number, number] => [x(t), y(v)])
        .reverse();
      return (
        `<path d="${pathOf([...top, ...bottom])}Z" fill="${PALETTE[k % PALETTE.length]}" ` +
        `fill-opacity="0.85"><title>${esc(s.name)}</title></path>`
      );
    })
    .join('');
  return renderFrame(
    g,
    {
      title: o.title,
      yLabel: o.yLabel,
      xTitle: 'time (UTC)',
      yTicks,
      xLabels: timeAxis(o, x, g.plotW),
      legend: series.map((s, k) => ({ name: s.name, color: PALETTE[k % PALETTE.length]!, kind: 'area' as const })),
      ...(o.yFormat ? { yFormat: o.yFormat } : {}),
      ...(o.reference ? { reference: o.reference } : {}),
    },
    body,
  );
}

/** One value per span drawn as a step line (e.g. the maximum RPO of each interval). */
export function stepLineChart(spans: readonly Span[], s: Series, o: StepChartOptions): string {
  const g = geometry(o.width);
  const x = xScale(g, o.fromS, o.toS, false);
  const yTicks = niceTicks(Math.max(o.yMax ?? 0, o.reference?.y ?? 0, ...s.values));
  const y = yScale(g, yTicks);
  const style = lineStyle(0, s.name);
  const points = stepPoints(spans, s.values, 0).map(([t, v]): [number, number] => [x(t), y(v)]);
  const body =
    `<path d="${pathOf(points)}" ${strokeOf({ ...style, strokeWidth: 2 })}>` + `<title>${esc(s.name)}</title></path>`;
  return renderFrame(
    g,
    {
      title: o.title,
      yLabel: o.yLabel,
      xTitle: 'time (UTC)',
      yTicks,
      xLabels: timeAxis(o, x, g.plotW),
      legend: [],
      ...(o.yFormat ? { yFormat: o.yFormat } : {}),
      ...(o.reference ? { reference: o.reference } : {}),
    },
    body,
  );
}
