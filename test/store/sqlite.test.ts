import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/sqlite.js';
import { UsageError } from '../../src/errors.js';
import { tempDir } from '../helpers.js';
import { storeConformance } from './conformance.js';
import { rollupConformance } from './rollup-conformance.js';

let n = 0;
const dir = tempDir();

storeConformance('sqlite', async () => {
  const path = join(dir, `store-${n++}.db`);
  return { store: new SqliteStore(path), reopen: async () => new SqliteStore(path) };
});

test('sqlite: a file that is not a store is refused with a usage error', () => {
  const path = join(dir, 'not-a-db.db');
  writeFileSync(path, 'hello, this is text and not SQLite at all'.repeat(50));
  assert.throws(
    () => new SqliteStore(path),
    (e: unknown) =>
      e instanceof UsageError &&
      e.message === `store: ${path} is not a SQLite database (file is not a database); give another --store`,
  );
});

rollupConformance('sqlite', async () => ({ store: new SqliteStore(join(dir, `rollups-${n++}.db`)) }));
