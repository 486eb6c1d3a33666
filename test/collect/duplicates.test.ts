import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { collectSources } from '../../src/collect/run.js';
import { UsageError } from '../../src/errors.js';
import { ContentHash } from '../../src/sources/content-hash.js';
import { openSource } from '../../src/sources/file.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { runCli, tempDir } from '../helpers.js';
import { runChild } from '../support/child.js';
import { msrTrace } from './traces.js';
import { collectOptions } from './options.js';

const dir = tempDir();
const sha = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

test('content hash: whole stream and prefixes at marks, whatever the chunking', () => {
  const bytes = new Uint8Array(1000).map((_, i) => (i * 7) & 255);
  for (const chunk of [1, 3, 100, 999, 1000, 4096]) {
    const h = new ContentHash();
    h.mark([0, 10, 11, 500, 999, 1000, 2000]);
    for (let p = 0; p < bytes.length; p += chunk) h.update(bytes.subarray(p, p + chunk));
    const id = h.finish();
    assert.equal(id.fingerprint, sha(bytes), `chunk ${chunk}`);
    assert.equal(id.bytes, 1000);
    assert.deepEqual(
      [...id.prefixes].sort((a, b) => a[0] - b[0]),
      [10, 11, 500, 999].map((n) => [n, sha(bytes.subarray(0, n))]),
      `chunk ${chunk}`,
    );
  }
});

test('the same trace again as .gz or on stdin is refused; a grown trace is refused as overlapping, replaced with --replace', async () => {
  const plain = join(dir, 'trace.csv');
  const text = msrTrace('h', 200, 10);
  writeFileSync(plain, text);
  writeFileSync(`${plain}.gz`, gzipSync(text));
  const store = join(dir, 'dup.db');
  assert.equal((await runCli('collect', plain, '--store', store)).code, 0);
  const gz = await runCli('collect', `${plain}.gz`, '--store', store);
  assert.equal(gz.code, 2);
  assert.match(
    gz.stderr,
    new RegExp(
      `^churnlink collect: ${plain}\\.gz was already collected into ${store} as run 1 \\(.*\\); refusing to count it twice\\. Use --replace to replace that run\n$`,
    ),
  );
  const stdin = await runChild(['collect', '-', '--store', store], { stdin: text });
  assert.equal(stdin.code, 2, stdin.stderr);
  assert.match(stdin.stderr, /^churnlink collect: - was already collected into .* as run 1 /);
  const grown = join(dir, 'grown.csv');
  writeFileSync(grown, text);
  appendFileSync(grown, msrTrace('h', 10, 10, 1767571200 + 2000));
  const refused = await runCli('collect', grown, '--store', store);
  assert.equal(refused.code, 2);
  assert.match(
    refused.stderr,
    new RegExp(
      `^churnlink collect: ${grown} begins with all ${Buffer.byteLength(text)} bytes of ${plain}, collected into ${store} as run 1 \\(.*\\): it grew since; ` +
        'refusing to count those records twice\\. Use --replace to replace run 1 with the whole input\n$',
    ),
  );
  const replaced = await runCli('collect', grown, '--store', store, '--replace');
  assert.equal(replaced.code, 0, replaced.stderr);
  assert.match(replaced.stdout, /^run \d+: collected 210 records .*\n {2}replaced run 1 \(same input\)\n$/s);
  const s = new SqliteStore(store);
  const runs = await s.listRuns();
  await s.close();
  assert.deepEqual(
    runs.map((r) => [r.records, r.sources.map((x) => [x.path, x.fingerprint, x.bytes])]),
    [[210, [[grown, sha(readFileSync(grown)), readFileSync(grown).length]]]],
  );
});

test('a different trace with the same size and first and last MiB is accepted', async () => {
  const a = join(dir, 'big-a.csv');
  const b = join(dir, 'big-b.csv');
  const text = msrTrace('big', 60_000, 1); // 60,000 lines of about 50 bytes: 3 MB
  assert.ok(text.length > 2.5 * 2 ** 20);
  writeFileSync(a, text);
  // One digit in the middle changes: same size, same first and last MiB.
  const middle = text.indexOf(',Write,', text.length >> 1) + 7;
  writeFileSync(b, text.slice(0, middle) + (text[middle] === '1' ? '2' : '1') + text.slice(middle + 1));
  assert.equal(readFileSync(a).length, readFileSync(b).length);
  const store = join(dir, 'same-size.db');
  assert.equal((await runCli('collect', a, '--store', store)).code, 0);
  const r = await runCli('collect', b, '--store', store);
  assert.equal(r.code, 0, r.stderr);
});

test('inputs decoded on worker threads get the same identity as read here', async () => {
  const plain = join(dir, 'threads.csv');
  const text = msrTrace('t', 5000, 1);
  writeFileSync(plain, text);
  writeFileSync(`${plain}.gz`, gzipSync(text));
  const store = new SqliteStore(join(dir, 'threads.db'));
  const options = collectOptions({
    threads: 2,
    parallelMinBytes: 1024,
  });
  const first = await collectSources([await openSource(plain)], store, options);
  assert.equal(first.runId, 1);
  assert.deepEqual(
    (await store.listRuns())[0]!.sources.map((s) => [s.fingerprint, s.bytes]),
    [[sha(Buffer.from(text)), Buffer.byteLength(text)]],
  );
  await assert.rejects(
    collectSources([await openSource(`${plain}.gz`)], store, options),
    (e: unknown) => e instanceof UsageError && /was already collected into .* as run 1 /.test(e.message),
  );
  await store.close();
});
