import { parentPort, workerData } from 'node:worker_threads';
import { openStore } from '../store/open.js';
import { SnapshotMoved } from '../store/snapshot.js';
import { UsageError } from '../errors.js';
import { storeCellSource, type CellSource } from './cells.js';
import { volumesTaken, type ShareReply, type VolumeShare } from './volume-threads.js';

/**
 * The body of a volume worker (volume-threads.ts): open the store read-only on this thread's own
 * connection, run `work` over the volumes this thread takes, post its result (with `transfer`'s
 * buffers moved, not copied) or its failure, and close the store. The store opens at the
 * command's snapshot (store/snapshot.ts); a thread that cannot read it replies `moved`.
 */
export async function runVolumeWorker<T extends object, R>(
  work: (source: CellSource, task: T, taken: Iterable<number>) => Promise<R>,
  count: (task: T) => number,
  transfer: (result: R) => ArrayBuffer[] = () => [],
): Promise<void> {
  const task = workerData as T & VolumeShare;
  const port = parentPort!;
  try {
    let store;
    try {
      store = await openStore(task.spec, { mustExist: true, readonly: true });
    } catch (err) {
      // The store changed since the command's snapshot: this thread takes no volume; the command's
      // own thread reads this one's first volume too (volume-threads.ts).
      if (!(err instanceof SnapshotMoved)) throw err;
      port.postMessage({ kind: 'moved' } satisfies ShareReply<R>);
      return;
    }
    try {
      const result = await work(await storeCellSource(store, () => true), task, volumesTaken(task, count(task)));
      port.postMessage({ kind: 'done', result } satisfies ShareReply<R>, transfer(result));
    } finally {
      await store.close();
    }
  } catch (err) {
    const failed = { kind: 'failed', message: (err as Error).message, usage: err instanceof UsageError } as const;
    port.postMessage(failed satisfies ShareReply<R>);
  }
}
