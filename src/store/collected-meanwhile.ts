import { createHash } from 'node:crypto';

/**
 * Thrown by `finishRun` when a complete run it does not replace holds one of the inputs it was
 * told are distinct: another collection of the same input completed after this one decided what
 * it replaces. The store changed nothing; the caller decides again (refuse, or replace it too).
 */
export class SourcesCollectedMeanwhile extends Error {
  readonly runIds: readonly number[];
  constructor(location: string, runIds: readonly number[]) {
    super(`store ${location}: run ${runIds.join(', ')} completed meanwhile with the same input`);
    this.name = 'SourcesCollectedMeanwhile';
    this.runIds = runIds;
  }
}

/**
 * PostgreSQL advisory-lock keys (signed 64-bit, as decimal text) for input fingerprints: the first
 * 8 bytes of each one's SHA-256, unique and ascending, so every completion takes them in one order
 * (no deadlock). The one-key lock space is apart from the two-key one the rollups use.
 */
export function inputLockKeys(fingerprints: readonly string[]): string[] {
  const keys = new Set<bigint>();
  for (const f of fingerprints) {
    const head = createHash('sha256').update(f).digest().readBigInt64BE(0);
    keys.add(head);
  }
  return [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map(String);
}
