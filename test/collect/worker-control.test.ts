import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { MAX_IN_FLIGHT_BYTES, WorkerControl } from '../../src/collect/worker-control.js';

const MiB = 1 << 20;

test('in-flight bytes and cut requests: exact counts, a cut taken once', () => {
  const control = new WorkerControl();
  assert.equal(control.takeCut(), null); // a fresh control has no cut
  control.posting(3 * MiB);
  control.posting(5);
  assert.equal(control.inFlight(), 3 * MiB + 5);
  control.written(3 * MiB);
  assert.equal(control.inFlight(), 5);
  control.requestCut(6_000_000_000); // past 4 GiB: files are larger than 32-bit offsets
  const shared = new WorkerControl(control.buffer); // as a worker sees it
  assert.equal(shared.takeCut(), 6_000_000_000);
  assert.equal(shared.takeCut(), null);
  assert.equal(shared.inFlight(), 5);
});

// A worker posting 4 MiB messages as decoding workers post rows: count, post, wait for room.
const POSTER = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.module).then(({ WorkerControl }) => {
  const control = new WorkerControl(workerData.buffer);
  for (let k = 1; k <= workerData.messages; k++) {
    control.posting(workerData.bytes);
    parentPort.postMessage(k);
    control.waitForRoom();
  }
});
`;

test('a worker more than MAX_IN_FLIGHT_BYTES ahead waits until rows are written', async () => {
  assert.equal(MAX_IN_FLIGHT_BYTES, 8 * MiB);
  const control = new WorkerControl();
  const messages = 12;
  const worker = new Worker(POSTER, {
    eval: true,
    workerData: {
      module: new URL('../../src/collect/worker-control.js', import.meta.url).href,
      buffer: control.buffer,
      messages,
      bytes: 4 * MiB,
    },
  });
  try {
    const seen: number[] = [];
    await new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error(`timed out after messages ${seen.join(',')}`)), 30_000);
      worker.on('error', reject);
      worker.on('message', (k: number) => {
        // Unbounded, the worker would have posted all 12 (48 MiB) before the first arrived. Bounded,
        // it stops once 12 MiB (over the 8 MiB cap) are in flight, until one message is written.
        seen.push(control.inFlight());
        if (k >= 3) control.written(4 * MiB); // written late: the worker must wait for it
        if (k === messages) {
          clearTimeout(deadline);
          resolve();
        }
      });
    });
    assert.ok(
      seen.every((bytes) => bytes <= 12 * MiB),
      `in flight at each message (MiB): ${seen.map((b) => b / MiB).join(', ')}`,
    );
    assert.equal(seen[messages - 1], 12 * MiB); // the last: three messages posted, none written yet
  } finally {
    await worker.terminate();
  }
});
