import type { ChurnRow } from '../report/churn.js';
import type { HtmlReportData } from '../report/html-data.js';
import type { Headline } from '../report/headline.js';
import { sharedVolumesText } from '../report/group-total.js';
import { requiredBandwidthBps, resyncSeconds } from '../report/link.js';
import { formatBandwidth } from '../units/bandwidth.js';
import { formatBytes } from '../units/bytes.js';
import { formatDuration } from '../units/duration.js';
import { isoFromS } from '../units/time.js';
import { escapeXml } from './escape.js';
import { paramsLine, planningHtml } from './planning.js';
import { ROUND_STEPS_S } from './axis.js';
import { stackedStepChart, stepLineChart, type Span } from './steps.js';
import { lineChart, type Series } from './svg.js';
import { formatCount, formatFixed } from './table.js';

const MiB = 1024 * 1024;
/** Resync times the bandwidth curve is drawn for (s). */
export const RESYNC_TIMES_S = [300, 600, 900, 1800, 3600, 7200, 14400, 28800, 43200, 86400];

const esc = escapeXml;

/** Per-interval series by group of one figure (MiB): the spans of the points and a series per group. */
function groupSteps(rows: ChurnRow[], pick: (r: ChurnRow) => number): { spans: Span[]; series: Series[] } {
  const spans: Span[] = [];
  const index = new Map<number, number>();
  for (const r of [...rows].sort((a, b) => a.startS - b.startS)) {
    if (!index.has(r.startS)) {
      index.set(r.startS, spans.length);
      spans.push({ fromS: r.startS, toS: r.endS });
    }
  }
  const byGroup = new Map<string, number[]>();
  for (const r of rows) {
    let values = byGroup.get(r.name);
    if (!values) byGroup.set(r.name, (values = new Array<number>(spans.length).fill(0)));
    values[index.get(r.startS)!] = pick(r) / MiB;
  }
  return { spans, series: [...byGroup].map(([name, values]) => ({ name, values })) };
}

/** How the points were made, when they fold several intervals. */
const stepNote = (d: HtmlReportData): string =>
  d.chartStepS !== undefined && d.chartStepS > d.intervalS
    ? ` (max per ${formatDuration(d.chartStepS)}: at most 2,000 points)`
    : '';

/** The tallest stack of changed or written MiB: both charts share it, so the fold shows as a height. */
function sharedTopMiB(d: HtmlReportData): number {
  const totals = new Map<number, { changed: number; written: number }>();
  for (const r of d.groupSeries) {
    const t = totals.get(r.startS) ?? { changed: 0, written: 0 };
    t.changed += r.changedBytes / MiB;
    t.written += (r.writeBytes ?? 0) / MiB;
    totals.set(r.startS, t);
  }
  let top = 0;
  for (const t of totals.values()) top = Math.max(top, t.changed, t.written);
  return top;
}

/** Where a changes chart is drawn: beside the other on the page, or alone (standalone SVG). */
export type ChartPlacement = 'page' | 'alone';

function churnChart(
  d: HtmlReportData,
  what: 'Changed' | 'Written',
  pick: (r: ChurnRow) => number,
  placement: ChartPlacement,
): string {
  const { spans, series } = groupSteps(d.groupSeries, pick);
  const title = `${what} MiB per ${formatDuration(d.intervalS)} interval, by group${stepNote(d)}`;
  const other = what === 'Changed' ? 'written' : 'changed';
  const scale = placement === 'page' ? 'same scale in both charts' : `same scale as the ${other} chart`;
  return stackedStepChart(spans, series, {
    title,
    yLabel: `MiB ${what.toLowerCase()} (${scale})`,
    fromS: d.window.startS,
    toS: d.window.endS,
    yMax: sharedTopMiB(d),
  });
}

/** Changed MiB per interval by group, on the scale it shares with the written chart. */
export function changedChart(d: HtmlReportData, placement: ChartPlacement = 'alone'): string {
  return churnChart(d, 'Changed', (r) => r.changedBytes, placement);
}

/** Written MiB per interval by group, on the scale it shares with the changed chart. */
export function writtenChart(d: HtmlReportData, placement: ChartPlacement = 'alone'): string {
  return churnChart(d, 'Written', (r) => r.writeBytes ?? 0, placement);
}

/** Points on the bandwidth curve (log-spaced resync times). */
const CURVE_POINTS = 120;
/** Ticks of the resync axis: milliseconds (a fast link's resync), then the round durations. */
const RESYNC_TICKS_S = [0.001, 0.01, 0.1, ...ROUND_STEPS_S];

/**
 * Bandwidth against resync time (log x), with the given link marked where its bandwidth meets
 * the curve: at the time it needs to resynchronize the window's changes.
 */
export function bandwidthChart(d: HtmlReportData): string {
  const link = d.rpo?.link ?? null;
  const linkBps = link === null ? 0 : link.paths * link.pathBps;
  const resyncS = link === null ? NaN : resyncSeconds(d.totalChangedBytes, link, d.params);
  const marked = Number.isFinite(resyncS) && resyncS > 0;
  // The x range reaches the link's resync time however short: the curve then starts at 1.5 x the link's
  // bandwidth, so the y range ends just above the marker.
  const loS = Math.min(RESYNC_TIMES_S[0]!, marked ? resyncS / 1.5 : Infinity);
  const hiS = Math.max(RESYNC_TIMES_S[RESYNC_TIMES_S.length - 1]!, marked ? resyncS * 1.5 : 0);
  const xs = Array.from({ length: CURVE_POINTS + 1 }, (_, i) => loS * (hiS / loS) ** (i / CURVE_POINTS));
  const mbps = xs.map((r) => requiredBandwidthBps(d.totalChangedBytes, r, d.params) / 1e6);
  return lineChart(xs, [{ name: 'required', values: mbps }], {
    title: `Bandwidth to resynchronize ${formatBytes(d.totalChangedBytes)} of changes, by resync time`,
    yLabel: 'Mbit/s',
    xTitle: 'resync time (log scale)',
    logX: true,
    xLabel: (s) => formatDuration(s),
    xTicks: RESYNC_TICKS_S.filter((s) => s >= loS && s <= hiS),
    yFormat: (v) => String(v),
    ...(marked && link !== null
      ? {
          marker: {
            x: resyncS,
            y: linkBps / 1e6,
            label: `given link ${link.paths} x ${formatBandwidth(link.pathBps)}: ${formatDuration(resyncS)}`,
          },
        }
      : {}),
  });
}

/** At most 2,000 steps: the maximum RPO of each run of consecutive intervals, over the run's span. */
function rpoSteps(list: { startS: number; endS: number; maxRpoS: number }[]): {
  spans: Span[];
  ys: number[];
  per: number;
} {
  const per = Math.max(1, Math.ceil(list.length / 2000));
  const spans: Span[] = [];
  const ys: number[] = [];
  for (let i = 0; i < list.length; i += per) {
    let max = 0;
    const end = Math.min(list.length, i + per);
    for (let j = i; j < end; j++) max = Math.max(max, list[j]!.maxRpoS);
    spans.push({ fromS: list[i]!.startS, toS: list[end - 1]!.endS });
    ys.push(max / 60);
  }
  return { spans, ys, per };
}

export function rpoChart(d: HtmlReportData): string | null {
  if (d.rpo === null) return null;
  const r = d.rpo;
  const { spans, ys, per } = rpoSteps(r.perInterval);
  return stepLineChart(
    spans,
    { name: 'RPO', values: ys },
    {
      title:
        `RPO over time on ${r.link.paths} x ${formatBandwidth(r.link.pathBps)}, ` +
        `${formatDuration(r.cycleS)} cycles ` +
        `(max per ${per > 1 ? formatDuration(per * d.intervalS) : 'interval'})`,
      yLabel: 'RPO (min)',
      fromS: spans[0]?.fromS ?? d.window.startS,
      toS: spans[spans.length - 1]?.toS ?? d.window.endS,
      reference: { y: r.targetS / 60, label: `target ${formatDuration(r.targetS)}` },
    },
  );
}

/** The headline as plain sentences, with the figures the tables print. */
export function headlineText(headlines: readonly Headline[]): string {
  return headlines
    .map((h) => {
      if (h.kind === 'plan') {
        const link =
          h.paths !== null && h.pathBps !== null
            ? `${h.paths} path${h.paths === 1 ? '' : 's'} of ${formatBandwidth(h.pathBps)} = ${formatBandwidth(h.linkBps)}`
            : formatBandwidth(h.linkBps);
        return (
          `Buy ${link}: RPO p${h.percentile} ${formatDuration(h.achievedRpoS)} against the ` +
          `${formatDuration(h.targetRpoS)} target, with ${formatDuration(h.cycleS)} cycles.`
        );
      }
      if (h.kind === 'no-plan') return `No link planned for the ${formatDuration(h.targetRpoS)} target: ${h.reason}.`;
      if (h.kind === 'link') {
        return (
          `The given link, ${h.link.paths} x ${formatBandwidth(h.link.pathBps)}, resynchronizes the ` +
          `${formatBytes(h.changedBytes)} changed in this window in ${formatDuration(h.resyncS)}` +
          (h.rpo === null
            ? '.'
            : `; with ${formatDuration(h.rpo.cycleS)} cycles its RPO is p99 ` +
              `${formatDuration(h.rpo.p99S)}, max ${formatDuration(h.rpo.maxS)}.`)
        );
      }
      const resync =
        h.resync === null
          ? ''
          : ` Resynchronizing all ${formatBytes(h.resync.changedBytes)} changed in ` +
            `this window within ${formatDuration(h.resync.resyncS)} needs ${formatBandwidth(h.resync.requiredBps)}` +
            (h.resync.paths !== null && h.resync.pathBps !== null
              ? ` (${h.resync.paths} path${h.resync.paths === 1 ? '' : 's'} of ${formatBandwidth(h.resync.pathBps)}).`
              : '.');
      return (
        `Peak changed data: ${formatBytes(h.peakBytes)} in one ${formatDuration(h.cycleS)} cycle, which needs ` +
        `${formatBandwidth(h.requiredBps)} to ship within the cycle.${resync}`
      );
    })
    .join(' ');
}

/** Under the stacked group charts, when groups overlap: which volumes the stacks count more than once. */
function overlapNote(d: HtmlReportData): string {
  const shared = d.sharedVolumes ?? [];
  if (shared.length === 0) return '';
  const n = shared.length;
  return (
    `<p class="note" id="overlap">Overlapping groups: ${n} volume${n === 1 ? ' is' : 's are'} in several groups ` +
    `and counted in each: ${esc(sharedVolumesText(shared))}. The stacks below add ${n === 1 ? 'its' : 'their'} ` +
    'changes and writes once per group, so they add up to more than the distinct changes.</p>'
  );
}

/** The headline paragraph, when there is one. */
const headlineHtml = (d: HtmlReportData): string =>
  d.headline && d.headline.length > 0 ? `<p class="headline" id="headline">${esc(headlineText(d.headline))}</p>` : '';

/** One self-contained HTML page (inline CSS and SVG, no scripts, no network). */
export function renderHtmlReport(d: HtmlReportData): string {
  const top = [...d.volumes].sort((a, b) => b.changedBytes - a.changedBytes).slice(0, 10);
  const rpo = rpoChart(d);
  const rows = (cells: string[][]): string =>
    cells
      .map(
        (c) =>
          `<tr>${c.map((x, i) => (i === 0 ? `<td>${esc(x)}</td>` : `<td class="n">${esc(x)}</td>`)).join('')}</tr>`,
      )
      .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(d.title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 960px; color: #222; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 17px; margin-top: 28px; }
.meta { color: #555; } svg.chart { max-width: 100%; height: auto; font-family: system-ui, sans-serif; }
table { border-collapse: collapse; margin: 8px 0; } th, td { padding: 3px 10px; border-bottom: 1px solid #e3e3e3; }
th { text-align: left; background: #f6f6f6; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
.note { color: #666; } .headline { font-size: 17px; font-weight: 600; margin: 10px 0 14px; }
</style></head>
<body>
<h1>${esc(d.title)}</h1>
${headlineHtml(d)}
<p class="meta">${d.group ? `Group ${esc(d.group)} only (its volumes) · ` : ''}Store ${esc(d.store)} · ${isoFromS(d.window.startS)} to ${isoFromS(d.window.endS)} · ${formatDuration(d.intervalS)} intervals · ${formatBytes(d.trackBytes)} tracks ·
link math: ${esc(paramsLine(d.params, d.excluded ?? []))}</p>
<h2>Changes per interval</h2>
${overlapNote(d)}
<section id="changed">${changedChart(d, 'page')}</section>
<section id="written">${writtenChart(d, 'page')}</section>
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
