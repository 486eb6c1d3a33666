import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { collectSources, type CollectOptions } from '../../src/collect/run.js';
import { openSource } from '../../src/sources/file.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { UsageError } from '../../src/errors.js';
import { FIXTURES, runCli, tempDir } from '../helpers.js';
import { msrTrace } from './traces.js';
import { collectOptions } from './options.js';

const options = (host: string, replace = false): CollectOptions => collectOptions({ host, replace });

test("an unfinished run of the same input: replaced when it is this host's, refused when another host may still be running it", async () => {
  const tiny = join(FIXTURES, 'tiny.msr.csv');
  // The identity of an input: SHA-256 of its decoded bytes (this file is plain).
  const fingerprint = `sha256:${createHash('sha256').update(readFileSync(tiny)).digest('hex')}`;
  const store = new SqliteStore(join(tempDir(), 'runs.db'));
  await store.useSettings({ intervalS: 60, trackBytes: 65536 });
  const theirs = await store.beginRun('other-host', [{ path: tiny, fingerprint, bytes: 0, format: 'msr' }]);
  await assert.rejects(
    collectSources([await openSource(tiny)], store, options('this-host')),
    (e: unknown) =>
      e instanceof UsageError &&
      new RegExp(
        `is being collected by other-host into .* as run ${theirs} \\(or that collection was interrupted\\); refusing to count it twice`,
      ).test(e.message),
  );
  const mine = await store.beginRun('this-host', [{ path: tiny, fingerprint, bytes: 0, format: 'msr' }]);
  const done = await collectSources([await openSource(tiny)], store, options('this-host', true));
  assert.deepEqual(done.replaced, [theirs, mine]);
  assert.deepEqual(
    (await store.listRuns()).map((r) => [r.status, r.host]),
    [['complete', 'this-host']],
  );
  await store.close();
});

test('--replace refuses to replace a run that also read other files, naming them; replaces when all are given', async () => {
  const dir = tempDir();
  const a = join(dir, 'a.csv');
  const b = join(dir, 'b.csv');
  writeFileSync(a, msrTrace('ha', 3));
  writeFileSync(b, msrTrace('hb', 2));
  const store = join(dir, 'replace.db');
  assert.equal((await runCli('collect', a, b, '--store', store)).code, 0);
  const refused = await runCli('collect', a, '--store', store, '--replace');
  assert.equal(refused.code, 2);
  assert.equal(refused.stdout, '');
  assert.equal(
    refused.stderr,
    `churnlink collect: --replace would delete run 1, which also holds ${b} (not in this collection); ` +
      `collect all of run 1's inputs together with --replace (${a} ${b}), or use another --store\n`,
  );
  const volumes = async (): Promise<string[]> => {
    const s = new SqliteStore(store);
    try {
      return (await s.readIntervals({})).map((r) => `${r.volume} ${r.startS} ${r.writes} ${r.changedTracks}`);
    } finally {
      await s.close();
    }
  };
  // Both volumes are still there: ha_0 with 3 writes, hb_0 with 2, all in the first minute.
  assert.deepEqual(await volumes(), ['ha_0 1767571200 3 3', 'hb_0 1767571200 2 2']);
  const both = await runCli('collect', b, a, '--store', store, '--replace');
  assert.equal(both.code, 0, both.stderr);
  assert.match(both.stdout, /^run 2: .*\n {2}replaced run 1 \(same input\)\n$/s);
  assert.deepEqual(await volumes(), ['ha_0 1767571200 3 3', 'hb_0 1767571200 2 2']);
  const check = new SqliteStore(store);
  assert.deepEqual(
    (await check.listRuns()).map((r) => [r.id, r.sources.map((s) => s.path)]),
    [[2, [b, a]]],
  );
  await check.close();
});
