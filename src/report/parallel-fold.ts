import type { VolumeSpan } from '../store/store.js';
import { BucketFold, type FoldPlan } from './bucket-fold.js';
import type { CellSource } from './cells.js';
import { fromWire, mergeBucketFigures, type BucketFigures, type WireFigures } from './figures.js';
import type { FoldTask } from './fold-worker.js';
import { shareVolumes, spannedIntervals, threadCount } from './volume-threads.js';

/**
 * Intervals spanned by the selected volumes (summed) from which a second thread pays for its
 * start (about 0.1 s: a thread, its modules and its own store connection).
 */
export const PARALLEL_MIN_INTERVALS = 200_000;

/** How many threads fold a report's volumes: a number, or `auto` (chosen by the work). */
export type FoldThreads = number | 'auto';

/**
 * Fold every volume of `plan` into bucket figures, on `threads` threads sharing the volumes
 * (volume-threads.ts). Each thread's figures are whole numbers summed, so merging them gives
 * exactly the single thread's figures. A source that cannot be opened again elsewhere (no store
 * behind it) is folded on this thread.
 */
export async function foldBuckets(
  source: CellSource,
  plan: FoldPlan & { volumes: VolumeSpan[] },
  threads: FoldThreads = 'auto',
): Promise<BucketFigures> {
  const fold = new BucketFold(source, plan);
  const volumes = plan.volumes;
  const count = threadCount(threads, spannedIntervals(volumes, plan.ctx.intervalS), PARALLEL_MIN_INTERVALS);
  const spec = source.reopenSpec?.();
  if (count < 2 || volumes.length < 2 || spec === undefined) {
    for (const span of volumes) await fold.addVolume(span);
    return fold.results;
  }
  const task: FoldTask = {
    plan: {
      request: plan.request,
      ctx: { intervalS: plan.ctx.intervalS, trackBytes: plan.ctx.trackBytes, scope: plan.ctx.scope },
      firstS: plan.buckets.firstS,
      endS: plan.buckets.endS,
      entities: plan.entities,
    },
    volumes,
  };
  const theirs = await shareVolumes<FoldTask, [number, [string, WireFigures][]][]>(
    new URL('./fold-worker.js', import.meta.url),
    spec,
    task,
    volumes.length,
    count,
    async (taken) => {
      for (const i of taken) await fold.addVolume(volumes[i]!);
    },
  );
  for (const figures of theirs) mergeBucketFigures(fold.results, fromWire(figures));
  return fold.results;
}
