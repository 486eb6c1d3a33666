import { readFile } from 'node:fs/promises';
import { EMPTY_SCOPE, parseScope, type Scope } from '../scope/scope.js';
import { UsageError } from '../errors.js';
import { storeCellSource, type CellSource } from '../report/cells.js';
import { volumeFilter } from '../report/selection.js';
import type { CycleChanges } from '../report/changes.js';
import { openChanges, type RatioAt } from '../report/streamed-changes.js';
import { openStore } from '../store/open.js';
import type { Store, StoreSettings } from '../store/store.js';
import { parseTimeRange } from '../units/time.js';

/** An open store that holds a collection, for the reporting commands. */
export async function openCollectedStore(
  command: string,
  path: string,
): Promise<{ store: Store; settings: StoreSettings }> {
  const store = await openStore(path, { mustExist: true, command });
  const settings = await store.getSettings();
  if (settings === null) {
    await store.close();
    throw new UsageError(`store ${store.location} holds no collection yet (run churnlink collect first)`);
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

/** The cells of the volumes in scope (and in `group`, when given), less the `exclude` globs. */
export async function cellSourceFor(
  store: Store,
  scope: Scope,
  group: string | null,
  exclude: readonly string[] = [],
): Promise<CellSource> {
  return storeCellSource(store, volumeFilter(scope, group, exclude));
}

/** Flags that choose the data a planning command works on. */
export const SELECTION_FLAGS = {
  store: { type: 'string', default: 'churn.db' },
  group: { type: 'string' },
  window: { type: 'string' },
  scope: { type: 'string' },
  exclude: { type: 'string', multiple: true },
  format: { type: 'string', default: 'table' },
  output: { type: 'string', short: 'o' },
} as const;

export const SELECTION_HELP = `  --store PATH|URL      SQLite store file (default churn.db) or postgres:// URL
  --group NAME          only this group's volumes (default: every volume in scope)
  --window RANGE        START/END or START/DURATION (default: everything collected)
  --scope FILE          groups and volumes (default: the scope of the latest collect)
  --exclude GLOB        leave out volumes matching GLOB (swap, tempdb, scratch; repeatable)`;

/**
 * Open the store, open the streamed changes of the selected volumes and window (with measured
 * compression when `ratioAt` is given), run `work` on them and close the store whatever happens.
 */
export async function withChanges<T>(
  command: string,
  values: { store?: string; group?: string; window?: string; scope?: string; exclude?: string[] },
  work: (changes: CycleChanges, settings: StoreSettings) => Promise<T> | T,
  ratioAt: RatioAt | null,
  budgetBytes: number,
  gridS: (settings: StoreSettings) => number | null = () => null,
): Promise<T> {
  const range = values.window === undefined ? null : parseTimeRange(values.window, '--window');
  const { store, settings } = await openCollectedStore(command, values.store!);
  try {
    const scope = await scopeFor(store, values.scope);
    const source = await cellSourceFor(store, scope, values.group ?? null, values.exclude ?? []);
    const changes = await openChanges(source, settings, range, ratioAt, budgetBytes, gridS(settings));
    try {
      return await work(changes, settings);
    } finally {
      await changes.close();
    }
  } finally {
    await store.close();
  }
}
