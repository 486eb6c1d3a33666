import { UsageError } from '../errors.js';
import type { TimeRange } from '../units/time.js';
import { wireBytes, type LinkParams } from './link.js';
import { percentile } from './percentile.js';
import type { Timeline } from './timeline.js';

/** One capture/transmit cycle of asynchronous replication. */
export interface Cycle {
  captureStartS: number;
  /** Capture end: the cycle switch, when the captured set becomes the transmit set. */
  switchS: number;
  /** When its transmission finished and the remote copy became consistent as of `switchS`. */
  appliedS: number;
  changedBytes: number;
  wireBytes: number;
  /** Longer than the nominal cycle because the previous transmit was still running. */
  elongated: boolean;
}

export interface SimulationOptions {
  cycleS: number;
  /** Nominal link bandwidth, all paths together (bit/s). */
  linkBps: number;
  params: LinkParams;
  /** Times when the link carries nothing. */
  outages: TimeRange[];
  /** RPO target for "time above target" (s); null: not asked. */
  targetS: number | null;
}

export interface RpoSummary {
  p50S: number;
  p95S: number;
  p99S: number;
  maxS: number;
}

export interface SimulationResult {
  cycles: Cycle[];
  /** RPO sampled once per second over the data window. */
  rpoPerSecond: Float64Array;
  /** When the last captured changes are applied remotely (may be after the window). */
  drainedS: number;
  startS: number;
  rpo: RpoSummary;
  /** Longest stretch with RPO above the target (s), when a target was given. */
  longestAboveTargetS: number | null;
  elongatedCycles: number;
  /** The last cycles keep growing: the link is slower than the changes; RPO has no bound. */
  unbounded: boolean;
  /** Average bit/s the changes need at this cycle length, against the link's payload bit/s. */
  neededBps: number;
  payloadBps: number;
}

/**
 * Simulate cycle-based asynchronous replication over a link (DESIGN: RPO simulation). Capture
 * runs for at least one cycle; at a switch the captured set (the OR of its intervals) becomes the
 * transmit set; the next switch waits until that transmit has finished and the cycle time has
 * elapsed, at an interval boundary (the store's resolution). The remote copy is consistent as of
 * a cycle's switch time once its transmit is done, so RPO(t) = t − the switch time of the newest
 * cycle applied by t. The link carries nothing during outages. Terminates after one cycle per
 * interval at most, however slow the link: an unbounded RPO is reported, not waited for.
 */
export function simulate(timeline: Timeline, options: SimulationOptions): SimulationResult {
  const I = timeline.intervalS;
  const C = options.cycleS;
  if (C < I || C % I !== 0) throw new UsageError(`--cycle ${C} s must be a whole multiple of the ${I} s collection interval (collect with a shorter --interval for shorter cycles)`);
  if (!(options.linkBps > 0)) throw new UsageError('the link bandwidth must be above 0');
  const payloadBytesPerS = (options.linkBps * options.params.efficiency) / 8;
  const outages = [...options.outages].sort((a, b) => a.fromS - b.fromS);
  const finish = (startS: number, bytes: number): number => transmitEnd(startS, bytes, payloadBytesPerS, outages);

  const cycles: Cycle[] = [];
  let captureStartS = timeline.firstS;
  let transmitDoneS = timeline.firstS;
  while (captureStartS < timeline.endS) {
    const due = Math.max(captureStartS + C, transmitDoneS);
    const switchS = Math.ceil(due / I) * I;
    const changed = timeline.changedBytes(captureStartS, switchS);
    const wire = wireBytes(changed, options.params);
    const appliedS = finish(switchS, wire);
    cycles.push({ captureStartS, switchS, appliedS, changedBytes: changed, wireBytes: wire, elongated: switchS - captureStartS > C });
    captureStartS = switchS;
    transmitDoneS = appliedS;
  }

  const rpoPerSecond = rpoSeries(cycles, timeline.firstS, timeline.endS);
  const sorted = Float64Array.from(rpoPerSecond).sort();
  const last = cycles.slice(-3);
  const windowS = timeline.endS - timeline.firstS;
  return {
    cycles,
    rpoPerSecond,
    drainedS: cycles.reduce((m, c) => Math.max(m, c.appliedS), timeline.firstS),
    startS: timeline.firstS,
    rpo: { p50S: percentile(sorted, 50), p95S: percentile(sorted, 95), p99S: percentile(sorted, 99), maxS: sorted[sorted.length - 1] ?? 0 },
    longestAboveTargetS: options.targetS === null ? null : longestAbove(rpoPerSecond, options.targetS),
    elongatedCycles: cycles.filter((c) => c.elongated).length,
    unbounded: last.length === 3 && last.every((c, i) => c.elongated && (i === 0 || c.switchS - c.captureStartS > last[i - 1]!.switchS - last[i - 1]!.captureStartS)),
    neededBps: windowS > 0 ? (8 * cycles.reduce((n, c) => n + c.wireBytes, 0)) / windowS : 0,
    payloadBps: payloadBytesPerS * 8,
  };
}

/** When a transmit of `bytes` started at `startS` ends, pausing through outages. */
export function transmitEnd(startS: number, bytes: number, bytesPerS: number, outages: TimeRange[]): number {
  let t = startS;
  let remaining = bytes;
  for (const o of outages) {
    if (o.toS <= t) continue;
    if (o.fromS >= t + remaining / bytesPerS) break;
    if (o.fromS > t) remaining -= (o.fromS - t) * bytesPerS;
    t = Math.max(t, o.toS);
  }
  return t + remaining / bytesPerS;
}

/** RPO at each whole second from `startS` to `endS`: t − switch time of the newest applied cycle. */
function rpoSeries(cycles: Cycle[], startS: number, endS: number): Float64Array {
  const applied = [...cycles].sort((a, b) => a.appliedS - b.appliedS);
  const series = new Float64Array(Math.max(0, Math.ceil(endS - startS)));
  let consistentS = startS; // in sync at the start
  let next = 0;
  for (let i = 0; i < series.length; i++) {
    const t = startS + i;
    while (next < applied.length && applied[next]!.appliedS <= t) consistentS = Math.max(consistentS, applied[next++]!.switchS);
    series[i] = t - consistentS;
  }
  return series;
}

function longestAbove(series: Float64Array, targetS: number): number {
  let longest = 0;
  let run = 0;
  for (let i = 0; i < series.length; i++) {
    run = series[i]! > targetS ? run + 1 : 0;
    if (run > longest) longest = run;
  }
  return longest;
}
