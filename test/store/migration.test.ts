import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../src/store/sqlite.js';
import { FIXTURES, runCli, tempDir } from '../helpers.js';

// A store written by 0.1.0 (schema 5; see test/fixtures/store-0.1.0/README.md) is upgraded on
// open and every report gives what 0.1.0 printed for it.
const OLD = join(FIXTURES, 'store-0.1.0');

test('a 0.1.0 store is upgraded on open, keeps every row, and reports as 0.1.0 did', async () => {
  const path = join(tempDir(), 'old.db');
  copyFileSync(join(OLD, 'store.db'), path);
  const before = new Database(path, { readonly: true });
  assert.equal(before.prepare("SELECT value FROM meta WHERE key = 'schema_version'").pluck().get(), '5');
  const rows = before.prepare('SELECT COUNT(*) FROM intervals').pluck().get();
  before.close();
  assert.equal(rows, 585);

  const store = new SqliteStore(path);
  assert.equal((await store.readIntervals({})).length, 585);
  assert.deepEqual((await store.listRuns()).map((r) => [r.id, r.status, r.records]), [[1, 'complete', 10], [2, 'complete', 3000], [3, 'complete', 500]]);
  await store.close();
  const after = new Database(path, { readonly: true });
  assert.equal(after.prepare("SELECT value FROM meta WHERE key = 'schema_version'").pluck().get(), '6');
  assert.equal(after.prepare("SELECT COUNT(*) FROM sqlite_master WHERE name = 'intervals'").pluck().get(), 0);
  // 585 interval rows in 3 runs: run 1 one chunk per volume (2), run 2 three hours x 3 volumes, run 3 one hour x 2.
  assert.equal(after.prepare('SELECT COUNT(*) FROM chunks').pluck().get(), 2 + 9 + 2);
  assert.equal(after.prepare('SELECT SUM(cells) FROM chunks').pluck().get(), 585);
  after.close();

  const cases: [string, string[]][] = [
    ['volume.json', ['--format', 'json']],
    ['interval.csv', ['--per', 'interval', '--format', 'csv']],
    ['hourly.json', ['--per', '1h', '--format', 'json']],
    ['models.json', ['--models', '--cycle', '5m', '--format', 'json']],
    ['group.csv', ['--by', 'group', '--per', '10m', '--format', 'csv']],
  ];
  for (const [file, args] of cases) {
    const r = await runCli('report', '--store', path, ...args);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, readFileSync(join(OLD, file), 'utf8'), file);
  }
});
