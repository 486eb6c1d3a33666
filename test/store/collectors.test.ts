import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { generate } from '../../bench/generate.js';
import { openStore } from '../../src/store/open.js';
import { ROOT, tempDir } from '../helpers.js';
import { freshDatabase, postgresMissing, sharedServer } from '../support/postgres.js';

const BIN = join(ROOT, 'bin', 'churnlink.js');
const dir = tempDir();
const missing = postgresMissing();
const database = (): Promise<string> => freshDatabase('collectors');

function trace(name: string, records: number, seed: number, volumes = 3): string {
  const path = join(dir, name);
  writeFileSync(path, [...generate({ kind: 'msr', records, volumes, hours: 2, seed })].join(''));
  return path;
}

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Per-(interval, volume) series of a store, for exact comparisons. */
const series = (store: string): string => {
  const r = cli('report', '--store', store, '--per', 'interval', '--format', 'csv');
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
};

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('several collectors write one PostgreSQL store at once: nothing lost, nothing doubled', { skip: missing }, async () => {
  const files = [1, 2, 3, 4].map((k) => trace(`host${k}.csv`, 20_000, k));
  const url = await database();
  const procs = files.map((f) => spawn(process.execPath, [BIN, 'collect', f, '--store', url, '--interval', '5m', '--threads', '1', '--quiet'], { stdio: 'pipe' }));
  const codes = await Promise.all(procs.map((p) => new Promise<number | null>((resolve) => p.on('exit', resolve))));
  assert.deepEqual(codes, [0, 0, 0, 0]);
  const sequential = join(dir, 'sequential.db');
  assert.equal(cli('collect', ...files, '--store', sequential, '--interval', '5m').status, 0);
  assert.equal(series(url), series(sequential));
  const runs = JSON.parse(cli('runs', '--store', url, '--json').stdout) as { runs: { status: string; records: number }[] };
  assert.deepEqual(runs.runs.map((r) => [r.status, r.records]), [['complete', 20_000], ['complete', 20_000], ['complete', 20_000], ['complete', 20_000]]);
});

test('a PostgreSQL restart in the middle of a collection: the collector retries and loses nothing', { skip: missing }, async () => {
  const file = trace('restart.csv', 600_000, 9, 6);
  const url = await database();
  const proc = spawn(process.execPath, [BIN, 'collect', file, '--store', url, '--interval', '1m', '--threads', '1', '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', resolve));
  const store = await openStore(url);
  await waitFor(async () => (await store.listRuns()).length > 0, 'the run to begin');
  await store.close();
  sharedServer().restart();
  assert.equal(await exited, 0, stderr);
  const clean = join(dir, 'restart-clean.db');
  assert.equal(cli('collect', file, '--store', clean, '--interval', '1m').status, 0);
  assert.equal(series(url), series(clean));
});

for (const kind of ['sqlite', 'postgres'] as const) {
  test(`kill -9 mid-collection (${kind}): committed work intact, nothing half-written, re-collection replaces it`, { skip: kind === 'postgres' && missing }, async () => {
    const file = trace(`crash-${kind}.csv`, 600_000, 11, 6);
    const url = kind === 'sqlite' ? join(dir, 'crash.db') : await database();
    const proc = spawn(process.execPath, [BIN, 'collect', file, '--store', url, '--interval', '1m', '--threads', '1', '--quiet'], { stdio: 'ignore' });
    const exited = new Promise<unknown>((resolve) => proc.on('exit', resolve));
    const count = async (): Promise<number> => {
      if (kind === 'sqlite') {
        try {
          const db = new Database(url, { readonly: true, fileMustExist: true });
          try {
            return (db.prepare('SELECT count(*) AS n FROM chunks').get() as { n: number }).n;
          } finally {
            db.close();
          }
        } catch {
          return 0;
        }
      }
      const store = await openStore(url);
      try {
        const runs = await store.listRuns();
        return runs.length;
      } finally {
        await store.close();
      }
    };
    await waitFor(async () => (await count()) > 0, 'the first committed rows');
    proc.kill('SIGKILL');
    await exited;
    if (kind === 'sqlite') {
      const db = new Database(url);
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
      db.close();
    }
    const store = await openStore(url);
    assert.deepEqual((await store.listRuns()).map((r) => r.status), ['running']);
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
