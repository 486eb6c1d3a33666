import type Database from 'better-sqlite3';

/*
 * One read snapshot per reading command (README "Store": consistent reads). A read-only store reads
 * one state of the store from its opening to its close, and `reopenSpec()` carries a token of that
 * state, so that a reading thread opening the store again reads the same one:
 * - PostgreSQL: the token is a snapshot exported by the opening connection (`pg_export_snapshot()`),
 *   imported by every other connection (`SET TRANSACTION SNAPSHOT`), pooled ones and other threads'.
 * - SQLite: connections cannot share a snapshot; the token is the store's generation, a counter in
 *   `meta` that every transaction changing what readers see increments. A connection opened with a
 *   token whose generation differs refuses (`SnapshotMoved`): its thread reads nothing, and the
 *   command's first connection reads that thread's share instead.
 */

/** Between the location and the snapshot token in a `reopenSpec()` (no path or URL holds a NUL). */
const SEPARATOR = '\0';

/** What opens `location` again at the state `token` names. */
export function specWithSnapshot(location: string, token: string): string {
  return `${location}${SEPARATOR}${token}`;
}

/** A `reopenSpec()` split into the location and the snapshot token (undefined: none). */
export function splitSpec(spec: string): { location: string; snapshot: string | undefined } {
  const at = spec.indexOf(SEPARATOR);
  return at < 0
    ? { location: spec, snapshot: undefined }
    : { location: spec.slice(0, at), snapshot: spec.slice(at + 1) };
}

/** The store changed since the snapshot a reading thread was asked to read: it must read nothing. */
export class SnapshotMoved extends Error {}

const GENERATION = 'generation';

/** Count a change readers see (inside the writing transaction). */
export function bumpGeneration(db: Database.Database): void {
  db.prepare(
    `INSERT INTO meta (key, value) VALUES ('${GENERATION}', '1')
      ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1`,
  ).run();
}

/** The store's generation ('0' before any counted change). */
export function readGeneration(db: Database.Database): string {
  const value = db.prepare(`SELECT value FROM meta WHERE key = '${GENERATION}'`).pluck().get();
  return value === undefined ? '0' : String(value);
}

/** A PostgreSQL snapshot id as `pg_export_snapshot()` gives it (checked: it is put into SQL text). */
export function checkSnapshotId(id: string): string {
  if (!/^[0-9A-F]+-[0-9A-F]+(-[0-9]+)?$/i.test(id)) throw new Error(`not a PostgreSQL snapshot id: ${id}`);
  return id;
}
