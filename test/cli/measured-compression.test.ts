import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { serializeRoaring } from '../../src/bitmap/roaring.js';
import { linkParamsOrMeasured, measuredLink } from '../../src/cli/measured-compression.js';
import { cellSourceFor } from '../../src/cli/store-access.js';
import { EMPTY_SCOPE } from '../../src/scope/scope.js';
import { UsageError } from '../../src/errors.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { FIXTURES, runCli, tempDir } from '../helpers.js';

const row = (volume: string, startS: number, tracks: number[]) => ({
  volume,
  startS,
  writes: tracks.length,
  writeBytes: tracks.length * 65_536,
  reads: 0,
  readBytes: 0,
  changedTracks: tracks.length,
  bitmap: serializeRoaring(Uint32Array.from(tracks)),
  writeProfile: new Uint8Array(),
});

test('--compression measured: flags', () => {
  assert.deepEqual(linkParamsOrMeasured({ compression: 'measured' }), {
    params: { overhead: 0, compression: 1, efficiency: 1 },
    measured: true,
  });
  assert.equal(linkParamsOrMeasured({ compression: 'measured', 'compression-default': '2:1' }).params.compression, 2);
  assert.deepEqual(linkParamsOrMeasured({ compression: '3' }), {
    params: { overhead: 0, compression: 3, efficiency: 1 },
    measured: false,
  });
  assert.throws(
    () => linkParamsOrMeasured({ 'compression-default': '2' }),
    (e: unknown) => e instanceof UsageError && /goes with --compression measured/.test(e.message),
  );
});

test('--compression measured: the effective ratio and per-volume summaries from a real store', async () => {
  // The store of storeWithSamples (below): h/a@0 4:1, h/b@0 2:1, h/a@60 without a sample.
  const store = new SqliteStore(await storeWithSamples());
  try {
    const source = await cellSourceFor(store, EMPTY_SCOPE, null);
    const settings = { intervalS: 60, trackBytes: 65_536 };
    const m = await measuredLink(store, source, settings, null, { overhead: 0.1, compression: 1, efficiency: 0.9 });
    // Hand-computed: h/a@0 4 tracks at 4:1 -> 1; h/a@60 2 tracks, no sample, 1:1 -> 2; h/b@0 1 track at 2:1 -> 0.5.
    // Every changed track of the measured intervals was sampled: the range is the ratio itself.
    assert.deepEqual(m.effective, {
      ratio: 7 / 3.5,
      confidence: { level: 0.95, ratioLow: 2, ratioHigh: 2 },
      measuredIntervals: 2,
      fallbackIntervals: 1,
    });
    assert.deepEqual(m.params, { overhead: 0.1, compression: 2, efficiency: 0.9 });
    assert.deepEqual(Object.fromEntries(m.perVolume), {
      'h/a': {
        ratio: 6 / 3,
        confidence: { level: 0.95, ratioLow: 2, ratioHigh: 2 },
        zeroShare: 0.5,
        dedupShare: 0.25,
        tracksSampled: 4,
      },
      'h/b': {
        ratio: 2,
        confidence: { level: 0.95, ratioLow: 2, ratioHigh: 2 },
        zeroShare: 0,
        dedupShare: 0,
        tracksSampled: 1,
      },
    });
    assert.equal(m.ratioAt('h/a', 60), 1);
    assert.equal(
      m.assumption,
      'compression measured (deflate level 1 on sampled changed tracks): 2:1 effective ' +
        '(every changed track of the measured intervals sampled); 2 intervals measured, 1 without samples at 1:1',
    );
  } finally {
    await store.close();
  }
});

/** A store with three (volume, interval)s and samples of two: h/a@0 4:1, h/b@0 2:1, h/a@60 none. */
async function storeWithSamples(): Promise<string> {
  const db = join(tempDir(), 'measured-cli.db');
  const store = new SqliteStore(db);
  try {
    await store.useSettings({ intervalS: 60, trackBytes: 65_536 });
    const run = await store.beginRun('h', [], true);
    await store.writeIntervals(run, [row('h/a', 0, [1, 2, 3, 4]), row('h/a', 60, [5, 6]), row('h/b', 0, [7])]);
    await store.writeCompressionSamples([
      {
        runId: run,
        volume: 'h/a',
        startS: 0,
        tracksSampled: 4,
        rawBytes: 4 * 65_536,
        compressedBytes: 65_536,
        zeroTracks: 2,
        dupTracks: 1,
      },
      {
        runId: run,
        volume: 'h/b',
        startS: 0,
        tracksSampled: 1,
        rawBytes: 65_536,
        compressedBytes: 32_768,
        zeroTracks: 0,
        dupTracks: 0,
      },
    ]);
  } finally {
    await store.close();
  }
  return db;
}

test('report --compression measured: each volume sized with its measured ratio, JSON measuredCompression', async () => {
  const db = await storeWithSamples();
  const r = await runCli('report', '--store', db, '--compression', 'measured', '--resync', '1m', '--format', 'json');
  assert.equal(r.code, 0, r.stderr);
  const rows = JSON.parse(r.stdout) as Record<string, unknown>[];
  const C = { level: 0.95, ratioLow: 2, ratioHigh: 2 };
  // h/a: 6 changed tracks (393,216 B) at 6 / (1 + 2) = 2:1 -> 196,608 B in 60 s; h/b: 1 track at 2:1.
  assert.deepEqual(
    rows.map((x) => [x.volume, x.requiredBandwidthBps, x.measuredCompression]),
    [
      ['h/a', (8 * 196_608) / 60, { ratio: 2, confidence: C, zeroShare: 0.5, dedupShare: 0.25, tracksSampled: 4 }],
      ['h/b', (8 * 32_768) / 60, { ratio: 2, confidence: C, zeroShare: 0, dedupShare: 0, tracksSampled: 1 }],
    ],
  );
  const table = await runCli('report', '--store', db, '--compression', 'measured', '--compression-default', '1.5');
  assert.equal(table.code, 0, table.stderr);
  // The effective ratio with h/a@60 at 1.5:1: 7 tracks over 1 + 2 / 1.5 + 0.5 = 2.8333 sent.
  const line =
    'compression measured (deflate level 1 on sampled changed tracks): 2.47:1 effective ' +
    '(every changed track of the measured intervals sampled); 2 intervals measured, 1 without samples at 1.5:1\n';
  assert.ok(table.stdout.endsWith(line), table.stdout);
  const plainRun = await runCli('report', '--store', db, '--resync', '1m', '--format', 'json');
  const plain = JSON.parse(plainRun.stdout) as Record<string, unknown>[];
  assert.deepEqual(
    plain.map((x) => [x.requiredBandwidthBps, 'measuredCompression' in x]),
    [
      [(8 * 393_216) / 60, false],
      [(8 * 65_536) / 60, false],
    ],
  );
  const bad = await runCli('report', '--store', db, '--compression-default', '2');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--compression-default goes with --compression measured/);
});

test('simulate and plan --compression measured: the effective ratio in params, per-volume JSON', async () => {
  const db = await storeWithSamples();
  const sim = await runCli(
    'simulate',
    '--store',
    db,
    '--compression',
    'measured',
    '--link',
    '1x1Mbit',
    '--format',
    'json',
  );
  assert.equal(sim.code, 0, sim.stderr);
  const s = JSON.parse(sim.stdout) as {
    params: { compression: number };
    measuredCompression: Record<string, unknown>;
    intervalsWithoutSamples: number;
  };
  assert.equal(s.params.compression, 7 / 3.5); // 7 changed tracks, 1 + 2 + 0.5 sent
  assert.deepEqual(Object.keys(s.measuredCompression), ['h/a', 'h/b']);
  assert.equal(s.intervalsWithoutSamples, 1);
  const plan = await runCli(
    'plan',
    '--store',
    db,
    '--compression',
    'measured',
    '--rpo',
    '1m',
    '--percentile',
    '50',
    '--format',
    'json',
  );
  assert.equal(plan.code, 0, plan.stderr);
  const planned = JSON.parse(plan.stdout) as { measuredCompression: unknown };
  assert.deepEqual(planned.measuredCompression, s.measuredCompression);
});

test('--compression measured on a store collected from files (no samples table, opened read-only): all fallbacks', async () => {
  const db = join(tempDir(), 'files-only.db');
  const collected = await runCli('collect', join(FIXTURES, 'tiny.msr.csv'), '--store', db, '--interval', '1m');
  assert.equal(collected.code, 0, collected.stderr);
  for (const args of [['report'], ['report', '--models'], ['simulate', '--link', '1xT1'], ['plan', '--rpo', '1m']]) {
    const r = await runCli(...args, '--store', db, '--compression', 'measured');
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    // tiny.msr.csv changes tracks in 5 (volume, interval)s (test/fixtures/expected.json), none sampled.
    const line =
      'compression measured (deflate level 1 on sampled changed tracks): 1:1 effective; ' +
      '0 intervals measured, 5 without samples at 1:1';
    assert.ok(r.stdout.includes(line), `${args.join(' ')}: ${r.stdout}`);
  }
});
