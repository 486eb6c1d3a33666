import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { FIXTURES, runCli, tempDir } from '../helpers.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { serializeRoaring } from '../../src/bitmap/roaring.js';
import { encodeProfile } from '../../src/store/write-profile.js';

test("runs shows the time range each run's intervals cover (table and JSON)", async () => {
  const store = join(tempDir(), 'r.db');
  // tiny.msr.csv: writes from 2026-01-05T00:00:00Z into the third minute: 1 min intervals 00:00 .. 00:03.
  assert.equal((await runCli('collect', join(FIXTURES, 'tiny.msr.csv'), '--store', store, '--interval', '1m')).code, 0);
  const table = await runCli('runs', '--store', store);
  assert.equal(table.code, 0, table.stderr);
  const [header, , row] = table.stdout.split('\n').slice(2);
  assert.match(header!, /started \(UTC\) +intervals from \(UTC\) +to \(UTC\) +records/);
  assert.match(row!, / 2026-01-05T00:00:00Z {2}2026-01-05T00:03:00Z +\d/);
  const json = JSON.parse((await runCli('runs', '--store', store, '--json')).stdout) as {
    runs: { fromS: number | null; toS: number | null }[];
  };
  const t0 = Date.UTC(2026, 0, 5) / 1000;
  assert.deepEqual(
    json.runs.map((r) => [r.fromS, r.toS]),
    [[t0, t0 + 180]],
  );
});

test('runs: a live run (or one stopped while live) shows - for records and skipped, counted only at the end', async () => {
  const store = join(tempDir(), 'live.db');
  const s = new SqliteStore(store);
  await s.useSettings({ intervalS: 60, trackBytes: 65536 });
  const run = await s.beginRun('h', [], true);
  // Three closed intervals committed by the live run, which then stops without finishing (killed).
  await s.writeIntervals(
    run,
    [0, 60, 120].map((startS) => ({
      volume: 'v',
      startS,
      writes: 100,
      writeBytes: 409_600,
      reads: 0,
      readBytes: 0,
      changedTracks: 1,
      bitmap: serializeRoaring(Uint32Array.of(7)),
      writeProfile: encodeProfile(Float64Array.of(409_600)),
    })),
  );
  await s.close();
  const table = await runCli('runs', '--store', store);
  assert.equal(table.code, 0, table.stderr);
  const row = table.stdout.split('\n')[4]!;
  assert.deepEqual(row.trim().split(/ {2,}/).slice(0, 2), ['1', 'live']);
  assert.match(row, / 1970-01-01T00:00:00Z {2}1970-01-01T00:03:00Z +- +-$/);
});
