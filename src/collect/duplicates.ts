import { UsageError } from '../errors.js';
import type { ContentIdentity } from '../sources/content-hash.js';
import { SourcesCollectedMeanwhile, type CompletionGuard } from '../store/collected-meanwhile.js';
import type { RunInfo, SourceInfo, Store } from '../store/store.js';
import { interruptedHere } from './interrupted.js';

/** An earlier run holding some of this collection's input. */
interface Overlap {
  run: RunInfo;
  /** The input of this collection. */
  name: string;
  /** The earlier source's path and decoded length when this input begins with all of it (it grew). */
  grownFrom: { path: string; bytes: number } | null;
}

/** Inputs of this collection: name and decoded-content identity. */
export interface CollectedInput {
  name: string;
  identity: ContentIdentity;
}

/** The decoded lengths of the inputs a store holds: where a grown input's prefix must be hashed. */
export async function storedLengths(store: Store): Promise<number[]> {
  const lengths = new Set<number>();
  for (const r of await store.listRuns()) {
    for (const s of r.sources) if (s.fingerprint.startsWith('sha256:') && s.bytes > 0) lengths.add(s.bytes);
  }
  return [...lengths];
}

/**
 * Decide, once every input was read, which earlier runs this run (`runId`) replaces, or refuse.
 * An unfinished run of this host that read an input of the same path is found too (its inputs'
 * identity is recorded only when a run finishes).
 * An input is the same as an earlier one when its decoded bytes are (SHA-256), and overlaps it
 * when it begins with all of an earlier input's bytes (a trace that grew since). Such a run is:
 * - an interrupted collection of this host (its process is gone): replaced, always;
 * - being collected by a live process of this host: left alone (it is known only by the path it
 *   read, which another input may share); of two collections of one input the one that
 *   completes second is refused by `finishRun`, which checks the fingerprints again in its
 *   transaction (`completionGuard`);
 * - complete or live: refused unless `replace`, and then replaced only when every one of its
 *   sources is in this collection (replacing deletes all it holds).
 */
export async function runsToReplace(
  store: Store,
  runId: number,
  inputs: CollectedInput[],
  replace: boolean,
  host: string,
): Promise<number[]> {
  const overlaps: Overlap[] = [];
  for (const input of inputs) {
    for (const run of await store.findRunsBySource(input.identity.fingerprint)) {
      overlaps.push({ run, name: input.name, grownFrom: null });
    }
    for (const [bytes, fingerprint] of input.identity.prefixes) {
      for (const run of await store.findRunsBySource(fingerprint)) {
        const earlier = run.sources.find((s) => s.fingerprint === fingerprint && s.bytes === bytes);
        if (earlier) overlaps.push({ run, name: input.name, grownFrom: { path: earlier.path, bytes } });
      }
    }
  }
  // An interrupted collection never learnt its inputs' identity: it is known by their paths.
  const paths = new Set(inputs.map((i) => i.name));
  for (const run of await store.listRuns()) {
    const unfinished = run.status === 'running' && run.host === host;
    if (unfinished && run.sources.some((s) => s.fingerprint === 'pending' && paths.has(s.path))) {
      overlaps.push({ run, name: run.sources.find((s) => paths.has(s.path))!.path, grownFrom: null });
    }
  }
  const covered = new Set(inputs.flatMap((i) => [i.identity.fingerprint, ...i.identity.prefixes.values()]));
  const replaced = new Set<number>();
  for (const o of overlaps.sort((a, b) => a.run.id - b.run.id)) {
    const r = o.run;
    if (r.id === runId) continue;
    if (r.status === 'running' && r.host === host) {
      // Interrupted (its process is gone): invisible to reports, replaced. Still running: known
      // only by a path, which another input may share (stdin, a relative path): left alone; if it
      // holds the same input, whichever of the two completes second is refused (finishRun).
      if (interruptedHere(r, host)) replaced.add(r.id);
      continue;
    }
    if (!replace) throw new UsageError(refusal(o, store.location));
    const others = r.sources.filter((s) => !covered.has(s.fingerprint));
    if (others.length > 0) {
      throw new UsageError(
        `replace: true would delete run ${r.id}, which also holds ${others.map((s) => s.path).join(', ')} ` +
          `(not in this collection); collect all of run ${r.id}'s inputs together with replace: true ` +
          `(${r.sources.map((s) => s.path).join(' ')}), or use another store`,
      );
    }
    replaced.add(r.id);
  }
  return [...replaced].sort((a, b) => a - b);
}

function refusal(o: Overlap, location: string): string {
  const r = o.run;
  if (o.grownFrom !== null) {
    const when = r.status === 'running' ? `unfinished, by ${r.host}` : r.startedAt;
    return (
      `${o.name} begins with all ${o.grownFrom.bytes} bytes of ${o.grownFrom.path}, ` +
      `collected into ${location} as run ${r.id} (${when}): it grew since; refusing to count those records twice. ` +
      `Use replace: true to replace run ${r.id} with the whole input`
    );
  }
  const what =
    r.status === 'running'
      ? `is being collected by ${r.host} into ${location} as run ${r.id} (or that collection was interrupted)`
      : `was already collected into ${location} as run ${r.id} (${r.startedAt})`;
  return `${o.name} ${what}; refusing to count it twice. Use replace: true to replace that run`;
}

/** What no other complete run may hold when this collection completes (collected-meanwhile.ts). */
export function completionGuard(inputs: readonly CollectedInput[], checkedLengths: readonly number[]): CompletionGuard {
  return {
    fingerprints: [...new Set(inputs.flatMap((i) => [i.identity.fingerprint, ...i.identity.prefixes.values()]))],
    longestBytes: Math.max(0, ...inputs.map((i) => i.identity.bytes)),
    checkedLengths,
  };
}

/**
 * Complete the run, replacing `replaced`. When another collection of the same input (or of an
 * input of a length this one did not hash a prefix at) completed after that decision,
 * `finishRun` changes nothing and says so: the prefixes at those lengths are hashed
 * (`hashPrefixes`, reading the files again), and `decide` — which now sees that run — refuses, or
 * with `replace` replaces it too; then it retries. Returns the runs replaced.
 */
export async function finishOnce(
  store: Store,
  runId: number,
  totals: { records: number; skipped: number },
  replaced: number[],
  sources: SourceInfo[],
  inputs: readonly CollectedInput[],
  checkedLengths: readonly number[],
  hashPrefixes: (lengths: readonly number[]) => Promise<void>,
  decide: () => Promise<number[]>,
): Promise<number[]> {
  const checked = new Set(checkedLengths);
  for (let attempt = 1; ; attempt++) {
    try {
      await store.finishRun(runId, totals, replaced, sources, completionGuard(inputs, [...checked]));
      return replaced;
    } catch (err) {
      if (!(err instanceof SourcesCollectedMeanwhile) || attempt >= 5) throw err;
      // Standard input cannot be hashed again: its length counts as checked (a known limit).
      await hashPrefixes(err.lengths);
      for (const n of err.lengths) checked.add(n);
      replaced = await decide();
    }
  }
}
