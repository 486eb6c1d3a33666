import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from '../../bench/generate.js';
import { runChild } from '../support/child.js';

const MiB = 1024; // maxRssKiB is in KiB

const dir = mkdtempSync(join(tmpdir(), 'churnlink-collect-memory-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// 1.5 M records over 100 volumes and a day (80 MB) collected at 1 minute: a 40 MB store, so the
// collecting connection touches more pages than any page cache holds. The child runs with 1 MiB
// semi-spaces so that the garbage between collections (chunk blobs, read buffers), which varies
// with the machine's load by ±20 MiB, does not hide the page cache: with SQLite's 16 MB page
// cache (better-sqlite3's default) the peak was 157–163 MiB, with the 2 MB cache of a collecting
// connection 126–128 MiB (measured 2026-11-26). The whole 50 M-record benchmark fell from 234 to
// 170 MiB on one thread the same way.
test('collect on one thread stays within 144 MiB on a trace filling a 40 MB store', { timeout: 300_000 }, async () => {
  const trace = join(dir, 'many-volumes.msr.csv');
  const out = createWriteStream(trace);
  for (const chunk of generate({ kind: 'msr', records: 1_500_000, volumes: 100, hours: 24, seed: 1 })) {
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  const r = await runChild(
    ['collect', trace, '--store', join(dir, 'many.db'), '--interval', '1m', '--threads', '1', '--quiet'],
    { timeoutMs: 240_000, env: { ...process.env, NODE_OPTIONS: '--max-semi-space-size=1' } },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /collected 1,500,000 records/);
  assert.ok(r.maxRssKiB! < 144 * MiB, `collect peak RSS ${r.maxRssKiB} KiB`);
});
