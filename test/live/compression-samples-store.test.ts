import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { PostgresStore } from '../../src/store/postgres.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { CompressionSampleRow, Store } from '../../src/store/store.js';
import { tempDir } from '../helpers.js';
import { cleanUp } from '../support/cleanup.js';
import { freshDatabase, postgresUnavailable } from '../support/postgres.js';

/* The compression_samples table, the same checks against SQLite and PostgreSQL. */

const pgMissing = await postgresUnavailable();
after(cleanUp);
const dir = tempDir();

const sample = (runId: number, volume: string, startS: number, n: number): CompressionSampleRow => ({
  runId,
  volume,
  startS,
  tracksSampled: n,
  rawBytes: n * 65_536,
  compressedBytes: n * 1000,
  zeroTracks: 1,
  dupTracks: 2,
});

async function conformance(store: Store): Promise<void> {
  try {
    assert.deepEqual(await store.readCompressionSamples({}), [], 'a store without samples reads none');
    const live = await store.beginRun('h', [], true);
    const running = await store.beginRun('h', [], false);
    await store.writeCompressionSamples([
      sample(live, 'h/sdb', 120, 4),
      sample(live, 'h/sda', 120, 3),
      sample(live, 'h/sda', 60, 2),
    ]);
    await store.writeCompressionSamples([sample(running, 'h/sda', 60, 9)]); // a running collection: not visible yet
    await store.writeCompressionSamples([sample(live, 'h/sdb', 120, 5)]); // written again: replaced
    assert.deepEqual(await store.readCompressionSamples({}), [
      sample(live, 'h/sda', 60, 2),
      sample(live, 'h/sda', 120, 3),
      sample(live, 'h/sdb', 120, 5),
    ]);
    assert.deepEqual(await store.readCompressionSamples({ fromS: 60, toS: 120 }), [sample(live, 'h/sda', 60, 2)]);
    await store.finishRun(running, { records: 0, skipped: 0 }, [], []);
    assert.deepEqual(
      (await store.readCompressionSamples({ toS: 61 })).map((s) => s.runId),
      [live, running],
    );
    await store.abortRun(live); // a run's samples go with it
    assert.deepEqual(await store.readCompressionSamples({}), [sample(running, 'h/sda', 60, 9)]);
  } finally {
    await store.close();
  }
}

test('compression samples: SQLite', () => conformance(new SqliteStore(join(dir, 'samples.db'))));

test('compression samples: PostgreSQL', { skip: pgMissing }, async () => {
  await conformance(await PostgresStore.open(await freshDatabase('samples')));
});
