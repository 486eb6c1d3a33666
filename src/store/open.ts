import { existsSync, rmSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { PostgresStore, type PostgresOptions } from './postgres.js';
import { SqliteStore } from './sqlite.js';
import type { Store } from './store.js';

/** True for `postgres://…` and `postgresql://…` store locations. */
export const isPostgresUrl = (spec: string): boolean => /^postgres(ql)?:\/\//i.test(spec);

/**
 * Open a store by its location: a PostgreSQL URL, or a SQLite file path. With `mustExist`
 * (reports), a SQLite file that is not there is an error instead of a new empty store, and the
 * file is opened read-only.
 */
export async function openStore(spec: string, options: { mustExist?: boolean; command?: string } & PostgresOptions = {}): Promise<Store> {
  if (isPostgresUrl(spec)) return PostgresStore.open(spec, options);
  if (options.mustExist && !existsSync(spec)) throw new UsageError(`${options.command ?? 'churnlink'}: store ${spec} does not exist (run churnlink collect first)`);
  // Reports open read-only: a store the user may not write, or on a read-only mount, reads fine.
  return new SqliteStore(spec, { readonly: options.mustExist === true });
}

/** Whether opening `spec` for writing would create a new SQLite file. */
export const createsFile = (spec: string): boolean => !isPostgresUrl(spec) && !existsSync(spec);

/**
 * Close a store a failed command opened. A SQLite file that the command created (`created`) and
 * that holds no run is deleted with its WAL files, so a failed first collection leaves nothing.
 */
export async function closeFailed(store: Store, spec: string, created: boolean): Promise<void> {
  let empty = false;
  if (created) empty = await store.listRuns().then((runs) => runs.length === 0, () => false);
  await store.close();
  if (empty) for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(spec + suffix, { force: true });
}
