import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { IntervalRow } from '../../src/store/store.js';
import { tempDir } from '../helpers.js';
import { writeCell } from '../support/cells.js';

const dir = tempDir();
const row = (startS: number): IntervalRow => writeCell('v', startS, [7]);

test('a writer closing while another program has the store open: the file stays in WAL mode, but the main file alone holds every run', async () => {
  const path = join(dir, 'shared.db');
  const first = new SqliteStore(path);
  await first.useSettings({ intervalS: 60, trackBytes: 65536 });
  const one = await first.beginRun('h', [{ path: 'a', fingerprint: 'sha256:a', bytes: 1, format: 'msr' }]);
  await first.finishRun(
    one,
    { records: 1, skipped: 0 },
    [],
    [{ path: 'a', fingerprint: 'sha256:a', bytes: 1, format: 'msr' }],
  );
  await first.close();
  assert.equal(existsSync(`${path}-wal`), false, 'the only writer switched the file back');

  const writer = new SqliteStore(path);
  const two = await writer.beginRun('h', [{ path: 'b', fingerprint: 'pending', bytes: 0, format: 'msr' }]);
  await writer.writeIntervals(two, [row(1767571200)]);
  await writer.finishRun(
    two,
    { records: 1, skipped: 0 },
    [],
    [{ path: 'b', fingerprint: 'sha256:b', bytes: 1, format: 'msr' }],
  );
  // Another program (a report, a backup script) has the file open, in WAL mode, as the writer closes.
  const reader = new Database(path, { readonly: true });
  try {
    assert.equal(reader.prepare('SELECT COUNT(*) FROM runs').pluck().get(), 2);
    await writer.close();
    assert.equal(existsSync(`${path}-wal`), true, 'the switch back waits for the last connection');
    // Copying only the main file (as a user publishing the store would) keeps both runs.
    const copy = join(dir, 'copy.db');
    copyFileSync(path, copy);
    const copied = new Database(copy, { readonly: true });
    try {
      assert.deepEqual(copied.prepare('SELECT id, status FROM runs ORDER BY id').raw().all(), [
        [1, 'complete'],
        [2, 'complete'],
      ]);
      assert.equal(copied.prepare('SELECT COUNT(*) FROM chunks').pluck().get(), 1);
    } finally {
      copied.close();
    }
  } finally {
    reader.close();
  }
});
