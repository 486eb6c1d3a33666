import { monthlyCost, type LinkPrices } from './cost.js';
import { rpoAtPercentileS, simulate, type SimulationOptions } from './simulate.js';
import type { CycleChanges } from './changes.js';

/** One link size of a what-if sweep. */
export interface SweepRow {
  linkBps: number;
  /** Paths of the path bandwidth, when the sweep is over paths; else null. */
  paths: number | null;
  p50S: number;
  p95S: number;
  p99S: number;
  maxS: number;
  /** RPO at the plan's percentile. */
  rpoAtPercentileS: number;
  /** Time with RPO above the target, the number of separate stretches above it, the longest. */
  timeOverTargetS: number;
  violations: number;
  longestOverTargetS: number;
  peakBacklogBytes: number;
  monthlyCost: number | null;
}

/** One link size to simulate: total bandwidth, and paths when the sweep is over paths. */
export interface SweepLink {
  linkBps: number;
  paths: number | null;
}

/** Bandwidth multiples of the plan a sweep without a path bandwidth covers. */
export const SWEEP_FACTORS = [0.5, 0.75, 1, 1.25, 1.5, 2, 3, 4];
/** Most paths a sweep over paths covers. */
export const SWEEP_MAX_PATHS = 64;

/**
 * Link sizes for a what-if sweep around a plan: 0.5x .. 4x the planned bandwidth, or 1 .. K
 * paths of `pathBps` with K = 4 × the planned paths (at least 4, at most 64).
 */
export function sweepLinks(plannedBps: number, pathBps: number | null, plannedPaths: number | null): SweepLink[] {
  if (pathBps === null || plannedPaths === null) {
    return SWEEP_FACTORS.map((f) => ({ linkBps: plannedBps * f, paths: null }));
  }
  const k = Math.min(SWEEP_MAX_PATHS, Math.max(4, 4 * plannedPaths));
  return Array.from({ length: k }, (_, i) => ({ linkBps: (i + 1) * pathBps, paths: i + 1 }));
}

export interface SweepRequest {
  targetS: number;
  percentile: number;
  simulation: Omit<SimulationOptions, 'linkBps' | 'targetS'>;
  prices: LinkPrices;
}

/** Simulate each link size: RPO percentiles, time over the target, violations, backlog and cost. */
export async function sweep(timeline: CycleChanges, links: SweepLink[], request: SweepRequest): Promise<SweepRow[]> {
  const rows: SweepRow[] = [];
  for (const { linkBps, paths } of links) {
    const r = await simulate(timeline, { ...request.simulation, linkBps, targetS: request.targetS });
    rows.push({
      linkBps,
      paths,
      p50S: r.rpo.p50S,
      p95S: r.rpo.p95S,
      p99S: r.rpo.p99S,
      maxS: r.rpo.maxS,
      rpoAtPercentileS: rpoAtPercentileS(r, request.percentile),
      timeOverTargetS: r.secondsAboveTargetS ?? 0,
      violations: r.violations ?? 0,
      longestOverTargetS: r.longestAboveTargetS ?? 0,
      peakBacklogBytes: r.peakBacklogBytes,
      monthlyCost: monthlyCost(request.prices, linkBps, paths),
    });
  }
  return rows;
}
