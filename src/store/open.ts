import { closeSync, existsSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { UsageError } from '../errors.js';
import type { PostgresOptions } from './postgres.js';
import { splitSpec } from './snapshot.js';
import { SqliteStore } from './sqlite.js';
import { linkTarget, storePathProblem } from './store-path.js';
import type { RunInfo, Store } from './store.js';

/** True for `postgres://…` and `postgresql://…` store locations. */
export const isPostgresUrl = (spec: string): boolean => /^postgres(ql)?:\/\//i.test(spec);

/**
 * Open a store by its location: a PostgreSQL URL, or a SQLite file path. With `mustExist`
 * (reports), a SQLite file that is not there is an error instead of a new empty store, and the
 * file is opened read-only unless `readonly` is false (`migrate`). A store opened read-only reads one
 * state of the store until it is closed (store/snapshot.ts); a `reopenSpec()` opens that same state.
 */
export async function openStore(
  given: string,
  options: { mustExist?: boolean; readonly?: boolean; command?: string } & PostgresOptions = {},
): Promise<Store> {
  const { location: spec, snapshot } = splitSpec(given);
  if (snapshot !== undefined) options = { ...options, readonly: true, mustExist: true, snapshot };
  // pg is loaded only for a PostgreSQL store: it costs every other command ~0.1 s of start-up.
  // Reports open read-only: no DDL, no write, so a role with only SELECT reads.
  if (isPostgresUrl(spec)) {
    const { PostgresStore } = await import('./postgres.js');
    return PostgresStore.open(spec, { ...options, readonly: options.readonly ?? options.mustExist === true });
  }
  // SQLite would say only "disk I/O error", or block forever on a FIFO.
  const problem = storePathProblem(spec);
  if (problem !== null) throw new UsageError(`store ${spec} ${problem}`);
  if (options.mustExist && !existsSync(spec))
    throw new UsageError(`store ${spec} does not exist (run churnlink collect first)`);
  // Reports open read-only: a store the user may not write, or on a read-only mount, reads fine.
  return new SqliteStore(spec, { readonly: options.readonly ?? options.mustExist === true, snapshot });
}

/**
 * For a SQLite location that does not exist yet, create the (empty) file now, exclusively, and
 * return true: this command is its creator. Of concurrent commands, exactly one is. Through a
 * dangling symbolic link, the file created is the link's target (as SQLite would create it).
 */
export function createsFile(spec: string): boolean {
  if (isPostgresUrl(spec)) return false;
  try {
    closeSync(openSync(linkTarget(spec), 'wx'));
    return true;
  } catch {
    return false; // it exists (or cannot be created: opening it will say why)
  }
}

/**
 * Close a store a failed command opened. A SQLite file that the command created (`created`) is
 * deleted with its WAL files when it holds no run but unfinished ones of this process (`owner`;
 * an abort that failed, e.g. on a full disk, leaves one) and no other connection has it open
 * (closing left no WAL behind), so a failed first collection leaves nothing and frees its space.
 */
export async function closeFailed(store: Store, spec: string, created: boolean, owner: string): Promise<void> {
  let ours = false;
  const onlyOurs = (runs: RunInfo[]): boolean => runs.every((r) => r.status === 'running' && r.owner === owner);
  if (created) ours = await store.listRuns().then(onlyOurs, () => false);
  await store.close();
  // Closing leaves the WAL when another connection is open, or when it could not checkpoint (a
  // full disk): then the WAL index must be locked by no other process.
  const file = linkTarget(spec);
  if (ours && (!existsSync(`${file}-wal`) || !lockedByOthers(`${file}-shm`))) removeCreated(spec);
}

/**
 * Delete a SQLite store file this command created (`createsFile`) with its journal files; through
 * a symbolic link, the link's target goes and the link stays, dangling as it was.
 */
export function removeCreated(spec: string): void {
  const file = linkTarget(spec);
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(file + suffix, { force: true });
}

/**
 * Whether another process holds a lock on `path` (every open SQLite connection in WAL mode
 * locks the -shm file), from /proc/locks; true when that cannot be told.
 */
function lockedByOthers(path: string): boolean {
  try {
    const inode = statSync(path).ino;
    for (const line of readFileSync('/proc/locks', 'utf8').split('\n')) {
      // "1: POSIX  ADVISORY  READ 1234 fd:01:5678 128 128": pid, then major:minor:inode
      const f = line.trim().split(/\s+/);
      const pid = Number(f[4]);
      if (f[5]?.split(':')[2] === String(inode) && pid !== process.pid) return true;
    }
    return false;
  } catch {
    return !existsSync(path) ? false : true;
  }
}
