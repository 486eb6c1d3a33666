import { escapeXml } from './escape.js';

/**
 * Small, dependency-free SVG charts for the HTML report: stacked areas over time and line
 * charts (linear or log x). Numbers are rounded to 0.1 px so output is stable for snapshots.
 */

export const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

export interface Series {
  name: string;
  values: number[]; // one per x
}

export interface ChartOptions {
  title: string;
  yLabel: string;
  width?: number;
  height?: number;
  /** Label for an x value (time axis: ISO text). */
  xLabel: (x: number) => string;
  /** Value formatter for y ticks. */
  yFormat?: (y: number) => string;
  logX?: boolean;
  /** A horizontal reference line (e.g. the RPO target). */
  reference?: { y: number; label: string };
}

const maxOf = (values: number[]): number => values.reduce((m, v) => (v > m ? v : m), 0);

const MARGIN = { left: 72, right: 48, top: 36, bottom: 44 };
const r1 = (v: number): string => (Math.round(v * 10) / 10).toString();
const esc = escapeXml;

/** Round a maximum up to 1, 2 or 5 × 10^k and return tick values from 0. */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let v = 0; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  if (ticks[ticks.length - 1]! < max) ticks.push(Number((ticks[ticks.length - 1]! + step).toPrecision(12)));
  return ticks;
}

function frame(o: ChartOptions, xs: number[], yTicks: number[], body: string, legend: string[]): string {
  const width = o.width ?? 900;
  const height = o.height ?? 300;
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const yMax = yTicks[yTicks.length - 1]!;
  const fmt = o.yFormat ?? ((v: number) => String(v));
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(o.title)}">`,
    `<title>${esc(o.title)}</title>`,
    `<text x="${MARGIN.left}" y="20" font-size="14" font-weight="600">${esc(o.title)}</text>`,
    `<text x="14" y="${r1(MARGIN.top + plotH / 2)}" font-size="11" transform="rotate(-90 14 ${r1(MARGIN.top + plotH / 2)})" text-anchor="middle">${esc(o.yLabel)}</text>`,
  ];
  for (const t of yTicks) {
    const y = MARGIN.top + plotH - (t / yMax) * plotH;
    parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${r1(y)}" y2="${r1(y)}" stroke="#ddd"/>`);
    parts.push(`<text x="${MARGIN.left - 6}" y="${r1(y + 4)}" font-size="11" text-anchor="end">${esc(fmt(t))}</text>`);
  }
  const n = xs.length;
  const tickCount = Math.min(6, n);
  for (let k = 0; k < tickCount; k++) {
    const i = tickCount === 1 ? 0 : Math.round((k * (n - 1)) / (tickCount - 1));
    const x = xPos(o, xs, i, plotW);
    parts.push(`<text x="${r1(x)}" y="${height - MARGIN.bottom + 16}" font-size="11" text-anchor="middle">${esc(o.xLabel(xs[i]!))}</text>`);
  }
  parts.push(`<g class="data">${body}</g>`);
  if (o.reference && o.reference.y <= yMax) {
    const y = MARGIN.top + plotH - (o.reference.y / yMax) * plotH;
    parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${r1(y)}" y2="${r1(y)}" stroke="#c00" stroke-dasharray="6 4"/>`);
    parts.push(`<text x="${MARGIN.left + plotW - 4}" y="${r1(y - 4)}" font-size="11" fill="#c00" text-anchor="end">${esc(o.reference.label)}</text>`);
  }
  legend.forEach((name, i) => {
    const x = MARGIN.left + 8 + i * 150;
    parts.push(`<rect x="${x}" y="${height - 16}" width="10" height="10" fill="${PALETTE[i % PALETTE.length]}"/><text x="${x + 14}" y="${height - 7}" font-size="11">${esc(name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

function xPos(o: ChartOptions, xs: number[], i: number, plotW: number): number {
  const n = xs.length;
  if (n <= 1) return MARGIN.left + plotW / 2;
  if (o.logX) {
    const lo = Math.log(xs[0]!);
    const hi = Math.log(xs[n - 1]!);
    return MARGIN.left + ((Math.log(xs[i]!) - lo) / (hi - lo)) * plotW;
  }
  return MARGIN.left + ((xs[i]! - xs[0]!) / (xs[n - 1]! - xs[0]!)) * plotW;
}

/** Series stacked on each other as filled areas (e.g. changed bytes per interval, by group). */
export function stackedAreaChart(xs: number[], series: Series[], o: ChartOptions): string {
  const height = o.height ?? 300;
  const width = o.width ?? 900;
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const totals = xs.map((_, i) => series.reduce((s, x) => s + (x.values[i] ?? 0), 0));
  const yTicks = niceTicks(maxOf(totals));
  const yMax = yTicks[yTicks.length - 1]!;
  const base = new Array<number>(xs.length).fill(0);
  const y = (v: number): number => MARGIN.top + plotH - (v / yMax) * plotH;
  const body = series.map((s, k) => {
    const top = xs.map((_, i) => base[i]! + (s.values[i] ?? 0));
    const upper = xs.map((_, i) => `${r1(xPos(o, xs, i, plotW))},${r1(y(top[i]!))}`);
    const lower = xs.map((_, i) => `${r1(xPos(o, xs, i, plotW))},${r1(y(base[i]!))}`).reverse();
    top.forEach((v, i) => (base[i] = v));
    return `<path d="M${upper.join('L')}L${lower.join('L')}Z" fill="${PALETTE[k % PALETTE.length]}" fill-opacity="0.85"><title>${esc(s.name)}</title></path>`;
  }).join('');
  return frame(o, xs, yTicks, body, series.map((s) => s.name));
}

/** One or more lines over the same x values. */
export function lineChart(xs: number[], series: Series[], o: ChartOptions): string {
  const height = o.height ?? 300;
  const width = o.width ?? 900;
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const yTicks = niceTicks(Math.max(o.reference?.y ?? 0, ...series.map((s) => maxOf(s.values))));
  const yMax = yTicks[yTicks.length - 1]!;
  const body = series.map((s, k) => {
    const points = xs.map((_, i) => `${r1(xPos(o, xs, i, plotW))},${r1(MARGIN.top + plotH - ((s.values[i] ?? 0) / yMax) * plotH)}`);
    return `<path d="M${points.join('L')}" fill="none" stroke="${PALETTE[k % PALETTE.length]}" stroke-width="2"><title>${esc(s.name)}</title></path>`;
  }).join('');
  return frame(o, xs, yTicks, body, series.length > 1 ? series.map((s) => s.name) : []);
}
