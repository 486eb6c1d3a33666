import type { ModelWorkerData } from './model-scan.js';
import { ModelSums, type ModelPartial } from './model-sums.js';
import { sumVolume } from './model-volume.js';
import { runVolumeWorker } from './volume-worker.js';

/* A worker thread of `scanModels`: sums the volumes it takes and posts its sums (arrays moved, not copied). */
await runVolumeWorker<ModelWorkerData, ModelPartial>(
  async (source, { volumes, request }, taken) => {
    const { intervalS, trackBytes, fromS, toS } = request;
    const firstS = Math.floor(fromS / intervalS) * intervalS;
    const endS = Math.ceil(toS / intervalS) * intervalS;
    const sums = new ModelSums(firstS, endS, [request.cycleS, request.periodS], trackBytes);
    const window = { intervalS, firstS, endS };
    for (const i of taken) await sumVolume(source, volumes[i]!, window, sums);
    return sums.partial();
  },
  ({ volumes }) => volumes.length,
  (partial) => [partial.perSecond.buffer, ...partial.spans.map((s) => s.buffer)] as ArrayBuffer[],
);
