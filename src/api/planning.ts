import { cycleLengthTable, type CycleLengthRow } from '../report/cycle-length.js';
import { DEFAULT_LINK_PARAMS, type LinkParams } from '../report/link.js';
import type { ModelRow } from '../report/models.js';
import { scanModels } from '../report/model-scan.js';
import { outageReport, type OutageReport } from '../report/outage.js';
import { planLink as planOnTimeline, type PlanResult } from '../report/plan.js';
import { selectedWindow } from '../report/selection.js';
import { simulate, type SimulationResult } from '../report/simulate.js';
import { sweep, sweepLinks, type SweepRow } from '../report/sweep.js';
import type { Store } from '../store/store.js';
import type { Link } from '../units/bandwidth.js';
import type { TimeRange } from '../units/time.js';
import { selectData, windowOf, withSelectionChanges, type PlanningWindow, type Selection } from './selection.js';
import { checkLink, checkOptions, checkPercentile, checkPlanning, checkRange } from './check-options.js';
import { list, object, optional, positiveNumber } from './validate.js';

/** Options every planning function takes: the selection and the link math. */
export interface PlanningOptions extends Selection {
  /** Overhead, compression, efficiency and growth (default: none, 1:1, 100 %, no growth). */
  params?: Partial<LinkParams>;
  /** Async capture cycle (s), a multiple of the collection interval; default: the interval. */
  cycleS?: number;
}

export interface ModelsOptions extends PlanningOptions {
  /** Window of the peak write rate synchronous replication must carry (s, default 1). */
  syncWindowS?: number;
  /** Periodic replication period (s); default 1 h when the interval divides it, else the interval. */
  periodS?: number;
}

/** Synchronous, asynchronous-cycle and periodic replication side by side, and what they covered. */
export interface ModelsReport {
  rows: ModelRow[];
  firstS: number;
  endS: number; // exclusive
  intervalS: number;
  trackBytes: number;
  params: LinkParams;
}

export interface SimulateOptions extends PlanningOptions {
  link: Link;
  /** RPO target for "time above target" and outage recovery (s); default two cycles. */
  targetS?: number;
  /** Times the link carries nothing. */
  outages?: readonly TimeRange[];
  /** A percentile to show besides p50/p95/p99/max, in (0, 100]. */
  percentile?: number | null;
}

/** A simulation and what it was run with (all a renderer needs). */
export interface Simulation {
  link: Link;
  cycleS: number;
  targetS: number;
  percentile: number | null;
  excluded: string[];
  params: LinkParams;
  timeline: PlanningWindow;
  result: SimulationResult;
  outages: OutageReport[];
}

export interface PlanOptions extends PlanningOptions {
  /** The RPO to meet (s). */
  targetRpoS: number;
  /** Share of the time (%) RPO must be at or under the target, in (0, 100]; default 99. */
  percentile?: number;
  /** One path's bandwidth (bit/s): the link is bought in whole paths; default: any bandwidth. */
  pathBps?: number | null;
}

/** A link plan and what it was made with (all a renderer needs). */
export interface LinkPlan {
  plan: PlanResult;
  pathBps: number | null;
  targetS: number;
  percentile: number;
  cycleS: number;
  timeline: PlanningWindow;
  params: LinkParams;
  excluded: string[];
}

export interface CycleLengthOptions extends Selection {
  params?: Partial<LinkParams>;
  /** Longest cycle (s), a multiple of the interval; default 1 h. */
  maxCycleS?: number;
}

export interface SweepOptions extends PlanOptions {
  /** The link the sweep is centred on (bit/s, all paths): 0.5x .. 4x of it. */
  linkBps: number;
  /** Monthly prices per path and per Mbit/s, for a cost column. */
  prices?: { perPath: number | null; perMbit: number | null };
}

const paramsOf = (options: { params?: Partial<LinkParams> }): LinkParams => ({
  ...DEFAULT_LINK_PARAMS,
  ...options.params,
});

/** The options of a plan (and a sweep): the planning options, targetRpoS, percentile, pathBps. */
function checkPlanOptions(options: unknown): Record<string, unknown> {
  const o = object('options', options);
  checkPlanning(o);
  positiveNumber('targetRpoS', o.targetRpoS);
  checkPercentile(o.percentile, false);
  optional(o.pathBps, (v) => positiveNumber('pathBps', v));
  return o;
}

/** One hour when the interval divides it, else one interval. */
export function defaultPeriodS(intervalS: number): number {
  return 3600 % intervalS === 0 ? 3600 : intervalS;
}

/** Replication models over the selection: what synchronous, async and periodic replication ship. */
export async function replicationModels(store: Store, options: ModelsOptions = {}): Promise<ModelsReport> {
  const o = checkOptions(options);
  checkPlanning(o);
  optional(o.syncWindowS, (v) => positiveNumber('syncWindowS', v), false);
  optional(o.periodS, (v) => positiveNumber('periodS', v), false);
  const { source, settings, range } = await selectData(store, options);
  const { intervalS, trackBytes } = settings;
  const { window, volumes } = await selectedWindow(source, settings, range);
  const params = paramsOf(options);
  const rows = await scanModels(source, volumes, {
    intervalS,
    trackBytes,
    fromS: window.fromS,
    toS: window.toS,
    syncWindowS: options.syncWindowS ?? 1,
    cycleS: options.cycleS ?? intervalS,
    periodS: options.periodS ?? defaultPeriodS(intervalS),
    params,
    // A large selection is read on both cores (each thread its own connection to the store).
    threads: { count: 'auto' },
  });
  const firstS = Math.floor(window.fromS / intervalS) * intervalS;
  return { rows, firstS, endS: Math.ceil(window.toS / intervalS) * intervalS, intervalS, trackBytes, params };
}

/** Simulate cycle-based asynchronous replication of the selection over `options.link`: RPO over time. */
export async function simulateReplication(store: Store, options: SimulateOptions): Promise<Simulation> {
  const o = object('options', options);
  checkPlanning(o);
  checkLink('link', o.link);
  optional(o.targetS, (v) => positiveNumber('targetS', v), false);
  optional(o.outages, (v) => list('outages', v).forEach((outage, i) => checkRange(`outages[${i}]`, outage)), false);
  checkPercentile(o.percentile, true);
  const selected = await selectData(store, options);
  const cycleS = options.cycleS ?? selected.settings.intervalS;
  const targetS = options.targetS ?? 2 * cycleS;
  const params = paramsOf(options);
  const outages = [...(options.outages ?? [])];
  const { link } = options;
  return withSelectionChanges(selected, async (changes) => {
    const result = await simulate(changes, { cycleS, linkBps: link.paths * link.pathBps, params, outages, targetS });
    const reports: OutageReport[] = [];
    for (const outage of outages) reports.push(await outageReport(outage, changes, result, targetS));
    return {
      link,
      cycleS,
      targetS,
      percentile: options.percentile ?? null,
      excluded: selected.excluded,
      params,
      timeline: windowOf(changes),
      result,
      outages: reports,
    };
  });
}

/** The smallest link (in whole paths when `pathBps` is given) whose simulated RPO meets the target. */
export async function planLink(store: Store, options: PlanOptions): Promise<LinkPlan> {
  checkPlanOptions(options);
  const selected = await selectData(store, options);
  const cycleS = options.cycleS ?? selected.settings.intervalS;
  const params = paramsOf(options);
  const percentile = options.percentile ?? 99;
  const pathBps = options.pathBps ?? null;
  return withSelectionChanges(selected, async (changes) => {
    const plan = await planOnTimeline(changes, {
      targetRpoS: options.targetRpoS,
      percentile,
      pathBps,
      simulation: { cycleS, params, outages: [] },
    });
    return {
      plan,
      pathBps,
      targetS: options.targetRpoS,
      percentile,
      cycleS,
      timeline: windowOf(changes),
      params,
      excluded: selected.excluded,
    };
  });
}

/** Changed bytes per cycle and the bandwidth that ships them, for cycles of 1, 2, ... intervals. */
export async function cycleLengths(store: Store, options: CycleLengthOptions = {}): Promise<CycleLengthRow[]> {
  const o = checkOptions(options);
  checkPlanning(o);
  optional(o.maxCycleS, (v) => positiveNumber('maxCycleS', v), false);
  const selected = await selectData(store, options);
  return withSelectionChanges(selected, (changes) =>
    cycleLengthTable(changes, options.maxCycleS ?? 3600, paramsOf(options)),
  );
}

/** Simulate links of 0.5x to 4x `options.linkBps`: RPO, time over the target, backlog and cost of each link. */
export async function linkSweep(store: Store, options: SweepOptions): Promise<SweepRow[]> {
  const o = checkPlanOptions(options);
  positiveNumber('linkBps', o.linkBps);
  const selected = await selectData(store, options);
  const cycleS = options.cycleS ?? selected.settings.intervalS;
  const pathBps = options.pathBps ?? null;
  const paths = pathBps === null ? null : Math.round(options.linkBps / pathBps);
  return withSelectionChanges(selected, (changes) =>
    sweep(changes, sweepLinks(options.linkBps, pathBps, paths), {
      targetS: options.targetRpoS,
      percentile: options.percentile ?? 99,
      simulation: { cycleS, params: paramsOf(options), outages: [] },
      prices: options.prices ?? { perPath: null, perMbit: null },
    }),
  );
}
