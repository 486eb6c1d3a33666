import { existsSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { PostgresStore, type PostgresOptions } from './postgres.js';
import { SqliteStore } from './sqlite.js';
import type { Store } from './store.js';

/** True for `postgres://…` and `postgresql://…` store locations. */
export const isPostgresUrl = (spec: string): boolean => /^postgres(ql)?:\/\//i.test(spec);

/**
 * Open a store by its location: a PostgreSQL URL, or a SQLite file path. With `mustExist`, a
 * SQLite file that is not there is an error instead of a new empty store (reports).
 */
export async function openStore(spec: string, options: { mustExist?: boolean; command?: string } & PostgresOptions = {}): Promise<Store> {
  if (isPostgresUrl(spec)) return PostgresStore.open(spec, options);
  if (options.mustExist && !existsSync(spec)) throw new UsageError(`${options.command ?? 'churnlink'}: store ${spec} does not exist (run churnlink collect first)`);
  return new SqliteStore(spec);
}
