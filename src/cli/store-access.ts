import { readFile } from 'node:fs/promises';
import { EMPTY_SCOPE, parseScope, scopeIncludes, globMatch, type Scope } from '../collect/scope.js';
import { UsageError } from '../errors.js';
import { cellsFromRows, cellSpan, type CellMap } from '../report/cells.js';
import { Timeline } from '../report/timeline.js';
import { openStore } from '../store/open.js';
import type { Store, StoreSettings } from '../store/store.js';
import { parseTimeRange, type TimeRange } from '../units/time.js';

/** An open store that holds a collection, for the reporting commands. */
export async function openCollectedStore(command: string, path: string): Promise<{ store: Store; settings: StoreSettings }> {
  const store = await openStore(path, { mustExist: true, command });
  const settings = await store.getSettings();
  if (settings === null) {
    await store.close();
    throw new UsageError(`${command}: store ${store.location} holds no collection yet (run churnlink collect first)`);
  }
  return { store, settings };
}

/** The scope from --scope, else the one saved by the latest collect, else everything. */
export async function scopeFor(store: Store, path: string | undefined): Promise<Scope> {
  if (path !== undefined) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      throw new UsageError(`--scope: cannot read ${path}: ${(err as Error).message}`, { cause: err });
    }
    return parseScope(text, path);
  }
  const json = await store.getScope();
  return json === null ? EMPTY_SCOPE : (JSON.parse(json) as Scope);
}

/** Cells of the volumes in scope (and in `group`, when given) inside the window. */
export async function loadCells(store: Store, settings: StoreSettings, scope: Scope, range: TimeRange | null, group: string | null): Promise<CellMap> {
  let members: string[] | null = null;
  if (group !== null) {
    const g = scope.groups.find((x) => x.name === group);
    if (!g) throw new UsageError(`unknown group "${group}"; the scope declares: ${scope.groups.map((x) => x.name).join(', ') || 'none'}`);
    members = g.volumes;
  }
  const rows = await store.readIntervals(range === null ? {} : { fromS: Math.floor(range.fromS / settings.intervalS) * settings.intervalS, toS: range.toS });
  return cellsFromRows(rows, (v) => scopeIncludes(scope, v) && (members === null || members.some((p) => globMatch(p, v))));
}

/** The planning view of the selected volumes over the window (default: all collected). */
export function timelineOf(cells: CellMap, settings: StoreSettings, range: TimeRange | null): Timeline {
  const span = cellSpan(cells);
  if (span === null) throw new UsageError('no collected intervals for this selection and window');
  const fromS = range?.fromS ?? span.firstS;
  const toS = range?.toS ?? span.lastS + settings.intervalS;
  return new Timeline(cells, settings.intervalS, settings.trackBytes, fromS, toS);
}

/** Flags that choose the data a planning command works on. */
export const SELECTION_FLAGS = {
  store: { type: 'string', default: 'churn.db' },
  group: { type: 'string' },
  window: { type: 'string' },
  scope: { type: 'string' },
  format: { type: 'string', default: 'table' },
  output: { type: 'string', short: 'o' },
} as const;

export const SELECTION_HELP = `  --store PATH|URL      SQLite store file (default churn.db) or postgres:// URL
  --group NAME          only this group's volumes (default: every volume in scope)
  --window RANGE        START/END or START/DURATION (default: everything collected)
  --scope FILE          groups and volumes (default: the scope of the latest collect)`;

/**
 * Open the store, build the timeline of the selected volumes and window, run `work` on it and
 * close the store whatever happens.
 */
export async function withTimeline<T>(
  command: string,
  values: { store?: string; group?: string; window?: string; scope?: string },
  work: (timeline: Timeline, settings: StoreSettings) => Promise<T> | T,
): Promise<T> {
  const range = values.window === undefined ? null : parseTimeRange(values.window, '--window');
  const { store, settings } = await openCollectedStore(command, values.store!);
  try {
    const scope = await scopeFor(store, values.scope);
    return await work(timelineOf(await loadCells(store, settings, scope, range, values.group ?? null), settings, range), settings);
  } finally {
    await store.close();
  }
}
