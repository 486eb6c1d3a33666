import type { Link } from '../units/bandwidth.js';
import type { ModelRow } from './models.js';
import type { PlanResult } from './plan.js';
import { sizeLink, type SizingRequest } from './sizing.js';

/**
 * The answer a report leads with, as figures (the HTML report writes them as a sentence), taken
 * from the same computations as the tables so the figures agree exactly:
 * - `plan`: an RPO target was asked: the link to buy (planLink, as `churnlink plan` prints it)
 *   and the RPO it achieves at the percentile; `no-plan`: why the planner refused the target;
 * - `link`: a link was given: the time to resynchronize the window's changes over it (the
 *   volume table's total row) and, when simulated, its RPO p99 and maximum;
 * - `peak`: neither: the busiest cycle's changed bytes and the bandwidth that ships it within the
 *   cycle (the asynchronous row of the models table), and with a resync time the bandwidth
 *   that sends all the window's changes within it.
 */
export type Headline =
  | {
      kind: 'plan';
      targetRpoS: number;
      percentile: number;
      cycleS: number;
      pathBps: number | null;
      requiredBps: number;
      paths: number | null;
      linkBps: number;
      achievedRpoS: number;
    }
  | { kind: 'no-plan'; targetRpoS: number; reason: string }
  | {
      kind: 'link';
      link: Link;
      changedBytes: number;
      resyncS: number;
      rpo: { cycleS: number; p99S: number; maxS: number } | null;
    }
  | {
      kind: 'peak';
      peakBytes: number;
      cycleS: number;
      requiredBps: number;
      resync: {
        resyncS: number;
        changedBytes: number;
        requiredBps: number;
        pathBps: number | null;
        paths: number | null;
      } | null;
    };

/** What the headline is computed from. */
export interface HeadlineInput {
  /** Changed bytes of all selected volumes over the window (the sum of their ORs). */
  totalChangedBytes: number;
  /** The models table (its asynchronous row gives the peak). */
  models: readonly ModelRow[];
  sizing: SizingRequest;
  /** The simulation on the given link, when there was one. */
  rpo: { cycleS: number; p99S: number; maxS: number } | null;
  /** The plan for an RPO target (planLink), or why the planner refused it; null: no target asked. */
  plan: { targetRpoS: number; percentile: number; cycleS: number; result: PlanResult | { refused: string } } | null;
}

/** The headline figures: a plan when a target is asked, the given link, or else the peak. */
export function headlineOf(input: HeadlineInput): Headline[] {
  const out: Headline[] = [];
  const { sizing } = input;
  if (input.plan !== null) {
    const { targetRpoS, percentile, cycleS, result: plan } = input.plan;
    out.push(
      'refused' in plan
        ? { kind: 'no-plan', targetRpoS, reason: plan.refused }
        : {
            kind: 'plan',
            targetRpoS,
            percentile,
            cycleS,
            pathBps: sizing.pathBps,
            requiredBps: plan.requiredBps,
            paths: plan.paths,
            linkBps: plan.linkBps,
            achievedRpoS: plan.achievedRpoS,
          },
    );
  }
  if (sizing.link !== null) {
    const resyncS = sizeLink(input.totalChangedBytes, sizing).resyncSeconds!;
    out.push({ kind: 'link', link: sizing.link, changedBytes: input.totalChangedBytes, resyncS, rpo: input.rpo });
  }
  const async = input.models.find((m) => m.model === 'asynchronous');
  if (out.length === 0 && async !== undefined) {
    let resync: Extract<Headline, { kind: 'peak' }>['resync'] = null;
    if (sizing.resyncS !== null) {
      const s = sizeLink(input.totalChangedBytes, sizing);
      resync = {
        resyncS: sizing.resyncS,
        changedBytes: input.totalChangedBytes,
        requiredBps: s.requiredBandwidthBps!,
        pathBps: sizing.pathBps,
        paths: s.paths ?? null,
      };
    }
    out.push({
      kind: 'peak',
      peakBytes: async.peakBytes,
      cycleS: async.spanS,
      requiredBps: async.requiredBandwidthBps,
      resync,
    });
  }
  return out;
}
