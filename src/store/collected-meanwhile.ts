/**
 * What `finishRun` checks in the transaction that completes a file run, against every other
 * complete run it does not replace: another collection of the same input (or of an input this one
 * begins with) that completed after this one decided what it replaces.
 */
export interface CompletionGuard {
  /** This collection's input fingerprints: whole inputs and their prefixes at `checkedLengths`. */
  fingerprints: readonly string[];
  /** The decoded length of its longest input: a shorter stored input may be a prefix of it. */
  longestBytes: number;
  /** The lengths at which its inputs' prefixes were hashed (stored inputs of other lengths are news). */
  checkedLengths: readonly number[];
}

/**
 * Thrown by `finishRun` when a complete run it does not replace holds one of the guard's
 * fingerprints, or an input of a length the guard did not check (shorter than its longest input):
 * the store changed nothing; the caller hashes those lengths and decides again (refuse, or
 * replace it too).
 */
export class SourcesCollectedMeanwhile extends Error {
  readonly runIds: readonly number[];
  readonly lengths: readonly number[];
  constructor(location: string, runIds: readonly number[], lengths: readonly number[]) {
    super(`store ${location}: run ${runIds.join(', ')} completed meanwhile with the same or an overlapping input`);
    this.name = 'SourcesCollectedMeanwhile';
    this.runIds = runIds;
    this.lengths = lengths;
  }
}

/** Runs (and the unchecked lengths) a guard conflicts with, from rows of (run, fingerprint, bytes) of other complete runs. */
export function conflicts(
  guard: CompletionGuard,
  rows: readonly { runId: number; fingerprint: string; bytes: number }[],
  replaces: readonly number[],
): { runIds: number[]; lengths: number[] } {
  const fingerprints = new Set(guard.fingerprints);
  const checked = new Set(guard.checkedLengths);
  const runIds = new Set<number>();
  const lengths = new Set<number>();
  for (const r of rows) {
    if (replaces.includes(r.runId)) continue;
    if (fingerprints.has(r.fingerprint)) runIds.add(r.runId);
    else if (
      r.fingerprint.startsWith('sha256:') &&
      r.bytes > 0 &&
      r.bytes < guard.longestBytes &&
      !checked.has(r.bytes)
    ) {
      runIds.add(r.runId);
      lengths.add(r.bytes);
    }
  }
  return { runIds: [...runIds].sort((a, b) => a - b), lengths: [...lengths].sort((a, b) => a - b) };
}
