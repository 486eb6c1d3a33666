import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runChild } from '../support/child.js';

// A reading command against a PostgreSQL server that is not there fails at once with the reason
// (it once retried silently for 5 minutes, as a writer does), and never shows the password.
test('report, runs and simulate against a server that is down fail at once, secrets hidden', async () => {
  const url = 'postgresql://user:s3cretPW@127.0.0.1:1/db?sslmode=disable&password=x0secret';
  for (const args of [['report'], ['runs'], ['simulate', '--link', '1x10Gbit']]) {
    const r = await runChild([...args, '--store', url], { timeoutMs: 60_000 });
    assert.equal(r.signal, null, `${args[0]} still waiting after 60 s`);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /cannot use PostgreSQL at postgresql:\/\/user:\*\*\*@127\.0\.0\.1:1\/db\?/);
    assert.match(r.stderr, /ECONNREFUSED/);
    assert.doesNotMatch(r.stderr + r.stdout, /s3cretPW|x0secret/);
  }
});
