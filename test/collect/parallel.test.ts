import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { collectSources, type CollectOptions } from '../../src/collect/run.js';
import { openSource } from '../../src/sources/file.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { InputError } from '../../src/errors.js';
import { generate } from '../../bench/generate.js';
import { decodeRoaring } from '../../src/bitmap/roaring.js';
import { FIXTURES, tempDir } from '../helpers.js';
import { collectOptions } from './options.js';

const dir = tempDir();
const trace = join(dir, 'gen.msr.csv');
writeFileSync(trace, [...generate({ kind: 'msr', records: 60_000, volumes: 5, hours: 3, seed: 3 })].join(''));
let n = 0;

const options = (threads: number | 'auto', extra: Partial<CollectOptions> = {}): CollectOptions =>
  collectOptions({ intervalS: 300, host: 'test', threads, parallelMinBytes: 1, ...extra });

async function collect(path: string, threads: number | 'auto', extra: Partial<CollectOptions> = {}) {
  const store = new SqliteStore(join(dir, `p-${n++}.db`));
  try {
    const summary = await collectSources([await openSource(path)], store, options(threads, extra));
    const rows = (await store.readIntervals({})).map((r) => ({ ...r, bitmap: decodeRoaring(r.bitmap) }));
    return { summary, rows };
  } finally {
    await store.close();
  }
}

test('a file cut across worker threads gives exactly the single-thread result', async () => {
  const one = await collect(trace, 1);
  for (const threads of [2, 3, 7]) {
    const many = await collect(trace, threads);
    assert.deepEqual(many.rows, one.rows, `${threads} threads`);
    assert.equal(many.summary.sources[0]!.stats.records, 60_000);
    assert.equal(many.summary.writes, one.summary.writes);
    assert.equal(many.summary.intervals, one.summary.intervals);
  }
});

test('decoders added while the file is read (adaptive threads) give exactly the single-thread result', async () => {
  const one = await collect(trace, 1);
  for (const maxThreads of [2, 3, 7]) {
    // Always add: every 1 ms the widest remaining range is cut in two, up to maxThreads decoders at once.
    const decide = (): boolean => true;
    const many = await collect(trace, 1, { threads: 'auto', threadProbe: { maxThreads, decide, probeMs: 1 } });
    assert.ok(many.summary.sources[0]!.decoders >= 2, `decoders: ${many.summary.sources[0]!.decoders}`);
    assert.deepEqual(many.rows, one.rows, `up to ${maxThreads} threads`);
    assert.equal(many.summary.sources[0]!.stats.records, 60_000);
    assert.equal(many.summary.writes, one.summary.writes);
    assert.equal(many.summary.intervals, one.summary.intervals);
  }
});

test('an adaptive run that never adds a decoder decodes the whole file on one worker', async () => {
  const one = await collect(trace, 1);
  const seen: number[] = [];
  const decide = (w: { decoders: number }): boolean => (seen.push(w.decoders), false);
  const auto = await collect(trace, 1, { threads: 'auto', threadProbe: { maxThreads: 2, decide, probeMs: 1 } });
  assert.deepEqual(new Set(seen), new Set([1]));
  assert.equal(auto.summary.sources[0]!.decoders, 1);
  assert.deepEqual(auto.rows, one.rows);
});

test('fixed-size binary records are cut at record boundaries', async () => {
  const path = join(dir, 'many.vscsi');
  const record = readFileSync(join(FIXTURES, 'vscsi-v2', 'hostA_0.vscsi'));
  writeFileSync(path, Buffer.concat(Array.from({ length: 50 }, () => record)));
  const one = await collect(path, 1);
  const many = await collect(path, 3);
  assert.deepEqual(many.rows, one.rows);
  assert.equal(many.summary.sources[0]!.stats.records, 50 * 8);
});

test('an error in a later range names the line of the whole file', async () => {
  const lines = readFileSync(trace, 'utf8').split('\n');
  lines[45_000] = lines[45_000]!.replace(/,(Read|Write),/, ',Wrote,');
  const bad = join(dir, 'bad.msr.csv');
  writeFileSync(bad, lines.join('\n'));
  await assert.rejects(
    collect(bad, 2),
    (e: unknown) =>
      e instanceof InputError && e.message === `msr: ${bad}:45001: Type is neither Read nor Write: "Wrote"`,
  );
  const skipped = await collect(bad, 2, { skipBad: true });
  assert.equal(skipped.summary.sources[0]!.stats.skipped, 1);
  assert.equal(
    skipped.summary.sources[0]!.stats.firstSkipped,
    `msr: ${bad}:45001: Type is neither Read nor Write: "Wrote"`,
  );
  assert.equal(skipped.summary.sources[0]!.stats.records, 59_999);
  // The same with ranges cut while read (every 1 ms, up to 3 decoders): the line of the whole file.
  const cutting = { threads: 'auto' as const, threadProbe: { maxThreads: 3, decide: () => true, probeMs: 1 } };
  await assert.rejects(
    collect(bad, 'auto', cutting),
    (e: unknown) =>
      e instanceof InputError && e.message === `msr: ${bad}:45001: Type is neither Read nor Write: "Wrote"`,
  );
  const cut = await collect(bad, 'auto', { ...cutting, skipBad: true });
  assert.equal(
    cut.summary.sources[0]!.stats.firstSkipped,
    `msr: ${bad}:45001: Type is neither Read nor Write: "Wrote"`,
  );
  assert.equal(cut.summary.sources[0]!.stats.records, 59_999);
});

test('with errors in several ranges, the one reported is the first in the file, not the first found', async () => {
  // Two ranges cut near line 30,000: the second worker meets its bad line after ~1,000 lines, the
  // first after ~29,000; the error of the whole file is still line 29,001 (as with one thread).
  const lines = readFileSync(trace, 'utf8').split('\n');
  lines[29_000] = lines[29_000]!.replace(/,(Read|Write),/, ',Wrote,');
  lines[31_000] = lines[31_000]!.replace(/,(Read|Write),/, ',Rode,');
  const bad = join(dir, 'two-bad.msr.csv');
  writeFileSync(bad, lines.join('\n'));
  const first = `msr: ${bad}:29001: Type is neither Read nor Write: "Wrote"`;
  for (let i = 0; i < 5; i++) {
    await assert.rejects(collect(bad, 2), (e: unknown) => e instanceof InputError && e.message === first);
  }
  await assert.rejects(collect(bad, 1), (e: unknown) => e instanceof InputError && e.message === first);
});
