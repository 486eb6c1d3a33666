import { CycleGrid } from './cycle-grid.js';
import { scanShare, type ScanShare, type ShareResult, type ShareTask } from './window-scan.js';
import { runVolumeWorker } from './volume-worker.js';

/* The second thread of `scanWindow`: scans the volumes it takes and posts its counts back (moved). */
await runVolumeWorker<ShareTask, ShareResult>(
  async (source, task, taken) => {
    const intervals = (task.endS - task.firstS) / task.intervalS;
    const grid = new CycleGrid(intervals, task.lengths, task.trackBytes, false);
    const share: ScanShare = { seen: new Uint8Array(intervals), writtenBytes: 0, packedBytes: 0, volumes: 0 };
    const it = taken[Symbol.iterator]();
    const take = (): number => it.next().value ?? task.volumes.length;
    await scanShare(source, task.volumes, task.intervalS, task.firstS, task.endS, grid, null, take, share);
    return { ...share, gridTracks: grid.tracks() };
  },
  (task) => task.volumes.length,
  (result) => [result.seen.buffer, result.gridTracks.buffer] as ArrayBuffer[],
);
