import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { UsageError } from '../errors.js';

/*
 * Volumes shared among threads: this one and workers, each with its own read-only connection to
 * the same store (`CellSource.reopenSpec`), each taking the next volume from a shared counter.
 * Thread k takes volume k first, so with as many volumes as threads every thread reads one; after
 * that, volumes go to whichever thread is free (hot volumes spread themselves). What the threads
 * add up must be whole numbers (tracks, bytes, records), so that their sums merged in any order
 * are exactly one thread's.
 */

/** What every volume worker is given beside its own task. */
export interface VolumeShare {
  /** The store's path or URL (credentials included: never printed). */
  spec: string;
  /** The volume this thread takes first. */
  first: number;
  /** Int32 at 0: the next volume to take after every thread's first, shared. */
  next: SharedArrayBuffer;
}

/** A worker's reply: its result, or why it failed. */
/** A worker's answer; a failure keeps whether it was a usage error (exit 2), which a thread boundary would lose. */
export type ShareReply<R> =
  | { kind: 'done'; result: R }
  | { kind: 'failed'; message: string; usage: boolean }
  /** The store changed since the command's snapshot (SQLite): the worker read nothing, took no volume. */
  | { kind: 'moved' };

/** A worker's answer when it could not read the command's snapshot. */
const MOVED = Symbol('moved');

/** Intervals spanned by volumes from their first to their last start, summed: the work of a pass over them. */
export function spannedIntervals(volumes: readonly { firstS: number; lastS: number }[], intervalS: number): number {
  let intervals = 0;
  for (const v of volumes) intervals += (v.lastS - v.firstS) / intervalS + 1;
  return intervals;
}

/** The thread count for `threads` (`auto`: two on a multi-core machine when `work` reaches `minWork`). */
export function threadCount(threads: number | 'auto', work: number, minWork: number): number {
  if (threads !== 'auto') return Math.max(1, Math.floor(threads));
  return availableParallelism() >= 2 && work >= minWork ? 2 : 1;
}

/** The volume indexes a thread takes, in order: its first, then from the shared counter. */
export function* volumesTaken(share: Pick<VolumeShare, 'first' | 'next'>, count: number): Generator<number> {
  const next = new Int32Array(share.next);
  for (let i = share.first; i < count; i = Atomics.add(next, 0, 1)) yield i;
}

/**
 * Run `here` on this thread and workers of `workerUrl` (each given `task` and its share), `threads`
 * in all, over `count` volumes; the workers' results, in thread order. `here` null: this thread
 * takes no volume, only waits (`threads - 1` workers take them all; tests of the workers' path). A
 * worker's failure fails the whole (its message kept); on any failure the others stop at once.
 * A worker that could not read the command's snapshot (`moved`) took only its first volume, which
 * `here` then reads (so every volume is read on the snapshot); with `here` null that fails.
 */
export async function shareVolumes<T extends object, R>(
  workerUrl: URL,
  spec: string,
  task: T,
  count: number,
  threads: number,
  here: ((taken: Iterable<number>) => Promise<void>) | null,
): Promise<R[]> {
  const workers = Math.max(here === null ? 1 : 0, Math.min(threads, count) - 1);
  const firsts = workers + (here === null ? 0 : 1);
  const next = new Int32Array(new SharedArrayBuffer(4));
  next[0] = firsts;
  const shared = next.buffer as SharedArrayBuffer;
  const started = Array.from({ length: workers }, (_, k) => {
    const workerData: T & VolumeShare = { ...task, spec, first: k + firsts - workers, next: shared };
    const worker = new Worker(workerUrl, { workerData });
    const result = new Promise<R | typeof MOVED>((resolve, reject) => {
      worker.once('message', (reply: ShareReply<R>) => {
        if (reply.kind === 'done') resolve(reply.result);
        else if (reply.kind === 'moved') resolve(MOVED);
        else reject(reply.usage ? new UsageError(reply.message) : new Error(reply.message));
      });
      worker.once('error', reject);
      worker.once('exit', (code) =>
        reject(new Error(`a reading thread stopped (exit code ${code}) before its result`)),
      );
    });
    result.catch(() => undefined); // awaited below, unless this thread fails first
    return { worker, result, first: k + firsts - workers };
  });
  try {
    if (here !== null) await here(volumesTaken({ first: 0, next: shared }, count));
    const results: R[] = [];
    for (const w of started) {
      const result = await w.result;
      if (result !== MOVED) results.push(result);
      else if (here === null) throw new Error('the store changed since this command began reading it');
      else await here([w.first]);
    }
    return results;
  } finally {
    Atomics.store(next, 0, count); // after a failure: the others take no more volumes
    await Promise.all(started.map((w) => w.worker.terminate()));
  }
}
