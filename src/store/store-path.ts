/**
 * What a SQLite store path names, checked before SQLite opens it: SQLite blocks forever opening a
 * FIFO, says only "disk I/O error" for a directory or a device, and creates a file `x` for `x/`.
 * No SQLite here: the CLI checks `--store` with it before loading the store code.
 */
import { lstatSync, readlinkSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Symbolic links followed before a chain is taken for a loop (Linux's own limit). */
const MAX_LINKS = 40;

function kindOf(stats: Stats): string | null {
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  return null;
}

/**
 * Why `path` cannot be a SQLite file, as the end of a sentence whose subject is the path (the
 * caller names it as a parameter or a flag), or null when it may be: a regular file (through
 * symbolic links), or nothing yet. Refused: a directory, a FIFO, a socket, a device, and a path
 * ending in `/` (it names a directory) that is not an existing directory. `what` is the file's use.
 */
export function storePathProblem(path: string, what = 'a SQLite store'): string | null {
  let stats: Stats | undefined;
  try {
    stats = statSync(path, { throwIfNoEntry: false });
  } catch {
    // ENOTDIR ("file/"), EACCES, ELOOP: opening the store says why, except for a trailing "/".
    if (!path.endsWith('/')) return null;
  }
  if (stats?.isDirectory()) return `is a directory; give a file path for ${what}`;
  if (stats === undefined) {
    return path.endsWith('/') ? `ends in / but is no directory; give a file path (without the /) for ${what}` : null;
  }
  const kind = kindOf(stats);
  return kind === null ? null : `is ${kind}, not a regular file; give a file path for ${what}`;
}

/**
 * The file `path` names once its symbolic links are followed, even when the last one dangles
 * (SQLite creates the store, and its -wal and -shm files, at the link's target); `path` itself
 * when it is no link or the chain loops.
 */
export function linkTarget(path: string): string {
  let current = path;
  for (let i = 0; i < MAX_LINKS; i++) {
    try {
      if (lstatSync(current, { throwIfNoEntry: false })?.isSymbolicLink() !== true) return current;
      current = resolve(dirname(current), readlinkSync(current));
    } catch {
      return current; // not reachable (EACCES): SQLite cannot reach it either
    }
  }
  return path;
}
