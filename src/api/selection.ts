import { UsageError } from '../errors.js';
import { storeCellSource, type CellSource } from '../report/cells.js';
import type { ChurnContext } from '../report/churn.js';
import { volumeFilter } from '../report/selection.js';
import type { CycleChanges } from '../report/changes.js';
import { openChanges } from '../report/streamed-changes.js';
import { capacityOf, EMPTY_SCOPE, type Scope } from '../scope/scope.js';
import type { Store, StoreSettings } from '../store/store.js';
import type { TimeRange } from '../units/time.js';

/** Which collected data a report, simulation or plan covers. Every field is optional. */
export interface Selection {
  /** Only [fromS, toS) in epoch seconds (UTC); default: everything collected. */
  window?: TimeRange | null;
  /** Only this group's volumes (the volumes one link serves); default: every volume in scope. */
  group?: string | null;
  /** Leave out volumes matching these globs (`*`, `?`): swap, tempdb, scratch. */
  exclude?: readonly string[];
  /** Groups, data sets and capacities; default: the scope saved by the latest collection. */
  scope?: Scope;
}

/** A selection resolved against a store: its settings, scope, cells and context of churn reports. */
export interface Selected {
  settings: StoreSettings;
  scope: Scope;
  range: TimeRange | null;
  excluded: string[];
  source: CellSource;
  ctx: ChurnContext;
}

/** The scope saved by the latest collection into `store`, else the empty scope (every volume). */
async function storeScope(store: Store): Promise<Scope> {
  const json = await store.getScope();
  return json === null ? EMPTY_SCOPE : (JSON.parse(json) as Scope);
}

/** The settings of a store that holds a collection; a UsageError for an empty store. */
async function collectedSettings(store: Store): Promise<StoreSettings> {
  const settings = await store.getSettings();
  if (settings === null) {
    throw new UsageError(`store ${store.location} holds no collection yet (run churnlink collect first)`);
  }
  return settings;
}

/** Resolve `selection` against `store` (read-only: nothing is loaded yet). */
export async function selectData(store: Store, selection: Selection = {}): Promise<Selected> {
  const settings = await collectedSettings(store);
  const scope = selection.scope ?? (await storeScope(store));
  const excluded = [...(selection.exclude ?? [])];
  const source = await storeCellSource(store, volumeFilter(scope, selection.group ?? null, excluded));
  const capacities = new Map((await store.listVolumes()).map((v) => [v.name, v.capacityBytes]));
  const ctx: ChurnContext = {
    intervalS: settings.intervalS,
    trackBytes: settings.trackBytes,
    scope,
    capacityBytes: (v) => capacityOf(scope, v) ?? capacities.get(v) ?? null,
  };
  return { settings, scope, range: selection.window ?? null, excluded, source, ctx };
}

/**
 * The planning view of a resolved selection (held packed within `budgetBytes`, else read from the
 * store cycle by cycle): `work` runs on it and it is closed whatever happens.
 */
export async function withSelectionChanges<T>(
  selected: Selected,
  work: (changes: CycleChanges) => Promise<T>,
  budgetBytes?: number,
): Promise<T> {
  const changes = await openChanges(selected.source, selected.settings, selected.range, null, budgetBytes);
  try {
    return await work(changes);
  } finally {
    await changes.close();
  }
}

/** The window and resolution of a planning view, kept for renderers after it is closed. */
export function windowOf(changes: CycleChanges): PlanningWindow {
  const { firstS, endS, intervalS, trackBytes } = changes;
  return { firstS, endS, intervalS, trackBytes };
}

/** What a renderer needs of the planning view: its window and resolution. */
export interface PlanningWindow {
  firstS: number;
  endS: number; // exclusive
  intervalS: number;
  trackBytes: number;
}
