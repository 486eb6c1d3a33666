import { UsageError } from '../errors.js';
import { pathsNeeded } from './link.js';
import { simulate, type SimulationOptions, type SimulationResult } from './simulate.js';
import type { Timeline } from './timeline.js';

export interface PlanRequest {
  targetRpoS: number;
  percentile: 50 | 95 | 99 | 100;
  /** One path's bandwidth; null: report the bandwidth only. */
  pathBps: number | null;
  simulation: Omit<SimulationOptions, 'linkBps' | 'targetS'>;
}

export interface PlanResult {
  /** Smallest link bandwidth meeting the target (bit/s, nominal, all paths). */
  requiredBps: number;
  paths: number | null;
  /** The link to buy: paths × path bandwidth, or the required bandwidth. */
  linkBps: number;
  /** The chosen link's RPO at the percentile, and target − that. */
  achievedRpoS: number;
  marginS: number;
  result: SimulationResult;
}

const rpoAt = (r: SimulationResult, p: PlanRequest['percentile']): number =>
  p === 50 ? r.rpo.p50S : p === 95 ? r.rpo.p95S : p === 99 ? r.rpo.p99S : r.rpo.maxS;

/**
 * Find the smallest bandwidth whose simulated RPO at the percentile meets the target, by
 * bisection on the simulator (RPO falls as bandwidth rises), then round up to whole paths.
 */
export function planLink(timeline: Timeline, request: PlanRequest): PlanResult {
  const run = (bps: number): SimulationResult => simulate(timeline, { ...request.simulation, linkBps: bps, targetS: request.targetRpoS });
  const meets = (bps: number): boolean => rpoAt(run(bps), request.percentile) <= request.targetRpoS;
  const floorS = request.simulation.cycleS + timeline.intervalS;
  if (request.targetRpoS < request.simulation.cycleS) {
    throw new UsageError(`an RPO of ${request.targetRpoS} s cannot be met with ${request.simulation.cycleS} s cycles: RPO is at least one cycle; use a shorter --cycle`);
  }
  let hi = 1e6;
  while (!meets(hi)) {
    hi *= 4;
    if (hi > 1e14) throw new UsageError(`no link up to 100 Tbit/s meets RPO ${request.targetRpoS} s at p${request.percentile} with ${request.simulation.cycleS} s cycles (the floor is about ${floorS} s); use a shorter --cycle or a larger target`);
  }
  let lo = hi / 4;
  if (hi === 1e6) lo = 0;
  for (let i = 0; i < 60 && hi - lo > Math.max(1, hi * 1e-4); i++) {
    const mid = (lo + hi) / 2;
    if (meets(mid)) hi = mid;
    else lo = mid;
  }
  const paths = request.pathBps === null ? null : pathsNeeded(hi, request.pathBps);
  const linkBps = paths === null ? hi : paths * request.pathBps!;
  const result = run(linkBps);
  const achievedRpoS = rpoAt(result, request.percentile);
  return { requiredBps: hi, paths, linkBps, achievedRpoS, marginS: request.targetRpoS - achievedRpoS, result };
}
