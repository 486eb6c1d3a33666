import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, ftruncateSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { collectSources } from '../../src/collect/run.js';
import { EMPTY_SCOPE } from '../../src/scope/scope.js';
import { openSource } from '../../src/sources/file.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { tempDir } from '../helpers.js';

/**
 * A file cut for worker threads is hashed (its identity) on the collecting thread meanwhile. When
 * the workers finish first — here they skip one 192 MiB line of zeros at memchr speed while the
 * hash reads every byte — the collection waits for the hash instead of aborting it.
 */
test('parallel collect: decoding that ends before the input is hashed waits for the hash', async () => {
  const dir = tempDir();
  const path = join(dir, 'zeros.msr.csv');
  const head = '128166385295514663,hm,0,Write,0,4096,1\n128166385295514663,hm,0,Write,65536,4096,1\n';
  const fd = openSync(path, 'w');
  writeSync(fd, head);
  ftruncateSync(fd, 192 << 20); // the rest: zeros, no newline (one over-long line, skipped)
  closeSync(fd);
  const sha256 = createHash('sha256');
  for await (const chunk of createReadStream(path)) sha256.update(chunk as Buffer);
  const store = new SqliteStore(join(dir, 's.db'));
  try {
    const summary = await collectSources([await openSource(path)], store, {
      intervalS: 60,
      trackBytes: 65536,
      scope: EMPTY_SCOPE,
      scopeJson: null,
      format: 'msr',
      startUs: 0,
      skipBad: true,
      replace: false,
      volumeName: null,
      host: 'test',
      threads: 2,
      parallelMinBytes: 1,
    });
    assert.equal(summary.writes, 2);
    assert.equal(summary.sources[0]!.stats.skipped, 1);
    const [run] = await store.listRuns();
    assert.equal(run!.sources[0]!.fingerprint.endsWith(sha256.digest('hex')), true);
  } finally {
    await store.close();
  }
});
