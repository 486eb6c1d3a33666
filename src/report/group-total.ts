import { groupsOfVolume } from '../scope/scope.js';
import type { ChurnPlan } from './churn.js';

/** A volume of a report that belongs to more than one group, and those groups (scope order). */
export interface SharedVolume {
  volume: string;
  groups: string[];
}

/**
 * Volumes of a report that belong to more than one group, by name. A group row counts a volume's
 * writes and changed tracks in each of its groups, so a sum over group rows (or a stack of groups)
 * is the distinct tracks changed in all of them only when this is empty (volumes hold disjoint
 * tracks, groups then hold disjoint volumes).
 */
export function volumesInSeveralGroups(plan: Pick<ChurnPlan, 'ctx' | 'volumes'>): SharedVolume[] {
  return plan.volumes
    .map((v) => ({ volume: v.volume, groups: groupsOfVolume(plan.ctx.scope, v.volume) }))
    .filter((v) => v.groups.length > 1)
    .sort((a, b) => (a.volume < b.volume ? -1 : a.volume > b.volume ? 1 : 0));
}

/** `web_0 (array-a, array-b), mds_0 (...)`: the shared volumes and their groups, for notes. */
export const sharedVolumesText = (shared: readonly SharedVolume[]): string =>
  shared.map((v) => `${v.volume} (${v.groups.join(', ')})`).join(', ');
