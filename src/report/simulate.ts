import { UsageError } from '../errors.js';
import type { TimeRange } from '../units/time.js';
import { wireBytes, type LinkParams } from './link.js';
import {
  aboveTarget,
  firstAtOrBelowS,
  maxRpoPerInterval,
  MissWatch,
  RpoBuilder,
  rpoMaxS,
  rpoPercentileS,
  type RpoRow,
  type RpoTooth,
} from './rpo.js';
import { NO_CHANGE, type ChangedRanges, type CycleChanges } from './changes.js';

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
  /**
   * Most bytes waiting while this cycle was in transmission: its own set plus what the next
   * cycle had captured by the time it was applied (whole intervals: an upper bound at the
   * store's resolution), grown by the growth factor. 0 when the backlog was not asked for.
   */
  backlogBytes: number;
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
  /** Compute each cycle's backlog (one more OR per cycle); default true. The planner's search skips it. */
  backlog?: boolean;
}

export interface RpoSummary {
  p50S: number;
  p95S: number;
  p99S: number;
  maxS: number;
}

export interface SimulationResult {
  /** Cycles in order; stretches of empty cycles on an idle link are folded (counted in `idleCycles`). */
  cycles: Cycle[];
  idleCycles: number;
  /**
   * RPO at every whole second from `startS` to `samplesEndS` (exclusive): the window, and past its
   * end until the last captured change is applied (RPO keeps growing until then).
   */
  rpoTeeth: RpoTooth[];
  /** When the last captured changes are applied remotely (may be after the window). */
  drainedS: number;
  startS: number;
  samplesEndS: number;
  rpo: RpoSummary;
  /** Longest stretch with RPO above the target (s), when a target was given. */
  longestAboveTargetS: number | null;
  /** Seconds with RPO above the target, and the number of separate stretches above it. */
  secondsAboveTargetS: number | null;
  violations: number | null;
  elongatedCycles: number;
  /** The link is slower than the changes: they need more than its payload and it is still behind at the end. */
  unbounded: boolean;
  /** Average bit/s the changes need at this cycle length, against the link's payload bit/s. */
  neededBps: number;
  payloadBps: number;
  /** Largest backlog of any cycle (bytes); 0 when the backlog was not asked for. */
  peakBacklogBytes: number;
}

/**
 * Simulate cycle-based asynchronous replication over a link (DESIGN: RPO simulation). Capture
 * runs for at least one cycle; at a switch the captured set (the OR of its intervals) becomes the
 * transmit set; the next switch waits until that transmit has finished and the cycle time has
 * elapsed, at an interval boundary (the store's resolution). The remote copy is consistent as of
 * a cycle's switch time once its transmit is done, so RPO(t) = t − the switch time of the newest
 * cycle applied by t. The link carries nothing during outages. RPO is kept as a sawtooth; runs of
 * empty cycles on an idle link are folded, so work and memory follow the cycles that carry
 * changes, never the span between them. At most one cycle per interval however slow the link:
 * an unbounded RPO is reported, not waited for.
 */
export async function simulate(timeline: CycleChanges, options: SimulationOptions): Promise<SimulationResult> {
  return summarize(timeline, options, (await runCycles(timeline, options, null))!);
}

/**
 * Whether the link meets `targetS` at percentile `percentile` (what `rpoAtPercentileS` of
 * `simulate` gives, compared with the target), stopping as soon as the samples built so far
 * decide a miss (`MissWatch`): a link far too slow is judged on its first cycles, before the long
 * ones that would read most of the window.
 */
export async function meetsTarget(
  timeline: CycleChanges,
  options: SimulationOptions & { targetS: number },
  percentile: number,
): Promise<boolean> {
  const run = await runCycles(timeline, { ...options, backlog: false }, percentile);
  if (run === null) return false;
  const teeth = run.rpo.finish(samplesEnd(timeline, run.cycles));
  const rpoS = percentile >= 100 ? rpoMaxS(teeth) : rpoPercentileS(teeth, percentile);
  return rpoS <= options.targetS;
}

/** What the cycle loop leaves for the summary. */
interface CycleRun {
  cycles: Cycle[];
  rpo: RpoBuilder;
  idleCycles: number;
  lastWasIdle: boolean;
  peakBacklogBytes: number;
  payloadBytesPerS: number;
}

/** When the samples end: the window's end, or later when the last changes are applied after it. */
function samplesEnd(timeline: CycleChanges, cycles: readonly Cycle[]): number {
  return Math.max(timeline.endS, Math.ceil(drainedAt(timeline, cycles)));
}

function drainedAt(timeline: CycleChanges, cycles: readonly Cycle[]): number {
  let drainedS = timeline.firstS;
  for (const c of cycles) if (c.changedBytes > 0 && c.appliedS > drainedS) drainedS = c.appliedS;
  return drainedS;
}

/**
 * The cycle loop. With `missPercentile`, it gives up (null) once the samples built miss
 * `options.targetS` at that percentile whatever follows (see `MissWatch`).
 */
async function runCycles(
  timeline: CycleChanges,
  options: SimulationOptions,
  missPercentile: number | null,
): Promise<CycleRun | null> {
  const I = timeline.intervalS;
  const C = options.cycleS;
  if (!(C >= I) || C % I !== 0) {
    throw new UsageError(`cycleS ${C} s must be a whole multiple of the ${I} s collection interval`);
  }
  if (!(options.linkBps > 0)) throw new UsageError(`linkBps must be above 0; got ${options.linkBps}`);
  await timeline.prepareCycles?.(C);
  const payloadBytesPerS = (options.linkBps * options.params.efficiency) / 8;
  const outages = [...options.outages].sort((a, b) => a.fromS - b.fromS);
  // Per-interval compression is already in `compressedBytes`: the link figures then use 1:1.
  const wireParams = timeline.perIntervalCompression ? { ...options.params, compression: 1 } : options.params;
  const backlog = options.backlog !== false;
  const grown = 1 + (options.params.growth ?? 0);
  /** Changes of [fromS, toS) and its prefix [fromS, markS), skipping a leading stretch without changes. */
  const changed = async (fromS: number, toS: number, markS: number | undefined): Promise<ChangedRanges> => {
    const activeS = timeline.nextActiveS(fromS);
    if (activeS >= toS) return { whole: NO_CHANGE, mark: markS === undefined ? null : NO_CHANGE };
    return timeline.changed(activeS, toS, markS === undefined ? undefined : Math.max(activeS, markS));
  };

  const cycles: Cycle[] = [];
  const rpo = new RpoBuilder(timeline.firstS);
  const watch =
    missPercentile === null || options.targetS === null
      ? null
      : new MissWatch(rpo.teeth, timeline.firstS, timeline.endS, options.targetS, missPercentile);
  let idleCycles = 0;
  let lastWasIdle = false;
  let captureStartS = timeline.firstS;
  let transmitDoneS = timeline.firstS;
  let peakBacklogBytes = 0;
  /**
   * The backlog of a cycle: its own set plus what the next cycle captured by the time it was
   * applied (read as the next cycle's prefix, so the store is read forwards once).
   */
  const closeBacklog = (c: Cycle, nextCapturedBytes: number): void => {
    c.backlogBytes = (c.changedBytes + nextCapturedBytes) * grown;
    if (c.backlogBytes > peakBacklogBytes) peakBacklogBytes = c.backlogBytes;
  };
  let open: Cycle | null = null; // the previous cycle, its backlog still to close
  while (captureStartS < timeline.endS) {
    const idle = transmitDoneS <= captureStartS + C ? idleCyclesFrom(timeline, captureStartS, C, outages) : 0;
    if (idle >= 2) {
      // Empty cycles on a free link apply at their switch: RPO runs 0 .. C−1 in each.
      const firstSwitchS = captureStartS + C;
      rpo.apply(firstSwitchS, firstSwitchS);
      rpo.repeatIdle(firstSwitchS, C, idle - 1);
      idleCycles += idle;
      captureStartS += idle * C;
      transmitDoneS = captureStartS;
      lastWasIdle = true;
      // Its transmit ended within the first idle cycle, which captured nothing.
      if (open !== null && backlog) closeBacklog(open, 0);
      open = null;
      if (watch?.missed() === true) return null;
      continue;
    }
    const switchS = Math.ceil(Math.max(captureStartS + C, transmitDoneS) / I) * I;
    const markS = open !== null && backlog ? Math.min(switchS, Math.ceil(open.appliedS / I) * I) : undefined;
    const { whole, mark } = await changed(captureStartS, switchS, markS);
    if (open !== null && backlog) closeBacklog(open, (mark ?? NO_CHANGE).changedBytes);
    const changedBytes = whole.changedBytes;
    const wire = wireBytes(whole.compressedBytes, wireParams);
    const appliedS = transmitEnd(switchS, wire, payloadBytesPerS, outages);
    const elongated = switchS - captureStartS > C;
    const cycle = { captureStartS, switchS, appliedS, changedBytes, wireBytes: wire, elongated, backlogBytes: 0 };
    cycles.push(cycle);
    open = cycle;
    rpo.apply(appliedS, switchS);
    captureStartS = switchS;
    transmitDoneS = appliedS;
    lastWasIdle = false;
    if (watch?.missed() === true) return null;
  }
  // The last cycle: what is captured after it lies past the window's end, where nothing changes.
  if (open !== null && backlog) closeBacklog(open, 0);
  return { cycles, rpo, idleCycles, lastWasIdle, peakBacklogBytes, payloadBytesPerS };
}

/** The result of a finished cycle loop. */
function summarize(timeline: CycleChanges, options: SimulationOptions, run: CycleRun): SimulationResult {
  const { cycles, rpo, idleCycles, lastWasIdle, peakBacklogBytes, payloadBytesPerS } = run;
  const drainedS = drainedAt(timeline, cycles);
  const samplesEndS = samplesEnd(timeline, cycles);
  const teeth = rpo.finish(samplesEndS);

  const windowS = timeline.endS - timeline.firstS;
  const neededBps = windowS > 0 ? (8 * cycles.reduce((n, c) => n + c.wireBytes, 0)) / windowS : 0;
  const above = options.targetS === null ? null : aboveTarget(teeth, options.targetS);
  const last = cycles[cycles.length - 1];
  return {
    cycles,
    idleCycles,
    rpoTeeth: teeth,
    drainedS,
    startS: timeline.firstS,
    samplesEndS,
    rpo: {
      p50S: rpoPercentileS(teeth, 50),
      p95S: rpoPercentileS(teeth, 95),
      p99S: rpoPercentileS(teeth, 99),
      maxS: rpoMaxS(teeth),
    },
    longestAboveTargetS: above?.longestAboveS ?? null,
    secondsAboveTargetS: above?.secondsAboveS ?? null,
    violations: above?.violations ?? null,
    elongatedCycles: cycles.filter((c) => c.elongated).length,
    unbounded: neededBps > payloadBytesPerS * 8 * (1 + 1e-9) && !lastWasIdle && last !== undefined && last.elongated,
    neededBps,
    payloadBps: payloadBytesPerS * 8,
    peakBacklogBytes,
  };
}

/**
 * Whole empty cycles from `captureStartS` before the next change, the window's end or the next
 * outage (inside an outage even an empty cycle waits for the link): they can be folded.
 */
function idleCyclesFrom(timeline: CycleChanges, captureStartS: number, cycleS: number, outages: TimeRange[]): number {
  let limitS = Math.min(timeline.nextActiveS(captureStartS), timeline.endS);
  for (const o of outages) {
    if (o.toS <= captureStartS) continue;
    limitS = Math.min(limitS, o.fromS);
    break;
  }
  return Math.max(0, Math.floor((limitS - captureStartS) / cycleS));
}

/** RPO at percentile `p` (nearest rank over the seconds sampled), any p in (0, 100]. */
export function rpoAtPercentileS(result: SimulationResult, p: number): number {
  return p >= 100 ? result.rpo.maxS : rpoPercentileS(result.rpoTeeth, p);
}

/** First whole second at or after `fromS` when RPO is at or under `targetS`, or null. */
export function rpoBackUnderS(result: SimulationResult, fromS: number, targetS: number): number | null {
  return firstAtOrBelowS(result.rpoTeeth, fromS, targetS);
}

/** Maximum RPO within each collection interval that has samples (folded idle stretches: one row). */
export function rpoPerInterval(result: SimulationResult, intervalS: number): RpoRow[] {
  return maxRpoPerInterval(result.rpoTeeth, intervalS);
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
