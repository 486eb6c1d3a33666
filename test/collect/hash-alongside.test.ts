import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashAlongside } from '../../src/collect/hash-alongside.js';
import { ContentHash } from '../../src/sources/content-hash.js';
import { tempDir } from '../helpers.js';

const dir = tempDir();
const path = join(dir, 'eight-mib.bin');
const bytes = new Uint8Array(8 << 20).map((_, i) => (i * 2654435761) >>> 24);
writeFileSync(path, bytes);
const sha = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

test('work that ends before the hash has read the file still gets the whole file hashed', async () => {
  // Decoding on worker threads can end first when this thread lags (many small cells to write).
  const hash = new ContentHash();
  assert.equal(await hashAlongside(path, hash, Promise.resolve('decoded')), 'decoded');
  assert.deepEqual(hash.identity(), { fingerprint: sha, bytes: 8 << 20, prefixes: new Map() });
});

test('work that fails stops the hash and its error is the one thrown', async () => {
  const hash = new ContentHash();
  await assert.rejects(hashAlongside(path, hash, Promise.reject(new Error('bad record'))), /^Error: bad record$/);
  assert.equal(hash.identity(), null);
});
