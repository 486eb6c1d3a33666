import { UsageError } from '../errors.js';
import { wireBytes, type LinkParams } from './link.js';
import type { CycleChanges } from './changes.js';

/** Changes to ship at one cycle length (the cycle-length table). */
export interface CycleLengthRow {
  cycleS: number;
  /** Cycles in the window (tumbling from its start), and those with changes. */
  cycles: number;
  activeCycles: number;
  /** Changed bytes (distinct tracks × track size) of the busiest cycle and at p95 of all cycles. */
  peakChangedBytes: number;
  p95ChangedBytes: number;
  /** Bytes shipped over the window: the sum over cycles. */
  shippedBytes: number;
  /** Bandwidth to ship the busiest cycle within one cycle: 8 · D / (cycle · efficiency). */
  requiredBps: number;
  /** Written bytes per shipped byte: what write folding saves at this cycle length. */
  foldRatio: number;
}

/**
 * Bytes to ship per cycle as the cycle grows: for cycle lengths 1, 2, 3 … × the interval up to
 * `maxCycleS`, cycles tumble from the window start, each shipping the OR of its intervals. Only
 * cycles with changes are ORed (empty ones count as zeros), so a sparse span costs nothing.
 * Percentiles are nearest rank over all cycles of the window.
 */
export async function cycleLengthTable(
  timeline: CycleChanges,
  maxCycleS: number,
  params: LinkParams,
): Promise<CycleLengthRow[]> {
  const I = timeline.intervalS;
  if (!(maxCycleS >= I)) {
    throw new UsageError(`maxCycleS ${maxCycleS} s must be at least the ${I} s collection interval`);
  }
  // Every cycle asked is a run of at most maxCycleS from an interval: one pass counts them all.
  await timeline.prepareCycles?.(Math.floor(maxCycleS / I) * I);
  const written = timeline.writtenBytes();
  const rows: CycleLengthRow[] = [];
  for (let cycleS = I; cycleS <= maxCycleS; cycleS += I) {
    const cycles = Math.ceil((timeline.endS - timeline.firstS) / cycleS);
    const perCycle: number[] = []; // changed bytes of the cycles with changes
    let shippedBytes = 0;
    for (let startS = timeline.nextActiveS(timeline.firstS); startS < timeline.endS;) {
      const j = Math.floor((startS - timeline.firstS) / cycleS);
      const fromS = timeline.firstS + j * cycleS;
      const bytes = (await timeline.changed(fromS, Math.min(fromS + cycleS, timeline.endS))).whole.changedBytes;
      if (bytes > 0) perCycle.push(bytes);
      shippedBytes += bytes;
      startS = timeline.nextActiveS(fromS + cycleS);
    }
    perCycle.sort((a, b) => a - b);
    const peakChangedBytes = perCycle[perCycle.length - 1] ?? 0;
    const rank = Math.max(1, Math.ceil(0.95 * cycles)); // nearest rank among all cycles, zeros first
    const zeros = cycles - perCycle.length;
    const p95ChangedBytes = rank <= zeros ? 0 : perCycle[rank - zeros - 1]!;
    rows.push({
      cycleS,
      cycles,
      activeCycles: perCycle.length,
      peakChangedBytes,
      p95ChangedBytes,
      shippedBytes,
      requiredBps: (8 * wireBytes(peakChangedBytes, params)) / (cycleS * params.efficiency),
      foldRatio: shippedBytes > 0 ? written / shippedBytes : 0,
    });
  }
  return rows;
}
