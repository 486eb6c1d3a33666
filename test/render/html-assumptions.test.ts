import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, runCli, tempDir } from '../helpers.js';

test('the HTML report states growth and excluded volumes in its assumptions line (escaped)', async () => {
  const dir = tempDir();
  const store = join(dir, 'a.db');
  assert.equal((await runCli('collect', join(FIXTURES, 'tiny.msr.csv'), '--store', store)).code, 0);
  const out = join(dir, 'a.html');
  const r = await runCli(
    'report',
    '--store',
    store,
    '--format',
    'html',
    '-o',
    out,
    '--growth',
    '30%',
    '--exclude',
    'scratch<*>',
    '--exclude',
    'swap_?',
  );
  assert.equal(r.code, 0, r.stderr);
  const html = readFileSync(out, 'utf8');
  assert.ok(
    html.includes(
      'link math: overhead 0.0 %, compression 1:1, efficiency 100.0 %, growth 30.0 %, ' +
        'excluded scratch&lt;*&gt;, swap_?</p>',
    ),
    html.slice(0, 2000),
  );
});
