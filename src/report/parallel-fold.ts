import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { VolumeSpan } from '../store/store.js';
import { BucketFold, type FoldPlan } from './bucket-fold.js';
import type { CellSource } from './cells.js';
import { fromWire, mergeBucketFigures, type BucketFigures } from './figures.js';
import type { FoldTask, FoldReply } from './fold-worker.js';

/**
 * Intervals spanned by the selected volumes (summed) from which a second thread pays for its
 * start (about 0.1 s: a thread, its modules and its own store connection).
 */
export const PARALLEL_MIN_INTERVALS = 200_000;

/** How many threads fold a report's volumes: a number, or `auto` (chosen by the work). */
export type FoldThreads = number | 'auto';

/**
 * Fold every volume of `plan` into bucket figures, on `threads` threads: this one and workers,
 * each with its own read-only connection to the same store. Thread k folds volume k first, then
 * each takes the next volume from a shared counter until none is left (hot volumes spread
 * themselves, and every thread folds at least one volume when there are as many). Each thread's figures are whole
 * numbers summed, so merging them gives exactly the single thread's figures. A source that cannot
 * be opened again elsewhere (no store behind it) is folded on this thread.
 */
export async function foldBuckets(
  source: CellSource,
  plan: FoldPlan & { volumes: VolumeSpan[] },
  threads: FoldThreads = 'auto',
): Promise<BucketFigures> {
  const fold = new BucketFold(source, plan);
  const volumes = plan.volumes;
  const spec = source.reopenSpec?.();
  const count = Math.min(volumes.length, threadsFor(plan, threads));
  if (count < 2 || spec === undefined) {
    for (const span of volumes) await fold.addVolume(span);
    return fold.results;
  }
  const next = new Int32Array(new SharedArrayBuffer(4));
  next[0] = count;
  const task: Omit<FoldTask, 'first'> = {
    spec,
    plan: {
      request: plan.request,
      ctx: { intervalS: plan.ctx.intervalS, trackBytes: plan.ctx.trackBytes, scope: plan.ctx.scope },
      firstS: plan.buckets.firstS,
      endS: plan.buckets.endS,
      entities: plan.entities,
    },
    volumes,
    next: next.buffer as SharedArrayBuffer,
  };
  const workers = Array.from({ length: count - 1 }, (_, k) => startFold({ ...task, first: k + 1 }));
  try {
    for (let i = 0; i < volumes.length; i = Atomics.add(next, 0, 1)) {
      await fold.addVolume(volumes[i]!);
    }
    for (const w of workers) mergeBucketFigures(fold.results, await w.figures);
  } finally {
    // Stop the others at once when this thread failed; they have ended otherwise.
    Atomics.store(next, 0, volumes.length);
    await Promise.all(workers.map((w) => w.worker.terminate()));
  }
  return fold.results;
}

/** The thread count for a plan: `auto` takes two cores for a window of many cells. */
function threadsFor(plan: { volumes: VolumeSpan[]; ctx: { intervalS: number } }, threads: FoldThreads): number {
  if (threads !== 'auto') return Math.max(1, Math.floor(threads));
  if (availableParallelism() < 2) return 1;
  let intervals = 0;
  for (const v of plan.volumes) intervals += (v.lastS - v.firstS) / plan.ctx.intervalS + 1;
  return intervals >= PARALLEL_MIN_INTERVALS ? 2 : 1;
}

function startFold(task: FoldTask): { worker: Worker; figures: Promise<BucketFigures> } {
  const worker = new Worker(new URL('./fold-worker.js', import.meta.url), { workerData: task });
  const figures = new Promise<BucketFigures>((resolve, reject) => {
    worker.once('message', (reply: FoldReply) => {
      if (reply.kind === 'done') resolve(fromWire(reply.figures));
      else reject(new Error(reply.message));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`a report thread stopped (exit code ${code}) before its figures`)));
  });
  // A rejection nobody awaits yet (this thread still folding) must not end the process.
  figures.catch(() => undefined);
  return { worker, figures };
}
