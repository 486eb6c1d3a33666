import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { FIXTURES, ROOT, runCli, tempDir } from '../helpers.js';

const dir = tempDir();
const tiny = join(FIXTURES, 'tiny.msr.csv');
const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');
const BIN = join(ROOT, 'bin', 'churnlink.js');

// What `runs` prints for a store holding tiny.msr.csv (the date column varies).
const runsOf = (store: string): string => `store ${store}: 1 min intervals, 64.00 KiB tracks\n`;

async function collectedStore(name: string): Promise<string> {
  const sub = join(dir, name);
  mkdirSync(sub);
  const store = join(sub, 'churn.db');
  const r = await runCli('collect', tiny, '--store', store);
  assert.equal(r.code, 0, r.stderr);
  return store;
}

function roMissing(): string | false {
  if (process.getuid?.() !== 0) return 'a read-only bind mount needs root';
  const probe = join(dir, 'probe');
  mkdirSync(probe);
  const ok = spawnSync('mount', ['--bind', probe, probe]).status === 0;
  if (ok) spawnSync('umount', [probe]);
  return ok ? false : 'mount --bind is not permitted here';
}

test('report and runs read a store on a read-only mount', { skip: roMissing() }, async () => {
  const store = await collectedStore('ro-src');
  const src = join(dir, 'ro-src');
  const mnt = join(dir, 'ro-mnt');
  mkdirSync(mnt);
  assert.equal(spawnSync('mount', ['--bind', src, mnt]).status, 0);
  try {
    assert.equal(spawnSync('mount', ['-o', 'remount,ro,bind', mnt]).status, 0);
    const before = sha256(store);
    const ro = join(mnt, 'churn.db');
    const runs = await runCli('runs', '--store', ro);
    assert.equal(runs.code, 0, runs.stderr);
    assert.equal(runs.stdout.split('\n\n')[0] + '\n', runsOf(ro));
    const report = await runCli('report', '--store', ro, '--per', 'interval', '--format', 'csv');
    assert.equal(report.code, 0, report.stderr);
    assert.equal(report.stdout.split('\n')[1], '1767571200,hostA_0,4,9728,4');
    assert.equal(sha256(store), before);
    assert.deepEqual(readdirSync(src), ['churn.db']);
  } finally {
    spawnSync('umount', [mnt]);
  }
});

test('report and runs read a store the user may not write (chmod 444 file, 555 directory, another user)', async (t) => {
  if (process.getuid?.() !== 0) return t.skip('switching to an unprivileged user needs root');
  if (spawnSync('runuser', ['-u', 'nobody', '--', 'true']).status !== 0)
    return t.skip('runuser -u nobody is not available');
  const store = await collectedStore('perm');
  const sub = join(dir, 'perm');
  chmodSync(store, 0o444);
  chmodSync(sub, 0o555);
  chmodSync(dir, 0o755);
  const asNobody = (...args: string[]) =>
    spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, BIN, ...args], { encoding: 'utf8', cwd: '/' });
  if (asNobody('--version').status !== 0) return t.skip(`user nobody cannot run ${BIN}`);
  const runs = asNobody('runs', '--store', store);
  assert.equal(runs.status, 0, runs.stderr);
  assert.equal(runs.stdout.split('\n\n')[0] + '\n', runsOf(store));
  const report = asNobody('report', '--store', store, '--per', 'interval', '--format', 'csv');
  assert.equal(report.status, 0, report.stderr);
  assert.equal(report.stdout.split('\n')[1], '1767571200,hostA_0,4,9728,4');
  assert.deepEqual(readdirSync(sub), ['churn.db']);
  const collect = asNobody('collect', tiny, '--store', store, '--replace');
  assert.equal(collect.status, 2);
  assert.match(collect.stderr, /^churnlink collect: store: cannot write .*churn\.db/);
});

test('a foreign SQLite file is refused untouched by every command (same bytes, same journal mode)', async () => {
  const foreign = join(dir, 'foreign.db');
  const db = new Database(foreign);
  db.exec(
    "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers (name) VALUES ('a'), ('b');",
  );
  db.close();
  const before = sha256(foreign);
  for (const args of [['collect', tiny], ['runs'], ['report'], ['plan', '--rpo', '15m']]) {
    const r = await runCli(...args, '--store', foreign);
    assert.equal(r.code, 2, `${args[0]}: ${r.stderr}`);
    assert.equal(
      r.stderr,
      `churnlink ${args[0]}: store: ${foreign} is not a churnlink store (a SQLite database with other tables: customers); ` +
        'give another --store\n',
      args[0],
    );
    assert.equal(sha256(foreign), before, args[0]);
    assert.equal(existsSync(`${foreign}-wal`), false);
  }
  const check = new Database(foreign, { readonly: true });
  assert.equal(check.pragma('journal_mode', { simple: true }), 'delete');
  check.close();
  const copy = join(dir, 'empty.db');
  copyFileSync('/dev/null', copy);
  assert.equal((await runCli('collect', tiny, '--store', copy)).code, 0, 'an empty file is a new store');
});
