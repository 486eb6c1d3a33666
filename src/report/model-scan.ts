import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { VolumeSpan } from '../store/store.js';
import type { CellSource } from './cells.js';
import { DENSE_PROFILE_MAX_S, scanModelsInOrder, type ScanModelsRequest } from './model-scan-ordered.js';
import { ModelSums, type ModelPartial } from './model-sums.js';
import { sumVolume } from './model-volume.js';
import { checkModelOptions, type ModelRow } from './models.js';

export type { ScanModelsRequest } from './model-scan-ordered.js';

/** Read a share of the volumes on other threads too, each with its own read-only connection. */
export interface ModelThreads {
  /** The SQLite store file the other threads open (read-only). */
  location: string;
  /** Threads in all, this one included (2 or more). */
  count: number;
  /** Read every volume on the workers (`count` - 1 of them), this thread only adding their sums. */
  workersOnly?: boolean;
}

/** What a model worker (model-worker.ts) is given. */
export interface ModelWorkerData {
  location: string;
  volumes: VolumeSpan[];
  request: ScanModelsRequest;
  /** One Int32: the index of the next volume to take, shared by every thread. */
  next: SharedArrayBuffer;
}

/** A model worker's answer. */
export type ModelWorkerMessage = { kind: 'done'; partial: ModelPartial } | { kind: 'error'; message: string };

/** Below this many (volume, interval) pairs a second thread costs more (its start, ~0.1 s) than it saves. */
export const THREADED_MIN_PAIRS = 100_000;

/**
 * How many threads `scanModels` should read a SQLite store file with: 2 when the machine has two
 * cores or more and the selection spans at least `THREADED_MIN_PAIRS` (volume, interval) pairs.
 */
export function modelThreadsFor(
  location: string,
  volumes: readonly VolumeSpan[],
  intervalS: number,
): ModelThreads | undefined {
  let pairs = 0;
  for (const v of volumes) pairs += (v.lastS - v.firstS) / intervalS + 1;
  if (volumes.length < 2 || pairs < THREADED_MIN_PAIRS || availableParallelism() < 2) return undefined;
  if (location === ':memory:' || location === '' || !existsSync(location)) return undefined; // nothing to reopen
  return { location, count: 2 };
}

/**
 * The replication models of `compareModels`, read from a cell source volume by volume: memory holds
 * the per-second written bytes of the window (8 bytes a second), one figure per cycle and period,
 * one volume's OR per model and one page of chunks — never the cells. The bytes are added as exact
 * integers (`ModelSums`), so with `threads` the volumes are shared out to worker threads (each
 * takes the next volume as it finishes one) and their sums added. Bytes that are not integers, sums
 * past 2^53 and windows longer than 62 days are summed in order instead, on this thread
 * (`scanModelsInOrder`): every path gives the same rows.
 */
export async function scanModels(
  source: CellSource,
  volumes: readonly VolumeSpan[],
  options: ScanModelsRequest & { threads?: ModelThreads },
): Promise<ModelRow[]> {
  const { threads, ...request } = options;
  const { intervalS, trackBytes, fromS, toS } = request;
  checkModelOptions(intervalS, request);
  const firstS = Math.floor(fromS / intervalS) * intervalS;
  const endS = Math.ceil(toS / intervalS) * intervalS;
  if (endS - firstS > DENSE_PROFILE_MAX_S) return scanModelsInOrder(source, volumes, request);
  const next = new SharedArrayBuffer(4);
  const counter = new Int32Array(next);
  const workers: Promise<ModelPartial>[] = [];
  const stops: (() => Promise<number>)[] = [];
  try {
    for (let t = 1; t < (threads?.count ?? 1); t++) {
      const data: ModelWorkerData = { location: threads!.location, volumes: [...volumes], request, next };
      const worker = new Worker(new URL('./model-worker.js', import.meta.url), { workerData: data });
      stops.push(() => worker.terminate());
      const partial = partialOf(worker);
      partial.catch(() => undefined); // awaited below, unless this thread fails first
      workers.push(partial);
    }
    const sums = new ModelSums(firstS, endS, [request.cycleS, request.periodS], trackBytes);
    const window = { intervalS, firstS, endS };
    const take = (): number => Atomics.add(counter, 0, 1);
    if (threads?.workersOnly !== true || workers.length === 0) {
      for (let i = take(); i < volumes.length; i = take()) await sumVolume(source, volumes[i]!, window, sums);
    }
    for (const partial of await Promise.all(workers)) sums.absorb(partial);
    if (!sums.isExact()) return scanModelsInOrder(source, volumes, request);
    return sums.rows(request);
  } finally {
    // A worker that answered has ended; one still running (this thread failed) is stopped.
    await Promise.all(stops.map((stop) => stop()));
  }
}

/** The partial sums a worker posts, or its failure. */
function partialOf(worker: Worker): Promise<ModelPartial> {
  return new Promise((resolve, reject) => {
    let settled = false;
    worker.on('message', (m: ModelWorkerMessage) => {
      settled = true;
      if (m.kind === 'done') resolve(m.partial);
      else reject(new Error(`models worker: ${m.message}`));
    });
    worker.on('error', (err) => {
      settled = true;
      reject(err);
    });
    worker.on('exit', (code) => {
      if (!settled) reject(new Error(`models worker exited with code ${code} before answering`));
    });
  });
}
