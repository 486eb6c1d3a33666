import { groupsOfVolume } from '../scope/scope.js';
import type { ChurnPlan } from './churn.js';

/**
 * Volumes of a report that belong to more than one group. A group row counts a volume's
 * changed tracks in each of its groups, so a sum over group rows is the distinct tracks changed
 * in all of them only when this is 0 (volumes hold disjoint tracks, groups then hold disjoint volumes).
 */
export function volumesInSeveralGroups(plan: Pick<ChurnPlan, 'ctx' | 'volumes'>): number {
  return plan.volumes.filter((v) => groupsOfVolume(plan.ctx.scope, v.volume).length > 1).length;
}
