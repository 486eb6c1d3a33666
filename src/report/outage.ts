import type { TimeRange } from '../units/time.js';
import { rpoBackUnderS, type SimulationResult } from './simulate.js';
import type { CycleChanges } from './changes.js';

/** What an outage did: changes to resync, how long until consistent, until RPO is back. */
export interface OutageReport {
  fromS: number;
  toS: number;
  changedBytes: number;
  /** From the link's return until changes written after it are applied remotely. */
  resyncSeconds: number | null;
  /** First time after the outage when RPO is at or under the target again. */
  rpoBackUnderTargetS: number | null;
  /** Most bytes waiting (captured + in transmission) in a cycle overlapping the outage. */
  peakBacklogBytes: number;
}

/** Changes during an outage, time to resynchronize, when RPO is back under the target, backlog. */
export async function outageReport(
  outage: TimeRange,
  timeline: CycleChanges,
  result: SimulationResult,
  targetS: number,
): Promise<OutageReport> {
  const I = timeline.intervalS;
  const fromS = Math.floor(outage.fromS / I) * I;
  const { changedBytes } = (await timeline.changed(fromS, Math.ceil(outage.toS / I) * I)).whole;
  const after = result.cycles.find((c) => c.switchS >= outage.toS);
  let peakBacklogBytes = 0;
  for (const c of result.cycles) {
    const overlaps = c.appliedS >= outage.fromS && c.captureStartS <= outage.toS;
    if (overlaps) peakBacklogBytes = Math.max(peakBacklogBytes, c.backlogBytes);
  }
  return {
    fromS: outage.fromS,
    toS: outage.toS,
    changedBytes,
    resyncSeconds: after ? after.appliedS - outage.toS : null,
    rpoBackUnderTargetS: rpoBackUnderS(result, Math.ceil(outage.toS), targetS),
    peakBacklogBytes,
  };
}
