import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { collectSources, type CollectOptions } from '../../src/collect/run.js';
import { EMPTY_SCOPE } from '../../src/collect/scope.js';
import { openSource } from '../../src/sources/file.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { UsageError } from '../../src/errors.js';
import { FIXTURES, tempDir } from '../helpers.js';

const options = (host: string, replace = false): CollectOptions => ({
  intervalS: 60, trackBytes: 65536, scope: EMPTY_SCOPE, scopeJson: null, format: null, startUs: 0, skipBad: false, replace, volumeName: null, host,
});

test('an unfinished run of the same input: replaced when it is this host\'s, refused when another host may still be running it', async () => {
  const tiny = join(FIXTURES, 'tiny.msr.csv');
  const fingerprint = (await openSource(tiny)).fingerprint()!;
  const store = new SqliteStore(join(tempDir(), 'runs.db'));
  await store.useSettings({ intervalS: 60, trackBytes: 65536 });
  const theirs = await store.beginRun('other-host', [{ path: tiny, fingerprint, bytes: 0, format: 'msr' }]);
  await assert.rejects(collectSources([await openSource(tiny)], store, options('this-host')), (e: unknown) => e instanceof UsageError && new RegExp(`is being collected by other-host into .* as run ${theirs} \\(or that collection was interrupted\\); refusing to count it twice`).test(e.message));
  const mine = await store.beginRun('this-host', [{ path: tiny, fingerprint, bytes: 0, format: 'msr' }]);
  const done = await collectSources([await openSource(tiny)], store, options('this-host', true));
  assert.deepEqual(done.replaced, [theirs, mine]);
  assert.deepEqual((await store.listRuns()).map((r) => [r.status, r.host]), [['complete', 'this-host']]);
  await store.close();
});
