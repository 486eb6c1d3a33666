import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { generate } from '../../bench/generate.js';
import { openStore } from '../../src/store/open.js';
import { ROOT, tempDir } from '../helpers.js';
import pg from 'pg';
import { freshDatabase, postgresUnavailable, sharedServer } from '../support/postgres.js';
import { cleanUp, exitOf, trackChild, waitUntil } from '../support/cleanup.js';

const BIN = join(ROOT, 'bin', 'churnlink.js');
const dir = tempDir();
const missing = await postgresUnavailable();
after(cleanUp); // collectors a failed test left running, then the server
const database = (): Promise<string> => freshDatabase('collectors');

function trace(name: string, records: number, seed: number, volumes = 3): string {
  const path = join(dir, name);
  writeFileSync(path, [...generate({ kind: 'msr', records, volumes, hours: 2, seed })].join(''));
  return path;
}

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 300_000, killSignal: 'SIGKILL' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Per-(interval, volume) series of a store, for exact comparisons. */
const series = (store: string): string => {
  const r = cli('report', '--store', store, '--per', 'interval', '--format', 'csv');
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
};

/** `churnlink collect FILE --store URL ...` in a child process, killed at clean-up if still running. */
const collector = (file: string, url: string, interval: string, stdio: 'pipe' | 'ignore' = 'ignore') =>
  trackChild(
    spawn(
      process.execPath,
      [BIN, 'collect', file, '--store', url, '--interval', interval, '--threads', '1', '--quiet'],
      {
        stdio,
      },
    ),
  );

test(
  'several collectors write one PostgreSQL store at once: nothing lost, nothing doubled',
  { skip: missing },
  async () => {
    const files = [1, 2, 3, 4].map((k) => trace(`host${k}.csv`, 20_000, k));
    const url = await database();
    const procs = files.map((f) => collector(f, url, '5m'));
    const codes = await Promise.all(procs.map((p, k) => exitOf(p, `collector ${k + 1}`, 300_000)));
    assert.deepEqual(codes, [0, 0, 0, 0]);
    const sequential = join(dir, 'sequential.db');
    assert.equal(cli('collect', ...files, '--store', sequential, '--interval', '5m').status, 0);
    assert.equal(series(url), series(sequential));
    const runs = JSON.parse(cli('runs', '--store', url, '--json').stdout) as {
      runs: { status: string; records: number }[];
    };
    assert.deepEqual(
      runs.runs.map((r) => [r.status, r.records]),
      [
        ['complete', 20_000],
        ['complete', 20_000],
        ['complete', 20_000],
        ['complete', 20_000],
      ],
    );
  },
);

test(
  'a PostgreSQL restart in the middle of a collection: the collector retries and loses nothing',
  { skip: missing },
  async () => {
    const file = trace('restart.csv', 600_000, 9, 6);
    const url = await database();
    const proc = collector(file, url, '1m', 'pipe');
    let stderr = '';
    proc.stderr!.on('data', (d) => (stderr += d));
    const exited = exitOf(proc, 'the collector', 300_000);
    const store = await openStore(url);
    try {
      await waitUntil(async () => (await store.listRuns()).length > 0, 'the run to begin', 60_000);
    } finally {
      await store.close();
    }
    sharedServer().restart();
    assert.equal(await exited, 0, stderr);
    const clean = join(dir, 'restart-clean.db');
    assert.equal(cli('collect', file, '--store', clean, '--interval', '1m').status, 0);
    assert.equal(series(url), series(clean));
  },
);

/**
 * The writer lock of a store, held by the test: while it is held the collector can commit
 * nothing, in particular not the end of its run. `look` runs under the lock and tells how many
 * intervals are committed and the run's status.
 */
interface StoreLock {
  look(): Promise<{ intervals: number; status: string | null }>;
  release(): Promise<void>;
}

async function lockSqlite(path: string): Promise<StoreLock | null> {
  if (!existsSync(path)) return null;
  const db = new Database(path, { fileMustExist: true });
  db.pragma('busy_timeout = 30000');
  const tables = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name IN ('runs', 'chunks')").get();
  assert.ok(tables !== undefined);
  if ((tables as { n: number }).n < 2) {
    db.close();
    return null; // the schema is not there yet
  }
  db.exec('BEGIN IMMEDIATE');
  return {
    look: async () => ({
      // committed (volume, interval) cells: each chunk row holds up to 60 of them
      intervals: (db.prepare('SELECT coalesce(sum(cells), 0) AS n FROM chunks').get() as { n: number }).n,
      status:
        (db.prepare('SELECT status FROM runs ORDER BY id LIMIT 1').get() as { status?: string } | undefined)?.status ??
        null,
    }),
    release: async () => {
      db.exec('ROLLBACK');
      db.close();
    },
  };
}

async function lockPostgres(url: string): Promise<StoreLock | null> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const ready = await client.query("SELECT to_regclass('churnlink_chunks') IS NOT NULL AS ok");
  if (ready.rows[0].ok !== true) {
    await client.end();
    return null;
  }
  await client.query('BEGIN');
  // EXCLUSIVE on the runs table: no run can finish and no interval row (its foreign key) be added.
  await client.query('LOCK TABLE churnlink_runs IN EXCLUSIVE MODE');
  return {
    look: async () => ({
      intervals: Number((await client.query('SELECT coalesce(sum(cells), 0) AS n FROM churnlink_chunks')).rows[0].n),
      status:
        ((await client.query('SELECT status FROM churnlink_runs ORDER BY id LIMIT 1')).rows[0]?.status as string) ??
        null,
    }),
    release: async () => {
      await client.query('ROLLBACK');
      await client.end();
    },
  };
}

const COMMITTED_BEFORE_KILL = 3; // intervals

for (const kind of ['sqlite', 'postgres'] as const) {
  const title =
    `kill -9 mid-collection (${kind}): committed work intact, nothing half-written, ` + 're-collection replaces it';
  test(title, { skip: kind === 'postgres' && missing }, async () => {
    const file = trace(`crash-${kind}.csv`, 600_000, 11, 6);
    const url = kind === 'sqlite' ? join(dir, 'crash.db') : await database();
    const proc = collector(file, url, '1m');
    const exited = exitOf(proc, 'the collector', 120_000);
    // Kill it while the test holds the store's writer lock, once it has committed a few
    // intervals: it cannot have finished, whatever the machine's speed.
    const lockStore = (): Promise<StoreLock | null> => (kind === 'sqlite' ? lockSqlite(url) : lockPostgres(url));
    let killedAfter = 0;
    await waitUntil(
      async () => {
        const lock = await lockStore();
        if (lock === null) return false;
        try {
          const seen = await lock.look();
          if (seen.status !== null && seen.status !== 'running') {
            throw new Error(`the collection ended (${seen.status}) before it was killed`);
          }
          if (seen.intervals < COMMITTED_BEFORE_KILL) return false;
          proc.kill('SIGKILL');
          await exited;
          killedAfter = seen.intervals;
          return true;
        } finally {
          await lock.release();
        }
      },
      `${COMMITTED_BEFORE_KILL} committed intervals`,
      60_000,
    );
    assert.equal(proc.signalCode, 'SIGKILL');
    // What was committed when it died is all there is: no later or half-written interval.
    const held = await lockStore();
    assert.ok(held !== null);
    try {
      assert.deepEqual(await held.look(), { intervals: killedAfter, status: 'running' });
    } finally {
      await held.release();
    }
    if (kind === 'sqlite') {
      const db = new Database(url);
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
      db.close();
    }
    const store = await openStore(url);
    assert.deepEqual(
      (await store.listRuns()).map((r) => r.status),
      ['running'],
    );
    assert.deepEqual(await store.readIntervals({}), [], 'an unfinished file run stays invisible');
    await store.close();
    const again = cli('collect', file, '--store', url, '--interval', '1m');
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /replaced run 1 \(same input\)/);
    const clean = join(dir, `crash-clean-${kind}.db`);
    assert.equal(cli('collect', file, '--store', clean, '--interval', '1m').status, 0);
    assert.equal(series(url), series(clean));
  });
}
