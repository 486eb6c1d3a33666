import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { FIXTURES, runCli, tempDir } from '../helpers.js';

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
