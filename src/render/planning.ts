import type { LinkParams } from '../report/link.js';
import type { ModelRow } from '../report/models.js';
import type { PlanResult } from '../report/plan.js';
import type { CycleLengthRow } from '../report/cycle-length.js';
import type { PlanningHtml } from '../report/html-data.js';
import type { InitialSync } from '../report/initial-sync.js';
import type { OutageReport } from '../report/outage.js';
import type { SweepRow } from '../report/sweep.js';
import { rpoAtPercentileS, rpoPerInterval, type Cycle, type SimulationResult } from '../report/simulate.js';
import type { Timeline } from '../report/timeline.js';
import type { Link } from '../units/bandwidth.js';
import { formatBandwidth } from '../units/bandwidth.js';
import { formatBytes } from '../units/bytes.js';
import { formatDuration } from '../units/duration.js';
import { isoFromS } from '../units/time.js';
import { renderCsv } from './csv.js';
import { escapeTerminal } from './escape.js';
import { roundTicks } from './axis.js';
import { lineChart } from './svg.js';
import { formatCount, formatFixed, renderTable } from './table.js';

/** Whole seconds counted (time over a target): `0 s`, not `0 ms`. */
const secondsText = (s: number): string => (s === 0 ? '0 s' : formatDuration(s));

/** The assumptions line: link parameters, growth, excluded volumes. */
export const paramsLine = (p: LinkParams, excluded: readonly string[] = []): string =>
  `overhead ${(p.overhead * 100).toFixed(1)} %, compression ${p.compression}:1, ` +
  `efficiency ${(p.efficiency * 100).toFixed(1)} %` +
  `, growth ${((p.growth ?? 0) * 100).toFixed(1)} %` +
  (excluded.length > 0 ? `, excluded ${escapeTerminal(excluded.join(', '))}` : '');

/** The window a planning result covers (a timeline has these). */
type WindowOf = Pick<Timeline, 'firstS' | 'endS' | 'intervalS' | 'trackBytes'>;

const windowLine = (t: WindowOf): string =>
  `${isoFromS(t.firstS)} to ${isoFromS(t.endS)} (${formatDuration(t.endS - t.firstS)}), ${formatDuration(t.intervalS)} intervals, ${formatBytes(t.trackBytes)} tracks`;

/** Replication models side by side. */
export function modelsTable(rows: ModelRow[], timeline: WindowOf, params: LinkParams): string {
  const sync = rows.find((r) => r.model === 'synchronous');
  return (
    `replication models over ${windowLine(timeline)}\nlink math: ${paramsLine(params)}\n\n${renderTable(rows, [
      { header: 'model', align: 'left', value: (r) => r.model },
      { header: 'span', value: (r) => formatDuration(r.spanS) },
      { header: 'spans', value: (r) => formatCount(r.count) },
      { header: 'peak per span', value: (r) => formatBytes(r.peakBytes) },
      { header: 'p95 per span', value: (r) => formatBytes(r.p95Bytes) },
      { header: 'shipped', value: (r) => formatBytes(r.totalBytes) },
      { header: 'required (peak)', value: (r) => formatBandwidth(r.requiredBandwidthBps) },
      { header: 'required (p95)', value: (r) => formatBandwidth(r.p95BandwidthBps) },
      { header: 'written/shipped', value: (r) => formatFixed(r.foldRatio, 2) },
    ])}` +
    (sync
      ? `\nwrite folding: asynchronous and periodic ship each changed track once per span; synchronous ships all ${formatBytes(sync.totalBytes)} written.\n`
      : '')
  );
}

export function modelsCsv(rows: ModelRow[]): string {
  return renderCsv(
    [
      'model',
      'span_s',
      'spans',
      'peak_bytes',
      'p95_bytes',
      'shipped_bytes',
      'required_bandwidth_bps',
      'p95_bandwidth_bps',
      'fold_ratio',
    ],
    rows.map((r) => [
      r.model,
      r.spanS,
      r.count,
      r.peakBytes,
      r.p95Bytes,
      r.totalBytes,
      r.requiredBandwidthBps,
      r.p95BandwidthBps,
      r.foldRatio,
    ]),
  );
}

export interface SimulationView {
  link: Link;
  cycleS: number;
  targetS: number;
  /** The percentile asked with --percentile (shown besides p50/p95/p99/max), or null. */
  percentile: number | null;
  excluded: string[];
  params: LinkParams;
  timeline: WindowOf;
  result: SimulationResult;
  outages: OutageReport[];
}

export function simulationJson(v: SimulationView): object {
  return {
    link: { paths: v.link.paths, pathBps: v.link.pathBps, bandwidthBps: v.link.paths * v.link.pathBps },
    cycleS: v.cycleS,
    targetS: v.targetS,
    params: v.params,
    window: { startS: v.timeline.firstS, endS: v.timeline.endS },
    samples: { startS: v.result.startS, endS: v.result.samplesEndS },
    rpo: v.result.rpo,
    ...(v.percentile === null
      ? {}
      : {
          percentile: v.percentile,
          rpoAtPercentileS: rpoAtPercentileS(v.result, v.percentile),
        }),
    longestAboveTargetS: v.result.longestAboveTargetS,
    secondsAboveTargetS: v.result.secondsAboveTargetS,
    violations: v.result.violations,
    peakBacklogBytes: v.result.peakBacklogBytes,
    elongatedCycles: v.result.elongatedCycles,
    idleCycles: v.result.idleCycles,
    excluded: v.excluded,
    unbounded: v.result.unbounded,
    neededBps: v.result.neededBps,
    payloadBps: v.result.payloadBps,
    drainedS: v.result.drainedS,
    outages: v.outages,
    cycles: v.result.cycles,
    rpoPerInterval: rpoPerInterval(v.result, v.timeline.intervalS),
  };
}

export function simulationCsv(v: SimulationView): string {
  const rows = rpoPerInterval(v.result, v.timeline.intervalS);
  return renderCsv(
    ['start_s', 'max_rpo_s', 'end_s'],
    rows.map((r) => [r.startS, r.maxRpoS, r.endS]),
  );
}

export function simulationTable(v: SimulationView): string {
  const r = v.result;
  const lines = [
    `simulated asynchronous replication over ${windowLine(v.timeline)}`,
    `link ${v.link.paths} x ${formatBandwidth(v.link.pathBps)} (${formatBandwidth(r.payloadBps)} of payload), ` +
      `${formatDuration(v.cycleS)} cycles; ${paramsLine(v.params, v.excluded)}`,
    '',
    `RPO: p50 ${formatDuration(r.rpo.p50S)}, p95 ${formatDuration(r.rpo.p95S)}, p99 ${formatDuration(r.rpo.p99S)}, ` +
      `max ${formatDuration(r.rpo.maxS)}` +
      (v.percentile === null ? '' : `; p${v.percentile} ${formatDuration(rpoAtPercentileS(r, v.percentile))}`),
    'RPO counted every second from the window start until the last captured change is applied ' +
      `(${isoFromS(r.samplesEndS)})`,
    `time above the ${formatDuration(v.targetS)} target: ${secondsText(r.secondsAboveTargetS ?? 0)} ` +
      `in ${formatCount(r.violations ?? 0)} ` +
      `stretch${r.violations === 1 ? '' : 'es'}, longest ${secondsText(r.longestAboveTargetS ?? 0)}`,
    `peak backlog (captured + in transmission, the journal the array needs): ${formatBytes(r.peakBacklogBytes)}`,
    `cycles: ${formatCount(r.cycles.length + r.idleCycles)} ` +
      `(${formatCount(r.idleCycles)} empty ones on an idle link folded), ` +
      `elongated (waited for the previous transmit): ${formatCount(r.elongatedCycles)}`,
    `changes need ${formatBandwidth(r.neededBps)} on average at this cycle length; the link carries ${formatBandwidth(r.payloadBps)}`,
  ];
  if (r.unbounded)
    lines.push(
      `RPO GROWS WITHOUT BOUND: the link is slower than the changes; the last changes are applied only at ${isoFromS(r.drainedS)}`,
    );
  for (const o of v.outages) {
    lines.push(
      '',
      `outage ${isoFromS(o.fromS)} to ${isoFromS(o.toS)}: ${formatBytes(o.changedBytes)} changed during it, ` +
        `peak backlog ${formatBytes(o.peakBacklogBytes)}`,
      `  resynchronized ${o.resyncSeconds === null ? 'not within the window' : `${formatDuration(o.resyncSeconds)} after the link returned`}` +
        `; RPO back under ${formatDuration(v.targetS)} ${o.rpoBackUnderTargetS === null ? 'not within the window' : `at ${isoFromS(o.rpoBackUnderTargetS)}`}`,
    );
  }
  const longest = [...r.cycles]
    .filter((c) => c.elongated)
    .sort((a, b) => b.switchS - b.captureStartS - (a.switchS - a.captureStartS))
    .slice(0, 10);
  if (longest.length > 0) {
    lines.push(
      '',
      'longest elongated cycles:',
      renderTable<Cycle>(longest, [
        { header: 'capture start (UTC)', align: 'left', value: (c) => isoFromS(c.captureStartS) },
        { header: 'length', value: (c) => formatDuration(c.switchS - c.captureStartS) },
        { header: 'changed', value: (c) => formatBytes(c.changedBytes) },
        { header: 'transmit', value: (c) => formatDuration(c.appliedS - c.switchS) },
      ]).trimEnd(),
    );
  }
  return lines.join('\n') + '\n';
}

/** What `plan` was asked, for its rendering. */
export interface PlanView {
  plan: PlanResult;
  pathBps: number | null;
  targetS: number;
  percentile: number;
  cycleS: number;
  timeline: WindowOf;
  params: LinkParams;
  excluded: string[];
}

export function planTable(v: PlanView): string {
  const { plan } = v;
  const r = plan.result;
  const lines = [
    `link plan over ${windowLine(v.timeline)}`,
    `target: RPO at or under ${formatDuration(v.targetS)} for ${v.percentile} % of the time, ` +
      `${formatDuration(v.cycleS)} cycles; ` +
      paramsLine(v.params, v.excluded),
    '',
    `smallest bandwidth found meeting it: ${formatBandwidth(plan.requiredBps)} (searched on a ` +
      `${((plan.search.gridRatio - 1) * 100).toFixed(2)} % grid, then bisected; this figure checked by simulation)`,
  ];
  if (plan.paths !== null && v.pathBps !== null) {
    const s = plan.paths === 1 ? '' : 's';
    lines.push(`buy ${plan.paths} path${s} of ${formatBandwidth(v.pathBps)} = ${formatBandwidth(plan.linkBps)}`);
  }
  lines.push(
    `with that link: RPO p${v.percentile} ${formatDuration(plan.achievedRpoS)} ` +
      `(margin ${formatDuration(plan.marginS)}), ` +
      `max ${formatDuration(r.rpo.maxS)}, ${r.elongatedCycles} elongated cycles`,
    `peak backlog (captured + in transmission): ${formatBytes(r.peakBacklogBytes)}`,
  );
  return lines.join('\n') + '\n';
}

/** The plan as JSON: every figure the table shows. */
export function planJson(v: PlanView): Record<string, unknown> {
  const { plan } = v;
  return {
    targetRpoS: v.targetS,
    percentile: v.percentile,
    cycleS: v.cycleS,
    pathBps: v.pathBps,
    params: v.params,
    excluded: v.excluded,
    window: { startS: v.timeline.firstS, endS: v.timeline.endS },
    requiredBps: plan.requiredBps,
    paths: plan.paths,
    linkBps: plan.linkBps,
    achievedRpoS: plan.achievedRpoS,
    marginS: plan.marginS,
    rpo: plan.result.rpo,
    elongatedCycles: plan.result.elongatedCycles,
    peakBacklogBytes: plan.result.peakBacklogBytes,
    secondsAboveTargetS: plan.result.secondsAboveTargetS,
    violations: plan.result.violations,
    search: plan.search,
  };
}

const costText = (c: number | null): string => (c === null ? '-' : c.toFixed(2));

/** The what-if table: RPO percentiles, time over target, violations, backlog and cost per link size. */
export function sweepTable(rows: SweepRow[], targetS: number, percentile: number): string {
  const withCost = rows.some((r) => r.monthlyCost !== null);
  const extra = [50, 95, 99, 100].includes(percentile)
    ? []
    : [{ header: `p${percentile}`, value: (r: SweepRow) => formatDuration(r.rpoAtPercentileS) }];
  const linkText = (r: SweepRow): string => (r.paths === null ? '' : `${r.paths} x = `) + formatBandwidth(r.linkBps);
  const title = `what if: the same changes over other links (target ${formatDuration(targetS)})\n`;
  return (
    title +
    renderTable<SweepRow>(rows, [
      { header: 'link', align: 'left', value: linkText },
      { header: 'p50', value: (r) => formatDuration(r.p50S) },
      { header: 'p95', value: (r) => formatDuration(r.p95S) },
      { header: 'p99', value: (r) => formatDuration(r.p99S) },
      { header: 'max', value: (r) => formatDuration(r.maxS) },
      ...extra,
      { header: 'time over target', value: (r) => secondsText(r.timeOverTargetS) },
      { header: 'violations', value: (r) => formatCount(r.violations) },
      { header: 'peak backlog', value: (r) => formatBytes(r.peakBacklogBytes) },
      ...(withCost ? [{ header: 'monthly cost', value: (r: SweepRow) => costText(r.monthlyCost) }] : []),
    ])
  );
}

/** The cycle-length table: bytes to ship per cycle as the cycle grows. */
export function cycleLengthTableText(
  rows: CycleLengthRow[],
  timeline: WindowOf,
  params: LinkParams,
  excluded: string[],
): string {
  return (
    `changes to ship per cycle, by cycle length, over ${windowLine(timeline)}\n` +
    `link math: ${paramsLine(params, excluded)}\n\n` +
    renderTable<CycleLengthRow>(rows, [
      { header: 'cycle', value: (r) => formatDuration(r.cycleS) },
      { header: 'cycles', value: (r) => formatCount(r.cycles) },
      { header: 'peak changed', value: (r) => formatBytes(r.peakChangedBytes) },
      { header: 'p95 changed', value: (r) => formatBytes(r.p95ChangedBytes) },
      { header: 'required (peak in one cycle)', value: (r) => formatBandwidth(r.requiredBps) },
      { header: 'written/shipped', value: (r) => formatFixed(r.foldRatio, 2) },
    ])
  );
}

/** Initial synchronization: per volume, in total, and the batches that fit the window. */
export function initialSyncText(s: InitialSync, linkBps: number): string {
  const lines = [
    `initial synchronization over ${formatBandwidth(linkBps)}: ${formatBytes(s.totalBytes)} ` +
      `in ${formatDuration(s.seconds)}` +
      ' (used bytes; writes during the copy not counted)',
    renderTable(s.volumes, [
      { header: 'volume', align: 'left', value: (v) => v.name },
      { header: 'used', value: (v) => formatBytes(v.usedBytes) },
      { header: 'copy time', value: (v) => formatDuration(v.seconds) },
    ]).trimEnd(),
  ];
  if (s.syncWindowS !== null) {
    lines.push(`batches finishing within ${formatDuration(s.syncWindowS)} each (biggest volumes first):`);
    s.batches.forEach((b, i) =>
      lines.push(
        `  batch ${i + 1}: ${formatBytes(b.bytes)} in ${formatDuration(b.seconds)}` +
          `${b.exceedsWindow ? ' (LONGER THAN THE WINDOW: one volume alone)' : ''}: ${escapeTerminal(b.volumes.join(', '))}`,
      ),
    );
  }
  return lines.join('\n') + '\n';
}

/** One link per group against one shared link. */
export interface GroupPlanView {
  name: string;
  plan: PlanResult;
}

export function groupPlansText(groups: GroupPlanView[], shared: PlanResult, pathBps: number | null): string {
  const total = groups.reduce((n, g) => n + g.plan.linkBps, 0);
  return (
    'one link per group:\n' +
    renderTable(groups, [
      { header: 'group', align: 'left', value: (g) => g.name },
      { header: 'required', value: (g) => formatBandwidth(g.plan.requiredBps) },
      ...(pathBps === null ? [] : [{ header: 'paths', value: (g: GroupPlanView) => formatCount(g.plan.paths) }]),
      { header: 'link', value: (g) => formatBandwidth(g.plan.linkBps) },
      { header: 'achieved', value: (g) => formatDuration(g.plan.achievedRpoS) },
      { header: 'peak backlog', value: (g) => formatBytes(g.plan.result.peakBacklogBytes) },
    ]) +
    `sum of the group links: ${formatBandwidth(total)}; ` +
    `one shared link for all groups: ${formatBandwidth(shared.linkBps)}` +
    ` (${shared.linkBps < total ? 'less than the sum' : 'not less than the sum'})\n`
  );
}

/** SVG: RPO percentiles against link size (the what-if curve), with the target line. */
export function sweepChart(rows: SweepRow[], targetS: number): string {
  const xs = rows.map((r) => r.linkBps / 1e6);
  const series = [
    { name: 'p50', values: rows.map((r) => r.p50S / 60) },
    { name: 'p95', values: rows.map((r) => r.p95S / 60) },
    { name: 'p99', values: rows.map((r) => r.p99S / 60) },
    { name: 'max', values: rows.map((r) => r.maxS / 60) },
  ];
  return lineChart(xs, series, {
    title: 'RPO against link bandwidth (what if)',
    yLabel: 'RPO (min)',
    logX: true,
    xTitle: 'link bandwidth (log scale)',
    xLabel: (x) => formatBandwidth(x * 1e6),
    reference: { y: targetS / 60, label: `target ${formatDuration(targetS)}` },
  });
}

/** SVG: the bandwidth that ships a cycle's changes within the cycle (peak and p95 cycle), by cycle length. */
export function cycleLengthChart(rows: CycleLengthRow[]): string {
  const perMbit = (r: CycleLengthRow, bytes: number): number =>
    r.peakChangedBytes > 0 ? (r.requiredBps * bytes) / r.peakChangedBytes / 1e6 : 0;
  return lineChart(
    rows.map((r) => r.cycleS),
    [
      { name: 'busiest cycle', values: rows.map((r) => r.requiredBps / 1e6) },
      { name: 'p95 cycle', values: rows.map((r) => perMbit(r, r.p95ChangedBytes)) },
    ],
    {
      title: 'Bandwidth to ship a cycle within the cycle, by cycle length',
      yLabel: 'Mbit/s',
      xTitle: 'cycle length',
      xLabel: (s) => formatDuration(s),
      xTicks: rows.length === 0 ? [] : roundTicks(rows[0]!.cycleS, rows[rows.length - 1]!.cycleS, 7, false).ticksS,
    },
  );
}

/** The planner's sections of the HTML report (inline SVG; every text is generated, numbers only). */
export function planningHtml(p: PlanningHtml): string {
  const parts = [
    '<h2>Cycle length</h2>',
    '<p class="note">Longer cycles fold rewrites: the bytes to ship grow slower than the cycle, so the bandwidth falls ' +
      '(churnlink cycles prints the table).</p>',
    `<section id="cycles">${cycleLengthChart(p.cycles)}</section>`,
  ];
  if (p.peakBacklogBytes !== null) {
    parts.push(
      '<p id="backlog">Peak backlog on the simulated link (captured + in transmission, the journal the array ' +
        `needs): ${formatBytes(p.peakBacklogBytes)}.</p>`,
    );
  }
  if (p.sweep !== null) {
    parts.push('<h2>What if: other link sizes</h2>', `<section id="sweep">${sweepChart(p.sweep, p.targetS)}</section>`);
  }
  return parts.join('\n');
}
