import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { MAX_IN_FLIGHT_BYTES, WorkerControl } from '../../src/collect/worker-control.js';

const MiB = 1 << 20;

// Atomics.waitAsync (Node 16+) is not in the TypeScript lib this project targets.
type WaitResult = 'ok' | 'not-equal' | 'timed-out';
const waitAsync = (
  Atomics as unknown as {
    waitAsync(a: Int32Array, i: number, v: number, ms: number): { value: Promise<WaitResult> | WaitResult };
  }
).waitAsync;

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
    const inFlight = new Int32Array(control.buffer, 0, 1); // the word the worker waits on
    let stalled: string | null = null;
    await new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error(`timed out after messages ${seen.join(',')}`)), 60_000);
      worker.on('error', reject);
      worker.on('message', (k: number) => {
        seen.push(control.inFlight());
        if (k === 3) {
          // 12 MiB posted, over the 8 MiB cap: the worker must not post again before a write. Unbounded,
          // it would have posted all 12 messages (48 MiB) within microseconds of the first.
          void Promise.resolve(waitAsync(inFlight, 0, 12 * MiB, 1000).value).then((result) => {
            stalled = result;
            if (result === 'timed-out') control.written(4 * MiB);
            else reject(new Error(`the worker went on without a write: ${control.inFlight()} bytes in flight`));
          });
          return;
        }
        if (k > 3) control.written(4 * MiB); // one write per message: the worker posts one more each time
        if (k === messages) {
          clearTimeout(deadline);
          resolve();
        }
      });
    });
    assert.equal(stalled, 'timed-out');
    assert.ok(
      seen.every((bytes) => bytes <= 12 * MiB),
      `in flight at each message (MiB): ${seen.map((b) => b / MiB).join(', ')}`,
    );
    assert.equal(seen[messages - 1], 12 * MiB); // the last: three messages posted, none written yet
  } finally {
    await worker.terminate();
  }
});
