import { Bitset } from '../bitmap/bitset.js';
import { walkRoaring } from '../bitmap/roaring.js';
import { UsageError } from '../errors.js';
import { groupsOfVolume, type Scope } from '../scope/scope.js';
import { firstTrackOf, lastTrackOf } from '../units/track.js';

/*
 * The row entities of a churn report beyond volumes: groups (with the ungrouped), data sets (with
 * the OR of all selected) and the per-volume track masks of data sets' extents.
 */

/** Name of the final data-set row: the OR of all selected data sets. */
export const ALL_DATASETS = '(all selected)';
/** Group of volumes that no declared group names. */
export const UNGROUPED = '(ungrouped)';

/** A data set's tracks, per volume. */
export type Masks = Map<string, Bitset>;

/** Groups of a volume, or (ungrouped). */
export function groupsOf(scope: Scope, volume: string): string[] {
  const groups = groupsOfVolume(scope, volume);
  return groups.length === 0 ? [UNGROUPED] : groups;
}

/** Group rows: every declared group, then (ungrouped) when a volume belongs to none. */
export function groupNames(scope: Scope, volumes: string[]): string[] {
  const names = scope.groups.map((g) => g.name);
  if (volumes.some((v) => groupsOfVolume(scope, v).length === 0)) names.push(UNGROUPED);
  return names;
}

export function selectDatasets(scope: Scope, names: string[] | null): Scope['datasets'] {
  if (scope.datasets.length === 0) {
    throw new UsageError('report by dataset: the scope declares no data sets (give a scope with data sets)');
  }
  if (names === null) return scope.datasets;
  return names.map((n) => {
    const d = scope.datasets.find((x) => x.name === n);
    if (!d) throw new UsageError(`unknown data set "${n}"; declared: ${scope.datasets.map((x) => x.name).join(', ')}`);
    return d;
  });
}

/** Tracks overlapped by a data set's extents, per volume. */
export function maskOf(extents: Scope['datasets'][number]['extents'], trackBytes: number): Masks {
  const masks: Masks = new Map();
  for (const e of extents) {
    let m = masks.get(e.volume);
    if (m === undefined) masks.set(e.volume, (m = new Bitset()));
    // Tracks are numbered below 2^32 (roaring bitmaps): an extent beyond holds none that can be written.
    const first = firstTrackOf(e.offsetBytes, trackBytes);
    const end = Math.min(lastTrackOf(e.offsetBytes, e.lengthBytes, trackBytes) + 1, 2 ** 32);
    if (first < end) m.setRange(first, end);
  }
  return masks;
}

export function unionMasks(list: Masks[]): Masks {
  const union: Masks = new Map();
  for (const masks of list) {
    for (const [volume, m] of masks) {
      let u = union.get(volume);
      if (u === undefined) union.set(volume, (u = new Bitset()));
      u.or(m);
    }
  }
  return union;
}

/** Tracks of a serialized bitmap inside `mask`. */
export function countInMask(blob: Uint8Array, mask: Bitset): number {
  let n = 0;
  walkRoaring(blob, {
    range(first, last) {
      n += mask.countRange(first, last + 1);
    },
  });
  return n;
}
