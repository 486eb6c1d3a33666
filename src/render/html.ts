import type { ChurnRow } from '../report/churn.js';
import type { HtmlReportData } from '../report/html-data.js';
import { requiredBandwidthBps } from '../report/link.js';
import { formatBandwidth } from '../units/bandwidth.js';
import { formatBytes } from '../units/bytes.js';
import { formatDuration } from '../units/duration.js';
import { isoFromS } from '../units/time.js';
import { escapeXml } from './escape.js';
import { paramsLine, planningHtml } from './planning.js';
import { lineChart, stackedAreaChart, type Series } from './svg.js';
import { formatCount, formatFixed } from './table.js';

const MiB = 1024 * 1024;
/** Resync times the bandwidth curve is drawn for (s). */
export const RESYNC_TIMES_S = [300, 600, 900, 1800, 3600, 7200, 14400, 28800, 43200, 86400];

const esc = escapeXml;
const timeLabel = (s: number): string => isoFromS(s).slice(5, 16).replace('T', ' ');

/** Per-interval series by group of one figure (MiB). */
function groupAreas(rows: ChurnRow[], pick: (r: ChurnRow) => number): { xs: number[]; series: Series[] } {
  const xs = [...new Set(rows.map((r) => r.startS))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const byGroup = new Map<string, number[]>();
  for (const r of rows) {
    let values = byGroup.get(r.name);
    if (!values) byGroup.set(r.name, (values = new Array<number>(xs.length).fill(0)));
    values[index.get(r.startS)!] = pick(r) / MiB;
  }
  return { xs, series: [...byGroup].map(([name, values]) => ({ name, values })) };
}

/** How the points were made, when they fold several intervals. */
const stepNote = (d: HtmlReportData): string =>
  d.chartStepS !== undefined && d.chartStepS > d.intervalS
    ? ` (max per ${formatDuration(d.chartStepS)}: at most 2,000 points)`
    : '';

export function changedChart(d: HtmlReportData): string {
  const { xs, series } = groupAreas(d.groupSeries, (r) => r.changedBytes);
  const title = `Changed MiB per ${formatDuration(d.intervalS)} interval, by group${stepNote(d)}`;
  return stackedAreaChart(xs, series, { title, yLabel: 'MiB changed', xLabel: timeLabel });
}

export function writtenChart(d: HtmlReportData): string {
  const { xs, series } = groupAreas(d.groupSeries, (r) => r.writeBytes ?? 0);
  const title = `Written MiB per ${formatDuration(d.intervalS)} interval, by group${stepNote(d)}`;
  return stackedAreaChart(xs, series, { title, yLabel: 'MiB written', xLabel: timeLabel });
}

export function bandwidthChart(d: HtmlReportData): string {
  const mbps = RESYNC_TIMES_S.map((r) => requiredBandwidthBps(d.totalChangedBytes, r, d.params) / 1e6);
  return lineChart(RESYNC_TIMES_S, [{ name: 'required', values: mbps }], {
    title: `Bandwidth to resynchronize ${formatBytes(d.totalChangedBytes)} of changes, by resync time`,
    yLabel: 'Mbit/s', xLabel: (s) => formatDuration(s), logX: true, yFormat: (v) => String(v),
  });
}

/** At most 2,000 points: the maximum RPO of each run of consecutive entries. */
function rpoPoints(list: { startS: number; maxRpoS: number }[]): { xs: number[]; ys: number[]; per: number } {
  const per = Math.max(1, Math.ceil(list.length / 2000));
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < list.length; i += per) {
    let max = 0;
    for (let j = i; j < Math.min(list.length, i + per); j++) max = Math.max(max, list[j]!.maxRpoS);
    xs.push(list[i]!.startS);
    ys.push(max / 60);
  }
  return { xs, ys, per };
}

export function rpoChart(d: HtmlReportData): string | null {
  if (d.rpo === null) return null;
  const r = d.rpo;
  const { xs, ys, per } = rpoPoints(r.perInterval);
  return lineChart(xs, [{ name: 'RPO', values: ys }], {
    title: `RPO over time on ${r.link.paths} x ${formatBandwidth(r.link.pathBps)}, ` +
      `${formatDuration(r.cycleS)} cycles ` +
      `(max per ${per > 1 ? formatDuration(per * d.intervalS) : 'interval'})`,
    yLabel: 'RPO (min)', xLabel: timeLabel, reference: { y: r.targetS / 60, label: `target ${formatDuration(r.targetS)}` },
  });
}

/** One self-contained HTML page (inline CSS and SVG, no scripts, no network). */
export function renderHtmlReport(d: HtmlReportData): string {
  const top = [...d.volumes].sort((a, b) => b.changedBytes - a.changedBytes).slice(0, 10);
  const rpo = rpoChart(d);
  const rows = (cells: string[][]): string => cells.map((c) => `<tr>${c.map((x, i) => (i === 0 ? `<td>${esc(x)}</td>` : `<td class="n">${esc(x)}</td>`)).join('')}</tr>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(d.title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 960px; color: #222; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 17px; margin-top: 28px; }
.meta { color: #555; } svg.chart { max-width: 100%; height: auto; font-family: system-ui, sans-serif; }
table { border-collapse: collapse; margin: 8px 0; } th, td { padding: 3px 10px; border-bottom: 1px solid #e3e3e3; }
th { text-align: left; background: #f6f6f6; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
.note { color: #666; }
</style></head>
<body>
<h1>${esc(d.title)}</h1>
<p class="meta">Store ${esc(d.store)} · ${isoFromS(d.window.startS)} to ${isoFromS(d.window.endS)} · ${formatDuration(d.intervalS)} intervals · ${formatBytes(d.trackBytes)} tracks ·
link math: ${esc(paramsLine(d.params, d.excluded ?? []))}</p>
<h2>Changes per interval</h2>
<section id="changed">${changedChart(d)}</section>
<section id="written">${writtenChart(d)}</section>
<h2>Bandwidth against resync time</h2>
<section id="bandwidth">${bandwidthChart(d)}</section>
<h2>RPO on the simulated link</h2>
<section id="rpo">${rpo ?? '<p class="note">Give --link (and --cycle) to simulate a link and chart its RPO.</p>'}</section>
${d.rpo ? `<p>RPO p99 ${formatDuration(d.rpo.p99S)}, max ${formatDuration(d.rpo.maxS)}.</p>` : ''}
${d.planning ? planningHtml(d.planning) : ''}
<h2>Replication models</h2>
<table id="models"><tr><th>model</th><th>span</th><th>peak per span</th><th>shipped</th><th>required (peak)</th><th>required (p95)</th><th>written/shipped</th></tr>
${rows(d.models.map((m) => [m.model, formatDuration(m.spanS), formatBytes(m.peakBytes), formatBytes(m.totalBytes), formatBandwidth(m.requiredBandwidthBps), formatBandwidth(m.p95BandwidthBps), formatFixed(m.foldRatio, 2)]))}
</table>
<h2>Top volumes by changed bytes</h2>
<table id="volumes"><tr><th>volume</th><th>writes</th><th>written</th><th>changed tracks</th><th>changed</th><th>% of size</th><th>fold</th><th>peak/interval</th></tr>
${rows(top.map((v) => [v.name, formatCount(v.writes), formatBytes(v.writeBytes ?? 0), formatCount(v.changedTracks), formatBytes(v.changedBytes), formatFixed(v.percentChanged, 2), formatFixed(v.foldRatio, 2), formatBytes(v.perInterval.peak * d.trackBytes)]))}
</table>
<p class="note">Made by churnlink. Changed bytes are distinct tracks written at least once (bitmaps ORed over the window) × track size.</p>
</body></html>
`;
}
