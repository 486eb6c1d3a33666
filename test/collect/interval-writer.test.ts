import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { IntervalWriter } from '../../src/collect/interval-writer.js';
import { serializeRoaring } from '../../src/bitmap/roaring.js';
import { encodeProfile } from '../../src/store/write-profile.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { IntervalRow } from '../../src/store/store.js';
import { tempDir } from '../helpers.js';

const dir = tempDir();

/** A real store that also notes the interval starts of each write. */
class NotingStore extends SqliteStore {
  readonly writes: number[][] = [];
  override async writeIntervals(runId: number, rows: IntervalRow[], batch?: number): Promise<void> {
    this.writes.push(rows.map((r) => r.startS));
    await super.writeIntervals(runId, rows, batch);
  }
}

const row = (volume: string, startS: number): IntervalRow => ({
  volume,
  startS,
  writes: 1,
  writeBytes: 512,
  reads: 0,
  readBytes: 0,
  changedTracks: 1,
  bitmap: serializeRoaring(Uint32Array.from([startS])),
  writeProfile: encodeProfile(Float64Array.from([512])),
});

test("rows are written a whole 60-interval chunk at a time, each producer's chunk once", async () => {
  const store = new NotingStore(join(dir, 'chunks.db'));
  try {
    const run = await store.beginRun('h', [], false, { settings: { intervalS: 60, trackBytes: 65536 } });
    const writer = new IntervalWriter(store, run, false, 60);
    // Producer 1 closes minutes 0..149, producer 2 minutes 3600..3749 (chunks of 3600 s), interleaved.
    for (let i = 0; i < 150; i++) {
      await writer.add([row('a', 60 * i), row('b', 60 * i)], 1);
      await writer.add([row('a', 3600 + 60 * i)], 2);
    }
    await writer.flush();
    const chunkOf = (s: number): number => Math.floor(s / 3600);
    // Producer 1: chunk 0 once it reaches minute 60, chunk 1 at minute 120; producer 2 (chunks 1..3)
    // likewise; what is held at the end in one write. Chunk 1, where both producers' rows meet
    // (a cut between workers), is written by each of them and merged by the store.
    assert.deepEqual(
      store.writes.map((starts) => [...new Set(starts.map(chunkOf))]),
      [[0], [1], [1], [2], [2, 3]],
    );
    assert.deepEqual(
      store.writes.map((starts) => starts.length),
      [120, 60, 120, 60, 90],
    );
    await store.finishRun(run, { records: 450, skipped: 0 }, [], []);
    // Volume a: minutes 0..149 from producer 1 and 60..209 from producer 2, merged where both; b: 0..149.
    const stored = await store.readIntervals({});
    const a = stored.filter((r) => r.volume === 'a');
    assert.deepEqual(
      a.map((r) => r.startS),
      Array.from({ length: 210 }, (_, m) => 60 * m),
    );
    assert.deepEqual(
      a.map((r) => r.writes),
      Array.from({ length: 210 }, (_, m) => (m >= 60 && m < 150 ? 2 : 1)),
    );
    assert.equal(stored.filter((r) => r.volume === 'b').length, 150);
  } finally {
    await store.close();
  }
});

/** A real store whose writes wait until the test lets each one go, noting what was sent. */
class GatedStore extends SqliteStore {
  readonly sent: number[][] = [];
  readonly gates: (() => void)[] = [];
  override async writeIntervals(runId: number, rows: IntervalRow[], batch?: number): Promise<void> {
    this.sent.push(rows.map((r) => r.startS));
    await new Promise<void>((resolve) => this.gates.push(resolve));
    await super.writeIntervals(runId, rows, batch);
  }
}

/** Let every callback already due run (no timer: what is blocked stays blocked). */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
};

test('a file run has one write in flight while rows are gathered; the next waits for its commit', async () => {
  const store = new GatedStore(join(dir, 'gated.db'));
  try {
    const run = await store.beginRun('h', [], false, { settings: { intervalS: 60, trackBytes: 65536 } });
    const writer = new IntervalWriter(store, run, false, 60);
    for (let m = 0; m < 60; m++) await writer.add([row('a', 60 * m)]);
    assert.equal(store.sent.length, 0);
    // Moving to the next chunk sends the first; add returns with that write still uncommitted.
    let sent = false;
    const sending = writer.add([row('a', 3600)]).then(() => (sent = true));
    await settle();
    assert.deepEqual([store.sent.length, store.gates.length, sent], [1, 1, true]);
    await sending;
    // The next chunk's write is not sent before the first commits, and add waits for it.
    let added = false;
    const adding = writer.add([row('a', 7200)]).then(() => (added = true));
    await settle();
    assert.deepEqual([store.sent.length, added], [1, false]);
    store.gates[0]!();
    await adding;
    assert.deepEqual(store.sent[1], [3600]);
    // flush sends what is held after the write in flight, and returns once both are committed.
    let flushed = false;
    const flushing = writer.flush().then(() => (flushed = true));
    await settle();
    assert.deepEqual([store.sent.length, flushed], [2, false]);
    store.gates[1]!();
    await settle();
    assert.deepEqual([store.sent.length, flushed], [3, false]);
    store.gates[2]!();
    await flushing;
    await store.finishRun(run, { records: 62, skipped: 0 }, [], []);
    assert.deepEqual(
      (await store.readIntervals({})).map((r) => r.startS),
      [...Array.from({ length: 60 }, (_, m) => 60 * m), 3600, 7200],
    );
  } finally {
    await store.close();
  }
});

test('a write that fails while in flight fails the next add or flush with its error', async () => {
  const store = new SqliteStore(join(dir, 'failing.db'));
  try {
    const run = await store.beginRun('h', [], false, { settings: { intervalS: 60, trackBytes: 65536 } });
    await store.writeIntervals(run, [row('a', 0)]); // the store has the interval
    await store.abortRun(run);
    const writer = new IntervalWriter(store, run, false, 60);
    await writer.add([row('a', 60)]);
    await writer.add([row('a', 3600)]); // sends minute 1: the run is gone
    await assert.rejects(writer.flush(), new RegExp(`run ${run} was removed from store`));
  } finally {
    await store.close();
  }
});
