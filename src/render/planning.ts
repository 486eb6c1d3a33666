import type { LinkParams } from '../report/link.js';
import type { ModelRow } from '../report/models.js';
import type { PlanResult } from '../report/plan.js';
import type { Cycle, SimulationResult } from '../report/simulate.js';
import type { Timeline } from '../report/timeline.js';
import type { Link } from '../units/bandwidth.js';
import { formatBandwidth } from '../units/bandwidth.js';
import { formatBytes } from '../units/bytes.js';
import { formatDuration } from '../units/duration.js';
import { isoFromS } from '../units/time.js';
import { renderCsv } from './csv.js';
import { formatCount, formatFixed, renderTable } from './table.js';

const paramsLine = (p: LinkParams): string =>
  `overhead ${(p.overhead * 100).toFixed(1)} %, compression ${p.compression}:1, efficiency ${(p.efficiency * 100).toFixed(1)} %`;

/** The window a planning result covers (a timeline has these). */
type WindowOf = Pick<Timeline, 'firstS' | 'endS' | 'intervalS' | 'trackBytes'>;

const windowLine = (t: WindowOf): string =>
  `${isoFromS(t.firstS)} to ${isoFromS(t.endS)} (${formatDuration(t.endS - t.firstS)}), ${formatDuration(t.intervalS)} intervals, ${formatBytes(t.trackBytes)} tracks`;

/** Replication models side by side. */
export function modelsTable(rows: ModelRow[], timeline: WindowOf, params: LinkParams): string {
  const sync = rows.find((r) => r.model === 'synchronous');
  return `replication models over ${windowLine(timeline)}\nlink math: ${paramsLine(params)}\n\n${renderTable(rows, [
    { header: 'model', align: 'left', value: (r) => r.model },
    { header: 'span', value: (r) => formatDuration(r.spanS) },
    { header: 'spans', value: (r) => formatCount(r.count) },
    { header: 'peak per span', value: (r) => formatBytes(r.peakBytes) },
    { header: 'p95 per span', value: (r) => formatBytes(r.p95Bytes) },
    { header: 'shipped', value: (r) => formatBytes(r.totalBytes) },
    { header: 'required (peak)', value: (r) => formatBandwidth(r.requiredBandwidthBps) },
    { header: 'required (p95)', value: (r) => formatBandwidth(r.p95BandwidthBps) },
    { header: 'written/shipped', value: (r) => formatFixed(r.foldRatio, 2) },
  ])}` + (sync ? `\nwrite folding: asynchronous and periodic ship each changed track once per span; synchronous ships all ${formatBytes(sync.totalBytes)} written.\n` : '');
}

export function modelsCsv(rows: ModelRow[]): string {
  return renderCsv(
    ['model', 'span_s', 'spans', 'peak_bytes', 'p95_bytes', 'shipped_bytes', 'required_bandwidth_bps', 'p95_bandwidth_bps', 'fold_ratio'],
    rows.map((r) => [r.model, r.spanS, r.count, r.peakBytes, r.p95Bytes, r.totalBytes, r.requiredBandwidthBps, r.p95BandwidthBps, r.foldRatio]),
  );
}

/** Maximum RPO within each collection interval of the window. */
export function rpoPerInterval(result: SimulationResult, intervalS: number): { startS: number; maxRpoS: number }[] {
  const out: { startS: number; maxRpoS: number }[] = [];
  const s = result.rpoPerSecond;
  for (let i = 0; i < s.length; i += intervalS) {
    let max = 0;
    for (let j = i; j < Math.min(s.length, i + intervalS); j++) if (s[j]! > max) max = s[j]!;
    out.push({ startS: result.startS + i, maxRpoS: max });
  }
  return out;
}

/** What an outage did: changes to resync, how long until consistent, until RPO is back. */
export interface OutageReport {
  fromS: number;
  toS: number;
  changedBytes: number;
  /** From the link's return until changes written after it are applied remotely. */
  resyncSeconds: number | null;
  /** First time after the outage when RPO is at or under the target again. */
  rpoBackUnderTargetS: number | null;
}

export interface SimulationView {
  link: Link;
  cycleS: number;
  targetS: number;
  params: LinkParams;
  timeline: Timeline;
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
    rpo: v.result.rpo,
    longestAboveTargetS: v.result.longestAboveTargetS,
    elongatedCycles: v.result.elongatedCycles,
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
  return renderCsv(['start_s', 'max_rpo_s'], rpoPerInterval(v.result, v.timeline.intervalS).map((r) => [r.startS, r.maxRpoS]));
}

export function simulationTable(v: SimulationView): string {
  const r = v.result;
  const lines = [
    `simulated asynchronous replication over ${windowLine(v.timeline)}`,
    `link ${v.link.paths} x ${formatBandwidth(v.link.pathBps)} (${formatBandwidth(r.payloadBps)} of payload), ${formatDuration(v.cycleS)} cycles; ${paramsLine(v.params)}`,
    '',
    `RPO: p50 ${formatDuration(r.rpo.p50S)}, p95 ${formatDuration(r.rpo.p95S)}, p99 ${formatDuration(r.rpo.p99S)}, max ${formatDuration(r.rpo.maxS)}`,
    `longest time above the ${formatDuration(v.targetS)} target: ${formatDuration(r.longestAboveTargetS ?? 0)}`,
    `cycles: ${formatCount(r.cycles.length)}, elongated (waited for the previous transmit): ${formatCount(r.elongatedCycles)}`,
    `changes need ${formatBandwidth(r.neededBps)} on average at this cycle length; the link carries ${formatBandwidth(r.payloadBps)}`,
  ];
  if (r.unbounded) lines.push(`RPO GROWS WITHOUT BOUND: the link is slower than the changes; the last changes are applied only at ${isoFromS(r.drainedS)}`);
  for (const o of v.outages) {
    lines.push(
      '',
      `outage ${isoFromS(o.fromS)} to ${isoFromS(o.toS)}: ${formatBytes(o.changedBytes)} changed during it`,
      `  resynchronized ${o.resyncSeconds === null ? 'not within the window' : `${formatDuration(o.resyncSeconds)} after the link returned`}` +
        `; RPO back under ${formatDuration(v.targetS)} ${o.rpoBackUnderTargetS === null ? 'not within the window' : `at ${isoFromS(o.rpoBackUnderTargetS)}`}`,
    );
  }
  const longest = [...r.cycles].filter((c) => c.elongated).sort((a, b) => b.switchS - b.captureStartS - (a.switchS - a.captureStartS)).slice(0, 10);
  if (longest.length > 0) {
    lines.push('', 'longest elongated cycles:', renderTable<Cycle>(longest, [
      { header: 'capture start (UTC)', align: 'left', value: (c) => isoFromS(c.captureStartS) },
      { header: 'length', value: (c) => formatDuration(c.switchS - c.captureStartS) },
      { header: 'changed', value: (c) => formatBytes(c.changedBytes) },
      { header: 'transmit', value: (c) => formatDuration(c.appliedS - c.switchS) },
    ]).trimEnd());
  }
  return lines.join('\n') + '\n';
}

export function planTable(plan: PlanResult, pathBps: number | null, targetS: number, percentile: number, cycleS: number, timeline: Timeline, params: LinkParams): string {
  const lines = [
    `link plan over ${windowLine(timeline)}`,
    `target: RPO at or under ${formatDuration(targetS)} for ${percentile} % of the time, ${formatDuration(cycleS)} cycles; ${paramsLine(params)}`,
    '',
    `smallest bandwidth meeting it: ${formatBandwidth(plan.requiredBps)}`,
  ];
  if (plan.paths !== null && pathBps !== null) lines.push(`buy ${plan.paths} path${plan.paths === 1 ? '' : 's'} of ${formatBandwidth(pathBps)} = ${formatBandwidth(plan.linkBps)}`);
  lines.push(
    `with that link: RPO p${percentile} ${formatDuration(plan.achievedRpoS)} (margin ${formatDuration(plan.marginS)}), max ${formatDuration(plan.result.rpo.maxS)}, ${plan.result.elongatedCycles} elongated cycles`,
  );
  return lines.join('\n') + '\n';
}
