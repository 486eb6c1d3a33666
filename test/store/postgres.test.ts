import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { PostgresStore } from '../../src/store/postgres.js';
import { UsageError } from '../../src/errors.js';
import { storeConformance } from './conformance.js';
import { rollupConformance } from './rollup-conformance.js';
import { freshDatabase, postgresUnavailable } from '../support/postgres.js';
import { cleanUp } from '../support/cleanup.js';

// No server: every test still shows, as skipped with the reason.
const missing = await postgresUnavailable();
after(cleanUp);
storeConformance('postgres', async () => {
  const url = await freshDatabase('conformance');
  return { store: await PostgresStore.open(url), reopen: () => PostgresStore.open(url) };
}, missing);

test('postgres: an unreachable server is a usage error naming the redacted URL', { skip: missing }, async () => {
  await assert.rejects(PostgresStore.open('postgres://someone:secret@127.0.0.1:1/x', { retryForS: 0 }), (e: unknown) => e instanceof UsageError && /cannot use PostgreSQL at postgres:\/\/someone:\*\*\*@127\.0\.0\.1:1\/x/.test(e.message));
});

rollupConformance('postgres', async () => ({ store: await PostgresStore.open(await freshDatabase('rollups')) }), missing);
