import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runChild } from '../support/child.js';

test('runChild measures a child: exit code, output and a plausible peak RSS', async () => {
  const r = await runChild(['--version']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^churnlink \d+\.\d+\.\d+\n$/);
  assert.ok(r.maxRssKiB !== null && r.maxRssKiB > 10_000 && r.maxRssKiB < 200_000, `maxRSS ${r.maxRssKiB} KiB`);
});
