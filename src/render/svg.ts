import { textWidthPx, thinLabels, type TickLabel } from './axis.js';
import { escapeXml } from './escape.js';

/**
 * Small, dependency-free SVG charts for the HTML report: the frame every chart shares (white
 * background, font family, y grid, x tick labels, axis titles, legend) and line charts over a
 * linear or log x. Time charts drawn as steps are in steps.ts. Numbers are rounded to 0.1 px so
 * output is stable for snapshots; every text from a trace goes through escapeXml.
 */

export const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];
const FONT_FAMILY = 'system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif';
const FONT_PX = 11;

export interface Series {
  name: string;
  values: number[]; // one per x
}

/** Where the plot sits inside the chart (px). */
export interface Geometry {
  width: number;
  left: number;
  top: number;
  plotW: number;
  plotH: number;
}

export const geometry = (width = 900, plotH = 220): Geometry => ({
  width,
  left: 72,
  top: 36,
  plotW: width - 72 - 48,
  plotH,
});

export const r1 = (v: number): string => (Math.round(v * 10) / 10).toString();
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

/** How a series is drawn: filled (areas) or a line; later lines dashed and thinner, so none hides another. */
export interface LegendItem {
  name: string;
  color: string;
  kind: 'area' | 'line';
  dash?: string;
  strokeWidth?: number;
}

const LINE_STYLES = [
  { strokeWidth: 3.5 },
  { strokeWidth: 2.5, dash: '9 4' },
  { strokeWidth: 2, dash: '4 3' },
  { strokeWidth: 1.5, dash: '2 2' },
];

/** The style of the k-th line of a chart. */
export function lineStyle(k: number, name: string): LegendItem {
  const s = LINE_STYLES[k % LINE_STYLES.length]!;
  return { name, color: PALETTE[k % PALETTE.length]!, kind: 'line', ...s };
}

/** Stroke attributes of a line style. */
export const strokeOf = (s: LegendItem): string =>
  `fill="none" stroke="${s.color}" stroke-width="${s.strokeWidth ?? 2}"` +
  (s.dash ? ` stroke-dasharray="${s.dash}"` : '');

/** What the frame draws around a chart's data. */
export interface Frame {
  title: string;
  yLabel: string;
  /** The x axis title: what and in which unit or time zone. */
  xTitle: string;
  yTicks: number[];
  yFormat?: (y: number) => string;
  /** Tick labels at x positions (px); thinned so none overlap. */
  xLabels: TickLabel[];
  legend: LegendItem[];
  /** A horizontal reference line (e.g. the RPO target), in y units. */
  reference?: { y: number; label: string };
  /** Extra marks drawn over the data (already positioned SVG). */
  overlay?: string;
}

/** y position (px) of a value on the frame's scale. */
export function yScale(g: Geometry, yTicks: readonly number[]): (v: number) => number {
  const yMax = yTicks[yTicks.length - 1]!;
  return (v) => g.top + g.plotH - (v / yMax) * g.plotH;
}

/** Legend rows: items laid left to right by their measured width, wrapped at the chart's width. */
function legendRows(g: Geometry, items: readonly LegendItem[]): { item: LegendItem; x: number; row: number }[] {
  const out: { item: LegendItem; x: number; row: number }[] = [];
  let x = g.left;
  let row = 0;
  for (const item of items) {
    const w = 24 + textWidthPx(item.name, FONT_PX) + 16;
    if (x + w > g.width - 8 && x > g.left) {
      row++;
      x = g.left;
    }
    out.push({ item, x, row });
    x += w;
  }
  return out;
}

/** A whole chart: background, title, axes, grid, tick labels, the data body, reference and legend. */
export function renderFrame(g: Geometry, f: Frame, body: string): string {
  const legend = legendRows(g, f.legend);
  const rows = legend.length === 0 ? 0 : legend[legend.length - 1]!.row + 1;
  const axisY = g.top + g.plotH;
  const height = axisY + 40 + rows * 16 + (rows > 0 ? 6 : 0);
  const y = yScale(g, f.yTicks);
  const fmt = f.yFormat ?? ((v: number) => String(v));
  const midY = r1(g.top + g.plotH / 2);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${g.width} ${height}" width="${g.width}" ` +
      `height="${height}" font-family="${FONT_FAMILY}" role="img" aria-label="${esc(f.title)}">`,
    `<title>${esc(f.title)}</title>`,
    `<rect class="background" x="0" y="0" width="${g.width}" height="${height}" fill="#fff"/>`,
    `<text x="${g.left}" y="20" font-size="14" font-weight="600">${esc(f.title)}</text>`,
    `<text x="14" y="${midY}" font-size="${FONT_PX}" transform="rotate(-90 14 ${midY})" text-anchor="middle">` +
      `${esc(f.yLabel)}</text>`,
  ];
  for (const t of f.yTicks) {
    const ty = r1(y(t));
    parts.push(`<line x1="${g.left}" x2="${g.left + g.plotW}" y1="${ty}" y2="${ty}" stroke="#ddd"/>`);
    parts.push(
      `<text x="${g.left - 6}" y="${r1(y(t) + 4)}" font-size="${FONT_PX}" text-anchor="end">` + `${esc(fmt(t))}</text>`,
    );
  }
  parts.push(`<g class="x-ticks">`);
  for (const l of thinLabels(f.xLabels, FONT_PX)) {
    parts.push(
      `<line x1="${r1(l.x)}" x2="${r1(l.x)}" y1="${axisY}" y2="${axisY + 4}" stroke="#888"/>` +
        `<text x="${r1(l.x)}" y="${axisY + 16}" font-size="${FONT_PX}" text-anchor="middle">${esc(l.label)}</text>`,
    );
  }
  parts.push('</g>');
  parts.push(
    `<text class="x-title" x="${r1(g.left + g.plotW / 2)}" y="${axisY + 32}" font-size="${FONT_PX}" ` +
      `text-anchor="middle">${esc(f.xTitle)}</text>`,
  );
  parts.push(`<g class="data">${body}</g>`);
  const yMax = f.yTicks[f.yTicks.length - 1]!;
  if (f.reference && f.reference.y <= yMax) {
    const ry = y(f.reference.y);
    parts.push(
      `<line x1="${g.left}" x2="${g.left + g.plotW}" y1="${r1(ry)}" y2="${r1(ry)}" stroke="#c00" ` +
        'stroke-dasharray="6 4"/>',
    );
    parts.push(
      `<text x="${g.left + g.plotW - 4}" y="${r1(ry - 4)}" font-size="${FONT_PX}" fill="#c00" ` +
        `text-anchor="end">${esc(f.reference.label)}</text>`,
    );
  }
  if (f.overlay) parts.push(f.overlay);
  for (const { item, x, row } of legend) {
    const ly = axisY + 50 + row * 16;
    const swatch =
      item.kind === 'area'
        ? `<rect x="${r1(x)}" y="${ly - 9}" width="18" height="10" fill="${item.color}"/>`
        : `<line x1="${r1(x)}" x2="${r1(x + 18)}" y1="${ly - 4}" y2="${ly - 4}" ${strokeOf(item)}/>`;
    parts.push(`${swatch}<text x="${r1(x + 24)}" y="${ly}" font-size="${FONT_PX}">${esc(item.name)}</text>`);
  }
  parts.push('</svg>');
  return parts.join('');
}

const maxOf = (values: readonly number[]): number => values.reduce((m, v) => (v > m ? v : m), 0);

export interface LineChartOptions {
  title: string;
  yLabel: string;
  xTitle: string;
  /** Tick label for an x value. */
  xLabel: (x: number) => string;
  /** x values to label (default: every x); thinned so labels never overlap. */
  xTicks?: number[];
  yFormat?: (y: number) => string;
  logX?: boolean;
  reference?: { y: number; label: string };
  /** A point marked on the chart, with its label (inside the x values' range). */
  marker?: { x: number; y: number; label: string };
  width?: number;
}

/** x position (px) of a value on a linear or log scale over [lo, hi]. */
export function xScale(g: Geometry, lo: number, hi: number, log: boolean): (x: number) => number {
  if (!(hi > lo)) return () => g.left + g.plotW / 2;
  if (log) {
    const a = Math.log(lo);
    const b = Math.log(hi);
    return (x) => g.left + ((Math.log(x) - a) / (b - a)) * g.plotW;
  }
  return (x) => g.left + ((x - lo) / (hi - lo)) * g.plotW;
}

/** One or more lines over the same x values (linear or log x); later lines dashed over earlier ones. */
export function lineChart(xs: number[], series: Series[], o: LineChartOptions): string {
  const g = geometry(o.width);
  const lo = xs[0] ?? 0;
  const hi = xs[xs.length - 1] ?? 0;
  const x = xScale(g, lo, hi, o.logX ?? false);
  const yTicks = niceTicks(Math.max(o.reference?.y ?? 0, o.marker?.y ?? 0, ...series.map((s) => maxOf(s.values))));
  const y = yScale(g, yTicks);
  const styles = series.map((s, k) => lineStyle(k, s.name));
  const body = series
    .map((s, k) => {
      const points = xs.map((v, i) => `${r1(x(v))},${r1(y(s.values[i] ?? 0))}`);
      return `<path d="M${points.join('L')}" ${strokeOf(styles[k]!)}><title>${esc(s.name)}</title></path>`;
    })
    .join('');
  const xLabels = (o.xTicks ?? xs).map((v) => ({ x: x(v), label: o.xLabel(v) }));
  let overlay = '';
  if (o.marker) {
    const mx = r1(x(o.marker.x));
    const my = r1(y(o.marker.y));
    const right = x(o.marker.x) > g.left + g.plotW / 2;
    overlay =
      `<g class="marker"><line x1="${mx}" x2="${mx}" y1="${my}" y2="${g.top + g.plotH}" stroke="#c00" ` +
      `stroke-dasharray="3 3"/><circle cx="${mx}" cy="${my}" r="5" fill="#c00"/>` +
      `<text x="${r1(x(o.marker.x) + (right ? -9 : 9))}" y="${r1(y(o.marker.y) - 8)}" font-size="${FONT_PX}" ` +
      `fill="#c00" text-anchor="${right ? 'end' : 'start'}">${esc(o.marker.label)}</text></g>`;
  }
  return renderFrame(
    g,
    {
      title: o.title,
      yLabel: o.yLabel,
      xTitle: o.xTitle,
      yTicks,
      xLabels,
      legend: series.length > 1 ? styles : [],
      ...(o.yFormat ? { yFormat: o.yFormat } : {}),
      ...(o.reference ? { reference: o.reference } : {}),
      overlay,
    },
    body,
  );
}
