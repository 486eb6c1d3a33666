import type { VolumeSpan } from '../store/store.js';
import type { CellSource } from './cells.js';
import { DENSE_PROFILE_MAX_S, scanModelsInOrder, type ScanModelsRequest } from './model-scan-ordered.js';
import { ModelSums, type ModelPartial } from './model-sums.js';
import { sumVolume } from './model-volume.js';
import { checkModelOptions, type ModelRow } from './models.js';
import { shareVolumes, spannedIntervals, threadCount } from './volume-threads.js';

export type { ScanModelsRequest } from './model-scan-ordered.js';

/** Threads reading the volumes, each with its own read-only connection to the store. */
export interface ModelThreads {
  /** Threads in all, this one included; `auto`: two on a multi-core machine for a large selection. */
  count: number | 'auto';
  /** Read every volume on the workers (`count` - 1 of them), this thread only adding their sums (tests). */
  workersOnly?: boolean;
}

/** What a model worker (model-worker.ts) is given beside its share. */
export interface ModelWorkerData {
  volumes: VolumeSpan[];
  request: ScanModelsRequest;
}

/** Below this many (volume, interval) pairs a second thread costs more (its start, ~0.1 s) than it saves. */
export const THREADED_MIN_PAIRS = 100_000;

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
  const sums = new ModelSums(firstS, endS, [request.cycleS, request.periodS], trackBytes);
  const window = { intervalS, firstS, endS };
  const count = threadCount(threads?.count ?? 1, spannedIntervals(volumes, intervalS), THREADED_MIN_PAIRS);
  const spec = source.reopenSpec?.();
  if (count < 2 || volumes.length < 2 || spec === undefined) {
    for (const v of volumes) await sumVolume(source, v, window, sums);
  } else {
    const data: ModelWorkerData = { volumes: [...volumes], request };
    const here = async (taken: Iterable<number>): Promise<void> => {
      for (const i of taken) await sumVolume(source, volumes[i]!, window, sums);
    };
    const url = new URL('./model-worker.js', import.meta.url);
    const partials = await shareVolumes<ModelWorkerData, ModelPartial>(
      url,
      spec,
      data,
      volumes.length,
      count,
      threads?.workersOnly === true ? null : here,
    );
    for (const partial of partials) sums.absorb(partial);
  }
  if (!sums.isExact()) return scanModelsInOrder(source, volumes, request);
  return sums.rows(request);
}
