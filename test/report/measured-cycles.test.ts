import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { serializeRoaring } from '../../src/bitmap/roaring.js';
import { storeCellSource } from '../../src/report/cells.js';
import { MeasuredCompression } from '../../src/report/measured-compression.js';
import { simulate } from '../../src/report/simulate.js';
import { openChanges } from '../../src/report/streamed-changes.js';
import { PostgresStore } from '../../src/store/postgres.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';
import { cleanUp } from '../support/cleanup.js';
import { freshDatabase, postgresUnavailable } from '../support/postgres.js';
import { runCli, tempDir } from '../helpers.js';

const T = 65_536;
const settings = { intervalS: 60, trackBytes: T };
const missing = await postgresUnavailable();
after(cleanUp);

const row = (volume: string, startS: number, tracks: number[]) => ({
  volume,
  startS,
  writes: tracks.length,
  writeBytes: tracks.length * T,
  reads: 0,
  readBytes: 0,
  changedTracks: tracks.length,
  bitmap: serializeRoaring(Uint32Array.from(tracks)),
  writeProfile: new Uint8Array(),
});

/**
 * a@0 {1,2,3,4} sampled 4:1, a@60 {3,4,5,6} no sample, b@0 {7} sampled 2:1, b@60 {8} no sample.
 * One 2-minute cycle ORs a to {1..6} (6 tracks) and b to {7, 8} (2 tracks). Each volume's tracks
 * are divided by the changed-track-weighted harmonic mean of its intervals' ratios:
 *   a: 6 × (4/4 + 4/d) / 8,  b: 2 × (1/2 + 1/d) / 2   (d: the default ratio).
 * d = 1: a 3.75, b 1.5: 5.25 tracks = 344,064 bytes sent of 8 tracks = 524,288 changed.
 * d = 2: a 2.25, b 1: 3.25 tracks = 212,992 bytes.
 * 1-minute cycles, d = 1: [0, 60) a 4/4 + b 1/2 = 1.5 tracks (98,304 B); [60, 120) 4 + 1 = 5 (327,680 B).
 * One ratio over the window (the former way) gives 8 / (10 / 6.5) = 5.2 tracks instead of 5.25.
 */
async function fill(store: Store): Promise<void> {
  await store.useSettings(settings);
  const run = await store.beginRun('h', [], true);
  await store.writeIntervals(run, [
    row('a', 0, [1, 2, 3, 4]),
    row('a', 60, [3, 4, 5, 6]),
    row('b', 0, [7]),
    row('b', 60, [8]),
  ]);
  await store.writeCompressionSamples([
    {
      runId: run,
      volume: 'a',
      startS: 0,
      tracksSampled: 4,
      rawBytes: 4 * T,
      compressedBytes: T,
      zeroTracks: 0,
      dupTracks: 0,
    },
    {
      runId: run,
      volume: 'b',
      startS: 0,
      tracksSampled: 1,
      rawBytes: T,
      compressedBytes: T / 2,
      zeroTracks: 0,
      dupTracks: 0,
    },
  ]);
}

async function wirePerCycle(store: Store, cycleS: number, defaultRatio: number): Promise<number[][]> {
  const measured = new MeasuredCompression(await store.readCompressionSamples({ fromS: 0, toS: 120 }), defaultRatio);
  const source = await storeCellSource(store, () => true);
  const changes = await openChanges(source, settings, null, (v, s) => measured.ratioAt(v, s));
  try {
    const params = { overhead: 0, compression: 9, efficiency: 1 }; // the per-interval ratios replace 9:1
    const r = await simulate(changes, { cycleS, linkBps: 1e9, params, outages: [], targetS: null });
    return r.cycles.map((c) => [c.captureStartS, c.changedBytes, c.wireBytes]);
  } finally {
    await changes.close();
  }
}

async function checkStore(store: Store): Promise<void> {
  await fill(store);
  assert.deepEqual(await wirePerCycle(store, 120, 1), [[0, 8 * T, 344_064]]);
  assert.deepEqual(await wirePerCycle(store, 120, 2), [[0, 8 * T, 212_992]]);
  assert.deepEqual(await wirePerCycle(store, 60, 1), [
    [0, 5 * T, 98_304],
    [60, 5 * T, 327_680],
  ]);
}

test('measured compression per cycle: each volume at the weighted ratio of its intervals (SQLite)', async () => {
  const store = new SqliteStore(join(tempDir(), 'measured-cycles.db'));
  try {
    await checkStore(store);
  } finally {
    await store.close();
  }
});

test('measured compression per cycle: the same on PostgreSQL', { skip: missing }, async () => {
  const store = await PostgresStore.open(await freshDatabase('measured_cycles'));
  try {
    await checkStore(store);
  } finally {
    await store.close();
  }
});

test('simulate and plan --compression measured ship each cycle at its own ratio', async () => {
  const db = join(tempDir(), 'measured-cycles-cli.db');
  const store = new SqliteStore(db);
  try {
    await fill(store);
  } finally {
    await store.close();
  }
  const sim = await runCli(
    'simulate',
    '--store',
    db,
    '--compression',
    'measured',
    '--cycle',
    '2m',
    '--link',
    '1x1Mbit',
    '--format',
    'json',
  );
  assert.equal(sim.code, 0, sim.stderr);
  const s = JSON.parse(sim.stdout) as {
    cycles: { wireBytes: number; changedBytes: number }[];
    intervalsWithoutSamples: number;
  };
  assert.deepEqual(
    s.cycles.map((c) => [c.changedBytes, c.wireBytes]),
    [[8 * T, 344_064]],
  );
  assert.equal(s.intervalsWithoutSamples, 2);
  const withDefault = await runCli(
    'simulate',
    '--store',
    db,
    '--compression',
    'measured',
    '--compression-default',
    '2',
    '--cycle',
    '2m',
    '--link',
    '1x1Mbit',
    '--format',
    'json',
  );
  assert.deepEqual(
    (JSON.parse(withDefault.stdout) as typeof s).cycles.map((c) => c.wireBytes),
    [212_992],
  );
  // plan, 1-minute cycles, maximum RPO at most 2 minutes over [0, 300): cycle [60, 120) ships 4 + 1 = 5
  // tracks (327,680 B), sent from its switch at 120 s in x s; until then the copy is as of 60 s, so
  // RPO reaches ceil(120 + x) − 1 − 60 <= 120: x <= 61, 8 × 327,680 / 61 = 42,974.4 bit/s, printed
  // 42.98 kbit/s (42.97: x = 61.006, RPO 121), achieving 120 s. One ratio over the window would ship
  // 5 × 65,536 / (10 / 6.5) = 212,992 B: 27.94 kbit/s.
  const plan = await runCli(
    'plan',
    '--store',
    db,
    '--compression',
    'measured',
    '--rpo',
    '2m',
    '--percentile',
    '100',
    '--window',
    '1970-01-01T00:00Z/5m',
    '--format',
    'json',
  );
  assert.equal(plan.code, 0, plan.stderr);
  const p = JSON.parse(plan.stdout) as { requiredBps: number; achievedRpoS: number };
  assert.deepEqual([p.requiredBps, p.achievedRpoS], [42_980, 120]);
});
