/**
 * Messages for a SQLite store that cannot be used, naming the store and saying why and what to do:
 * SQLite's own words ("unable to open database file", "database disk image is malformed",
 * "database is locked") name neither the file nor the cause.
 */
import { accessSync, constants, existsSync, openSync, readSync, closeSync } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError } from '../errors.js';

const SQLITE_MAGIC = 'SQLite format 3\0';

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOENT: 'no such directory',
  ENOTDIR: 'not a directory',
};

/**
 * Why SQLite could not open `path` (SQLITE_CANTOPEN), from the access the file (existing) or its
 * directory (new) refuses, e.g. "directory nw: permission denied"; null when that cannot be told.
 */
function reasonCannotOpen(path: string, readonly: boolean): string | null {
  const exists = existsSync(path);
  const probe = exists ? path : dirname(path);
  try {
    accessSync(probe, exists ? constants.R_OK | (readonly ? 0 : constants.W_OK) : constants.W_OK | constants.X_OK);
    return null;
  } catch (err) {
    const reason = REASONS[(err as { code?: string }).code ?? ''];
    return reason === undefined ? null : `${exists ? 'file' : `directory ${probe}`}: ${reason}`;
  }
}

/** SQLITE_CANTOPEN on opening `path`, with the reason when it can be told. */
export function cannotOpenError(path: string, err: unknown, readonly: boolean): UsageError {
  // better-sqlite3 says itself when the directory does not exist.
  const reason = /directory does not exist/.test((err as Error).message) ? null : reasonCannotOpen(path, readonly);
  const why = reason === null ? '' : ` (${reason})`;
  return new UsageError(`store: cannot open SQLite file ${path}: ${(err as Error).message}${why}`, { cause: err });
}

function startsWithMagic(path: string): boolean {
  try {
    const fd = openSync(path, 'r');
    try {
      const head = Buffer.alloc(SQLITE_MAGIC.length);
      return readSync(fd, head, 0, head.length, 0) === head.length && head.toString('latin1') === SQLITE_MAGIC;
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

/**
 * A SQLite file SQLite finds malformed (SQLITE_CORRUPT, or SQLITE_NOTADB with a SQLite header: a
 * truncated or overwritten store) is damaged; a file without a SQLite header is no database at all;
 * null for other errors.
 */
export function damagedError(path: string, err: unknown): UsageError | null {
  const code = (err as { code?: string }).code ?? '';
  const message = (err as Error).message;
  if (code.startsWith('SQLITE_CORRUPT') || (code.startsWith('SQLITE_NOTADB') && startsWithMagic(path)))
    return new UsageError(`store: ${path} is damaged (${message}); restore it from a copy`, { cause: err });
  if (code.startsWith('SQLITE_NOTADB'))
    return new UsageError(`store: ${path} is not a SQLite database (${message}); give another --store`, { cause: err });
  return null;
}

/**
 * SQLITE_BUSY after waiting `waitedMs` for another program's lock: an environment failure (exit 1),
 * so a plain Error, keeping SQLite's code for callers that branch on it.
 */
export function lockedError(path: string, err: unknown, waitedMs: number): Error {
  const message =
    `store: ${path} is locked by another program, or read by a command that holds it in rollback-journal mode ` +
    `(waited ${waitedMs / 1000} s; run this one again when that has finished): ${(err as Error).message}`;
  return Object.assign(new Error(message, { cause: err }), { code: (err as { code?: string }).code });
}

/** True for SQLite's "database is locked" (SQLITE_BUSY and its extended codes). */
export const isBusy = (err: unknown): boolean => ((err as { code?: string }).code ?? '').startsWith('SQLITE_BUSY');
