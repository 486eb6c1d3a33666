import { parentPort, workerData } from 'node:worker_threads';
import type { Scope } from '../scope/scope.js';
import { openStore } from '../store/open.js';
import type { VolumeSpan } from '../store/store.js';
import { BucketFold, type FoldPlan } from './bucket-fold.js';
import { storeCellSource } from './cells.js';
import { toWire, type WireFigures } from './figures.js';
import { BucketPlan } from './window.js';

/** What a fold thread is given: the store to open, the plan as plain data, the volumes and their counter. */
export interface FoldTask {
  /** The store's path or URL (secrets included: never printed). */
  spec: string;
  plan: {
    request: FoldPlan['request'];
    ctx: { intervalS: number; trackBytes: number; scope: Scope };
    firstS: number;
    endS: number;
    entities: string[];
  };
  volumes: VolumeSpan[];
  /** The volume this thread folds first (thread k: volume k). */
  first: number;
  /** Int32 at 0: the index of the next volume to fold after every thread's first, shared. */
  next: SharedArrayBuffer;
}

export type FoldReply =
  { kind: 'done'; figures: [number, [string, WireFigures][]][] } | { kind: 'failed'; message: string };

/*
 * A report thread (parallel-fold.ts): folds volumes taken from the shared counter into bucket
 * figures, reading its own connection to the store, and posts them back once none is left.
 */
const task = workerData as FoldTask;
const port = parentPort!;
try {
  const store = await openStore(task.spec, { mustExist: true, readonly: true });
  try {
    const p = task.plan;
    const plan: FoldPlan = {
      request: p.request,
      ctx: p.ctx,
      buckets: new BucketPlan(p.firstS, p.endS, p.ctx.intervalS, p.request.per),
      entities: p.entities,
    };
    const fold = new BucketFold(await storeCellSource(store, () => true), plan);
    const next = new Int32Array(task.next);
    for (let i = task.first; i < task.volumes.length; i = Atomics.add(next, 0, 1)) {
      await fold.addVolume(task.volumes[i]!);
    }
    const figures = toWire(fold.results);
    const buffers = figures.flatMap(([, entities]) =>
      entities.flatMap(([, f]) => [f.starts.buffer as ArrayBuffer, f.values.buffer as ArrayBuffer]),
    );
    port.postMessage({ kind: 'done', figures } satisfies FoldReply, buffers);
  } finally {
    await store.close();
  }
} catch (err) {
  port.postMessage({ kind: 'failed', message: (err as Error).message } satisfies FoldReply);
}
