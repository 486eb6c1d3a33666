import type { Scope } from '../scope/scope.js';
import type { VolumeSpan } from '../store/store.js';
import { BucketFold, type FoldPlan } from './bucket-fold.js';
import { toWire } from './figures.js';
import { runVolumeWorker } from './volume-worker.js';
import { BucketPlan } from './window.js';

/** What a report's fold thread is given (parallel-fold.ts): the plan as plain data and the volumes. */
export interface FoldTask {
  plan: {
    request: FoldPlan['request'];
    ctx: { intervalS: number; trackBytes: number; scope: Scope };
    firstS: number;
    endS: number;
    entities: string[];
  };
  volumes: VolumeSpan[];
}

/* A report thread: folds the volumes it takes into bucket figures and posts them back. */
await runVolumeWorker<FoldTask, ReturnType<typeof toWire>>(
  async (source, task, taken) => {
    const p = task.plan;
    const plan: FoldPlan = {
      request: p.request,
      ctx: p.ctx,
      buckets: new BucketPlan(p.firstS, p.endS, p.ctx.intervalS, p.request.per),
      entities: p.entities,
    };
    const fold = new BucketFold(source, plan);
    for (const i of taken) await fold.addVolume(task.volumes[i]!);
    return toWire(fold.results);
  },
  (task) => task.volumes.length,
  (figures) =>
    figures.flatMap(([, entities]) =>
      entities.flatMap(([, f]) => [f.starts.buffer as ArrayBuffer, f.values.buffer as ArrayBuffer]),
    ),
);
