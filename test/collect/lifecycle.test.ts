import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../../src/store/open.js';
import { ROOT, runCli, tempDir } from '../helpers.js';
import { freshDatabase, postgresMissing } from '../support/postgres.js';
import { msrTrace } from './traces.js';

const dir = tempDir();
const sample = join(ROOT, 'samples', 'sample-msr.csv.gz');
const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');
const pgMissing = postgresMissing();

/**
 * 600 one-minute intervals of good records (more than the writer's 512-row batch, so rows are
 * committed before the end) followed by a malformed line: the collection fails after committing.
 */
function badAfterCommits(name: string): string {
  const path = join(dir, name);
  writeFileSync(path, `${msrTrace('late', 600, 60)}128166372000000000,late,0,Write,x,4096,1\n`);
  return path;
}

/** Everything a store holds that a failed collection must not change. */
async function snapshot(spec: string): Promise<string> {
  const store = await openStore(spec, { mustExist: true });
  try {
    const runs = (await store.listRuns()).map((r) => ({ ...r, startedAt: '', finishedAt: '' }));
    return JSON.stringify({
      settings: await store.getSettings(),
      runs,
      rows: (await store.readIntervals({})).length,
      scope: await store.getScope(),
    });
  } finally {
    await store.close();
  }
}

test('a failed first collect creates no store file, so the corrected command may choose the interval', async () => {
  const store = join(dir, 'y.db');
  const r = await runCli('collect', sample, '--store', store, '--format', 'msrx');
  assert.equal(r.code, 2, r.stderr);
  for (const suffix of ['', '-wal', '-shm'])
    assert.equal(existsSync(store + suffix), false, `${store}${suffix} exists`);
  const bad = await runCli('collect', badAfterCommits('bad-first.csv'), '--store', store);
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /bad-first\.csv:601: /);
  for (const suffix of ['', '-wal', '-shm'])
    assert.equal(existsSync(store + suffix), false, `${store}${suffix} exists after commits`);
  const fixed = await runCli('collect', sample, '--store', store, '--interval', '5m');
  assert.equal(fixed.code, 0, fixed.stderr);
  assert.match(fixed.stdout, / intervals of 5 min, /);
});

test('a failed collect leaves an existing SQLite store byte for byte as it was (before a commit) or setting for setting (after)', async () => {
  const store = join(dir, 'kept.db');
  assert.equal((await runCli('collect', sample, '--store', store, '--interval', '5m')).code, 0);
  const before = await snapshot(store);
  const bytes = sha256(store);
  const r = await runCli(
    'collect',
    join(ROOT, 'test', 'fixtures', 'tiny.msr.csv'),
    '--store',
    store,
    '--format',
    'msrx',
  );
  assert.equal(r.code, 2);
  assert.equal(sha256(store), bytes);
  assert.equal(existsSync(`${store}-wal`), false);
  const bad = await runCli('collect', badAfterCommits('bad-later.csv'), '--store', store);
  assert.equal(bad.code, 2, bad.stderr);
  assert.equal(await snapshot(store), before);
});

test('postgres: a failed first collect records neither settings nor runs', { skip: pgMissing }, async () => {
  const url = await freshDatabase('lifecycle');
  const empty = JSON.stringify({ settings: null, runs: [], rows: 0, scope: null });
  const r = await runCli('collect', sample, '--store', url, '--format', 'msrx');
  assert.equal(r.code, 2, r.stderr);
  assert.equal(await snapshot(url), empty);
  const bad = await runCli('collect', badAfterCommits('bad-pg.csv'), '--store', url);
  assert.equal(bad.code, 2, bad.stderr);
  assert.equal(await snapshot(url), empty);
  const fixed = await runCli('collect', sample, '--store', url, '--interval', '5m');
  assert.equal(fixed.code, 0, fixed.stderr);
  const before = await snapshot(url);
  assert.equal((await runCli('collect', badAfterCommits('bad-pg2.csv'), '--store', url)).code, 2);
  assert.equal(await snapshot(url), before);
});
