import { UsageError } from '../errors.js';
import { formatBandwidth, parseBandwidthBps } from '../units/bandwidth.js';
import { pathsNeeded } from './link.js';
import { meetsTarget, rpoAtPercentileS, simulate, type SimulationOptions, type SimulationResult } from './simulate.js';
import type { CycleChanges } from './changes.js';

export interface PlanRequest {
  targetRpoS: number;
  /** Share of the time (%) RPO must be at or under the target, in (0, 100]; 100 = the maximum. */
  percentile: number;
  /** One path's bandwidth; null: report the bandwidth only. */
  pathBps: number | null;
  simulation: Omit<SimulationOptions, 'linkBps' | 'targetS' | 'backlog'>;
}

export interface PlanResult {
  /**
   * Smallest bandwidth found meeting the target (bit/s, nominal, all paths), rounded up to the
   * printed precision (0.01 of its SI unit) and checked by simulation at that figure.
   */
  requiredBps: number;
  paths: number | null;
  /** The link to buy: paths × path bandwidth, or the required bandwidth; checked by simulation. */
  linkBps: number;
  /** The chosen link's RPO at the percentile, and target − that. */
  achievedRpoS: number;
  marginS: number;
  result: SimulationResult;
  /** How the bandwidth was found: a geometric grid of this step ratio, then bisection. */
  search: { gridRatio: number; simulations: number };
}

/** Highest bandwidth the planner tries (100 Tbit/s). */
export const MAX_PLAN_BPS = 1e14;
const GRID_STEPS_PER_OCTAVE = 64; // a 1.09 % grid
/**
 * Runs of up to this many cycles are computed once for all the search's simulations (`CycleGrid`):
 * near the answer most cycles are nominal or a few intervals longer.
 */
export const PLAN_GRID_CYCLES = 12;

/**
 * Round a bandwidth up to what `formatBandwidth` prints (0.01 of its SI unit), returning the value
 * that printed figure parses back to, so a figure fed back is the figure checked.
 */
export function roundUpBandwidthBps(bps: number): number {
  let exponent = 0;
  while (exponent < 12 && bps >= 10 ** (exponent + 3)) exponent += 3;
  const step = 10 ** (exponent - 2);
  const up = Math.ceil(bps / step - 1e-9) * step;
  return parseBandwidthBps(formatBandwidth(up).replace(' ', ''));
}

/** The printed figure one display step above (+1) or below (−1) a rounded bandwidth. */
function displayStepBps(bps: number, direction: 1 | -1): number {
  let exponent = 0;
  while (exponent < 12 && bps >= 10 ** (exponent + 3)) exponent += 3;
  return roundUpBandwidthBps(bps + direction * 10 ** (exponent - 2) - 10 ** (exponent - 2) * 0.5);
}

/**
 * Find the smallest bandwidth whose simulated RPO at the percentile meets the target. RPO is not
 * monotone in bandwidth (a faster link can switch cycles at other boundaries and fold less), so a
 * plain bisection can miss the smallest: double from 1 bit/s to the first bandwidth that meets
 * the target, scan the octave below it on a 1.09 % grid, bisect between the first meeting grid
 * point and the one below it, round up to the printed precision, and check every figure returned
 * by simulating it (stepping up while it misses). Then round up to whole paths, checked the same way.
 */
export async function planLink(timeline: CycleChanges, request: PlanRequest): Promise<PlanResult> {
  const { targetRpoS, percentile } = request;
  const cycleS = request.simulation.cycleS;
  if (!(percentile > 0 && percentile <= 100)) throw new UsageError(`percentile must be in (0, 100]; got ${percentile}`);
  if (!(targetRpoS > 0)) throw new UsageError(`targetRpoS must be above 0 s; got ${targetRpoS}`);
  if (percentile === 100 && targetRpoS < cycleS) {
    throw new UsageError(
      `a maximum RPO (percentile 100) of targetRpoS ${targetRpoS} s cannot be met with cycleS ` +
        `${cycleS} s: ` +
        'the maximum RPO is at least one cycle; use a shorter cycleS or a lower percentile',
    );
  }
  const windowS = timeline.endS - timeline.firstS;
  if (windowS < targetRpoS + cycleS) {
    throw new UsageError(
      `the window (${windowS} s) is too short to judge targetRpoS ${targetRpoS} s: ` +
        'it must span at least ' +
        `the target plus one cycle (${targetRpoS + cycleS} s) for RPO to be able to exceed the target inside it`,
    );
  }
  await timeline.prepareCycles?.(cycleS * PLAN_GRID_CYCLES);
  let simulations = 0;
  const run = (bps: number, backlog: boolean): Promise<SimulationResult> => {
    simulations++;
    return simulate(timeline, { ...request.simulation, linkBps: bps, targetS: targetRpoS, backlog });
  };
  // A candidate's verdict only: its simulation stops once a miss is certain (the output never shows it).
  const meets = (bps: number): Promise<boolean> => {
    simulations++;
    const options = { ...request.simulation, linkBps: bps, targetS: targetRpoS };
    return meetsTarget(timeline, options, percentile);
  };

  if (!(await meets(MAX_PLAN_BPS))) {
    const floorS = rpoAtPercentileS(await run(MAX_PLAN_BPS, false), percentile);
    throw new UsageError(
      `no link up to 100 Tbit/s meets targetRpoS ${targetRpoS} s at p${percentile} with cycleS ` +
        `${cycleS} s: ` +
        `even then RPO p${percentile} is ${floorS} s; use a shorter cycleS, a lower percentile or a larger target`,
    );
  }
  let hi = 1;
  while (hi < MAX_PLAN_BPS && !(await meets(hi))) hi *= 2;
  hi = Math.min(hi, MAX_PLAN_BPS);
  let lo = hi / 2; // missed (or below 1 bit/s)
  if (hi > 1) {
    const ratio = 2 ** (1 / GRID_STEPS_PER_OCTAVE);
    for (let j = 1; j <= GRID_STEPS_PER_OCTAVE; j++) {
      const g = j === GRID_STEPS_PER_OCTAVE ? hi : lo * ratio ** j;
      if (await meets(g)) {
        hi = g;
        lo = j === 1 ? lo : lo * ratio ** (j - 1);
        break;
      }
    }
    while (hi - lo > hi * 1e-4) {
      const mid = (lo + hi) / 2;
      if (await meets(mid)) hi = mid;
      else lo = mid;
    }
  }
  let requiredBps = roundUpBandwidthBps(hi);
  for (let i = 0; !(await meets(requiredBps)); i++) {
    if (i >= 1000) throw new Error(`no printed bandwidth near ${hi} bit/s meets the target`);
    requiredBps = displayStepBps(requiredBps, 1);
  }
  // The bisection stops within about one printed step: the figure below may meet the target too.
  for (let i = 0; i < 3; i++) {
    const below = displayStepBps(requiredBps, -1);
    if (!(below > lo && below < requiredBps) || !(await meets(below))) break;
    requiredBps = below;
  }
  let paths = request.pathBps === null ? null : pathsNeeded(requiredBps, request.pathBps);
  if (paths !== null) {
    for (let i = 0; !(await meets(paths * request.pathBps!)); i++) {
      if (i >= 1000) throw new Error('no whole number of paths near the required bandwidth meets the target');
      paths++;
    }
  }
  const linkBps = paths === null ? requiredBps : paths * request.pathBps!;
  const result = await run(linkBps, true);
  const achievedRpoS = rpoAtPercentileS(result, percentile);
  return {
    requiredBps,
    paths,
    linkBps,
    achievedRpoS,
    marginS: targetRpoS - achievedRpoS,
    result,
    search: { gridRatio: 2 ** (1 / GRID_STEPS_PER_OCTAVE), simulations },
  };
}
