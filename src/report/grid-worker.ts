import { parentPort, workerData } from 'node:worker_threads';
import { openStore } from '../store/open.js';
import { storeCellSource } from './cells.js';
import { CycleGrid } from './cycle-grid.js';
import { scanShare, type ScanShare, type ShareResult, type ShareTask } from './window-scan.js';

/**
 * The second thread of `scanWindow`: opens the store read-only on its own connection, takes
 * volumes from the shared counter until none is left, and posts its counts back (transferred).
 */
const task = workerData as ShareTask;
const store = await openStore(task.location, { mustExist: true });
try {
  const source = await storeCellSource(store, () => true);
  const intervals = (task.endS - task.firstS) / task.intervalS;
  const grid = new CycleGrid(intervals, task.lengths, task.trackBytes, false);
  const share: ScanShare = { seen: new Uint8Array(intervals), writtenBytes: 0, packedBytes: 0, volumes: 0 };
  const counter = new Int32Array(task.next);
  // The first volume is taken before telling this thread is ready: the worker always reads one.
  let first = Atomics.add(counter, 0, 1);
  parentPort!.postMessage('ready');
  const take = (): number => {
    if (first < 0) return Atomics.add(counter, 0, 1);
    const v = first;
    first = -1;
    return v;
  };
  await scanShare(source, task.volumes, task.intervalS, task.firstS, task.endS, grid, null, take, share);
  const result: ShareResult = { ...share, gridTracks: grid.tracks() };
  parentPort!.postMessage(result, [result.seen.buffer as ArrayBuffer, result.gridTracks.buffer as ArrayBuffer]);
} finally {
  await store.close();
}
