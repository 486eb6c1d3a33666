import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { SqliteStore } from '../../src/store/sqlite.js';
import { PostgresStore } from '../../src/store/postgres.js';
import { FIXTURES, runCli, tempDir } from '../helpers.js';
import { freshDatabase, postgresMissing } from '../support/postgres.js';

// A store written by 0.1.0 (schema 5; see test/fixtures/store-0.1.0/README.md) is upgraded on
// open and every report gives what 0.1.0 printed for it.
const OLD = join(FIXTURES, 'store-0.1.0');

test('a 0.1.0 store is upgraded on open, keeps every row, and reports as 0.1.0 did', async () => {
  const path = join(tempDir(), 'old.db');
  copyFileSync(join(OLD, 'store.db'), path);
  const before = new Database(path, { readonly: true });
  assert.equal(before.prepare("SELECT value FROM meta WHERE key = 'schema_version'").pluck().get(), '5');
  const rows = before.prepare('SELECT COUNT(*) FROM intervals').pluck().get();
  // The rollups the upgrade must build, from the 0.1.0 rows: distinct (volume, hour) and (volume, day).
  const periods = (levelS: number) =>
    before
      .prepare(
        `SELECT COUNT(DISTINCT volume_id || '/' || (start_s / ${levelS}))
    FROM intervals i JOIN runs r ON r.id = i.run_id WHERE r.status = 'complete'`,
      )
      .pluck()
      .get();
  const hours = periods(3600);
  const days = periods(86_400);
  const cells = before
    .prepare(
      `SELECT COUNT(DISTINCT volume_id || '/' || start_s) FROM intervals i
    JOIN runs r ON r.id = i.run_id WHERE r.status = 'complete'`,
    )
    .pluck()
    .get();
  before.close();
  assert.equal(rows, 585);

  const store = new SqliteStore(path);
  assert.equal((await store.readIntervals({})).length, 585);
  assert.deepEqual(
    (await store.listRuns()).map((r) => [r.id, r.status, r.records]),
    [
      [1, 'complete', 10],
      [2, 'complete', 3000],
      [3, 'complete', 500],
    ],
  );
  await store.close();
  const after = new Database(path, { readonly: true });
  assert.equal(after.prepare("SELECT value FROM meta WHERE key = 'schema_version'").pluck().get(), '7');
  assert.equal(after.prepare("SELECT COUNT(*) FROM sqlite_master WHERE name = 'intervals'").pluck().get(), 0);
  const rollups = (levelS: number) =>
    after.prepare(`SELECT COUNT(*), SUM(cells) FROM rollups WHERE level_s = ${levelS}`).raw().get();
  assert.deepEqual(rollups(3600), [hours, cells]);
  assert.deepEqual(rollups(86_400), [days, cells]);
  // 585 interval rows in 3 runs: run 1 one chunk per volume (2), run 2 three hours x 3 volumes, run 3 one hour x 2.
  assert.equal(after.prepare('SELECT COUNT(*) FROM chunks').pluck().get(), 2 + 9 + 2);
  assert.equal(after.prepare('SELECT SUM(cells) FROM chunks').pluck().get(), 585);
  after.close();

  await reportsAsBefore(path);
});

const CASES: [string, string[]][] = [
  ['volume.json', ['--format', 'json']],
  ['interval.csv', ['--per', 'interval', '--format', 'csv']],
  ['hourly.json', ['--per', '1h', '--format', 'json']],
  ['models.json', ['--models', '--cycle', '5m', '--format', 'json']],
  ['group.csv', ['--by', 'group', '--per', '10m', '--format', 'csv']],
  // Windows that cut chunks (60 intervals, an hour here): rollups inside, exact merges at the edges.
  ['window-volume.json', ['--window', '2026-01-05T00:30Z/2h', '--format', 'json']],
  ['window-models.json', ['--window', '2026-01-05T00:30Z/2h', '--models', '--cycle', '5m', '--format', 'json']],
  ['window-10m.csv', ['--window', '2026-01-05T01:00Z/30m', '--per', '10m', '--format', 'csv']],
];

async function reportsAsBefore(store: string): Promise<void> {
  for (const [file, args] of CASES) {
    const r = await runCli('report', '--store', store, ...args);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, readFileSync(join(OLD, file), 'utf8'), file);
  }
}

// The 0.1.0 PostgreSQL layout (schema 4), verbatim, filled with the SQLite fixture's rows.
const SCHEMA_4 = `
CREATE TABLE churnlink_meta (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE churnlink_runs (id bigserial PRIMARY KEY, status text NOT NULL, host text NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(), finished_at timestamptz, records bigint NOT NULL DEFAULT 0, skipped bigint NOT NULL DEFAULT 0);
CREATE TABLE churnlink_sources (run_id bigint NOT NULL REFERENCES churnlink_runs(id) ON DELETE CASCADE,
  path text NOT NULL, fingerprint text NOT NULL, bytes bigint NOT NULL, format text NOT NULL);
CREATE INDEX churnlink_sources_fingerprint ON churnlink_sources(fingerprint);
CREATE TABLE churnlink_volumes (id serial PRIMARY KEY, name text NOT NULL UNIQUE, capacity_bytes bigint);
CREATE TABLE churnlink_intervals (run_id bigint NOT NULL REFERENCES churnlink_runs(id) ON DELETE CASCADE,
  volume_id integer NOT NULL REFERENCES churnlink_volumes(id), start_s bigint NOT NULL,
  writes bigint NOT NULL, write_bytes bigint NOT NULL, reads bigint NOT NULL, read_bytes bigint NOT NULL,
  changed_tracks bigint NOT NULL, bitmap bytea NOT NULL, write_profile bytea NOT NULL, partial boolean NOT NULL DEFAULT false,
  PRIMARY KEY (run_id, volume_id, start_s));
CREATE INDEX churnlink_intervals_start ON churnlink_intervals(start_s);
CREATE TABLE churnlink_batches (run_id bigint NOT NULL REFERENCES churnlink_runs(id) ON DELETE CASCADE, seq bigint NOT NULL, PRIMARY KEY (run_id, seq));
`;

const missing = postgresMissing();
test('a 0.1.0 PostgreSQL store is upgraded on open and reports as 0.1.0 did', { skip: missing }, async () => {
  const url = await freshDatabase('migration');
  const old = new Database(join(OLD, 'store.db'), { readonly: true });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(SCHEMA_4);
    for (const m of old.prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[]) {
      await client.query('INSERT INTO churnlink_meta VALUES ($1, $2)', [
        m.key,
        m.key === 'schema_version' ? '4' : m.value,
      ]);
    }
    for (const r of old.prepare('SELECT * FROM runs').all() as Record<string, unknown>[]) {
      await client.query(
        'INSERT INTO churnlink_runs (id, status, host, started_at, finished_at, records, skipped) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        [r.id, r.status, r.host, r.started_at, r.finished_at, r.records, r.skipped],
      );
    }
    for (const v of old.prepare('SELECT * FROM volumes').all() as Record<string, unknown>[]) {
      await client.query('INSERT INTO churnlink_volumes (id, name, capacity_bytes) VALUES ($1, $2, $3)', [
        v.id,
        v.name,
        v.capacity_bytes,
      ]);
    }
    for (const i of old.prepare('SELECT * FROM intervals').all() as Record<string, unknown>[]) {
      await client.query('INSERT INTO churnlink_intervals VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)', [
        i.run_id,
        i.volume_id,
        i.start_s,
        i.writes,
        i.write_bytes,
        i.reads,
        i.read_bytes,
        i.changed_tracks,
        i.bitmap,
        i.write_profile,
        i.partial === 1,
      ]);
    }
  } finally {
    old.close();
    await client.end();
  }
  const store = await PostgresStore.open(url);
  assert.equal((await store.readIntervals({})).length, 585);
  await store.close();
  await reportsAsBefore(url);
});

test('churnlink migrate converts a 0.1.0 store and says so', async () => {
  const path = join(tempDir(), 'old.db');
  copyFileSync(join(OLD, 'store.db'), path);
  const r = await runCli('migrate', '--store', path);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `store ${path}: converted from schema 5 to this version's layout (3 runs)\n`);
  const again = await runCli('migrate', '--store', path);
  assert.equal(again.stdout, `store ${path}: up to date (3 runs)\n`);
  const after = new Database(path, { readonly: true });
  assert.equal(after.prepare("SELECT value FROM meta WHERE key = 'schema_version'").pluck().get(), '7');
  assert.equal(after.prepare('SELECT SUM(cells) FROM chunks').pluck().get(), 585);
  after.close();
  const missing = await runCli('migrate', '--store', join(tempDir(), 'none.db'));
  assert.equal(missing.code, 2);
});

test('a schema 6 store (chunks without rollups) is refused read-only, then migrated with its rollups', async () => {
  // A schema 6 store: this version's file less the rollups table, as 6 wrote it.
  const path = join(tempDir(), 'six.db');
  copyFileSync(join(OLD, 'store.db'), path);
  await new SqliteStore(path).close();
  const six = new Database(path);
  const before = six.prepare('SELECT COUNT(*), SUM(cells) FROM rollups').raw().get();
  six.exec("DROP TABLE rollups; UPDATE meta SET value = '6' WHERE key = 'schema_version'");
  six.close();
  const report = await runCli('report', '--store', path, '--format', 'json');
  assert.equal(report.code, 2);
  const asks = `written by an earlier churnlink \\(schema 6\\).*churnlink migrate --store ${path}`;
  assert.match(report.stderr, new RegExp(asks));
  const r = await runCli('migrate', '--store', path);
  assert.equal(r.code, 0, r.stderr);
  const after = new Database(path, { readonly: true });
  assert.equal(after.prepare("SELECT value FROM meta WHERE key = 'schema_version'").pluck().get(), '7');
  assert.deepEqual(after.prepare('SELECT COUNT(*), SUM(cells) FROM rollups').raw().get(), before);
  after.close();
  await reportsAsBefore(path);
});
