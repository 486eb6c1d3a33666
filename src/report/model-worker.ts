import { parentPort, workerData } from 'node:worker_threads';
import { openStore } from '../store/open.js';
import { storeCellSource } from './cells.js';
import type { ModelWorkerData, ModelWorkerMessage } from './model-scan.js';
import { ModelSums } from './model-sums.js';
import { sumVolume } from './model-volume.js';

/**
 * A worker thread of `scanModels`: opens the store read-only, takes the next volume from the
 * shared counter until none is left, and posts its sums (the arrays transferred, not copied).
 */
const { location, volumes, request, next } = workerData as ModelWorkerData;
const counter = new Int32Array(next);
const post = (m: ModelWorkerMessage, transfer: ArrayBuffer[] = []): void => parentPort!.postMessage(m, transfer);
try {
  const store = await openStore(location, { mustExist: true, readonly: true });
  try {
    const source = await storeCellSource(store, () => true);
    const { intervalS, trackBytes, fromS, toS } = request;
    const firstS = Math.floor(fromS / intervalS) * intervalS;
    const endS = Math.ceil(toS / intervalS) * intervalS;
    const sums = new ModelSums(firstS, endS, [request.cycleS, request.periodS], trackBytes);
    const window = { intervalS, firstS, endS };
    for (let i = Atomics.add(counter, 0, 1); i < volumes.length; i = Atomics.add(counter, 0, 1)) {
      await sumVolume(source, volumes[i]!, window, sums);
    }
    const partial = sums.partial();
    post({ kind: 'done', partial }, [partial.perSecond.buffer, ...partial.spans.map((s) => s.buffer)] as ArrayBuffer[]);
  } finally {
    await store.close();
  }
} catch (err) {
  post({ kind: 'error', message: err instanceof Error ? err.message : String(err) });
}
