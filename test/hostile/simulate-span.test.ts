import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir } from '../helpers.js';
import { runChild } from '../support/child.js';

// Issue 9.3: two legal MSR records 19 years apart (2007-02-22T17:00Z and 2026-01-05T00:00Z), one
// 64 KiB track each. The simulator and the planner once allocated per second of the span (a
// Float64Array of 595 million seconds: 4.8 GB); now the gap is one folded run of empty cycles.
const dir = tempDir();
const store = join(dir, 'far.db');
const t1 = 1_172_163_600; // 128166372000000000 FILETIME ticks / 1e7 − 11,644,473,600
const t2 = 1_767_571_200;

async function farStore(): Promise<void> {
  const trace = join(dir, 'far.csv');
  writeFileSync(trace, '128166372000000000,hm,0,Write,4096,8192,100\n134120448000000000,hm,0,Write,4096,4096,100\n');
  const r = await runCli('collect', trace, '--store', store, '--interval', '1m', '--format', 'msr', '--replace');
  assert.equal(r.code, 0, r.stderr);
}

test('simulate over two records 19 years apart: exact percentiles in bounded time and memory', async () => {
  await farStore();
  const r = await runChild(['simulate', '--store', store, '--link', '1Mbit', '--format', 'json'], {
    maxOldSpaceMiB: 256,
    timeoutMs: 60_000,
  });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.maxRssKiB !== null && r.maxRssKiB < 200 * 1024, `peak RSS ${r.maxRssKiB} KiB`);
  const out = JSON.parse(r.stdout) as {
    rpo: object;
    idleCycles: number;
    cycles: unknown[];
    samples: { startS: number; endS: number };
  };
  // Each track (65,536 B) takes 0.524288 s at 1 Mbit/s. Samples run from t1 to t2 + 61 (the last
  // change is applied at t2 + 60.52): N = 595,407,661. Teeth: 0..60 (the first cycle, applied at
  // t1 + 60.52), 1..59 (until the first empty cycle's switch at t1 + 120), 9,923,458 folded teeth
  // 0..59 (the empty cycles up to t2), 0..60 (the last). p50: rank 297,703,831; samples <= v:
  // 9,923,458 (v + 1) + 3 v + 2: 297,703,829 at 29, more at 30. p95: rank 565,637,278 (29,770,383
  // may lie above): above 56 are 3 x 9,923,458 + 11 = 29,770,385, above 57 fewer. p99: 59. Max 60.
  assert.deepEqual(out.rpo, { p50S: 30, p95S: 57, p99S: 59, maxS: 60 });
  assert.deepEqual(out.samples, { startS: t1, endS: t2 + 61 });
  assert.equal(out.cycles.length, 2);
  assert.equal(out.idleCycles, (t2 - t1) / 60 - 1); // 9,923,459 empty cycles folded
});

test('plan over two records 19 years apart: hand-computed, in bounded time and memory', async () => {
  await farStore();
  const r = await runChild(['plan', '--store', store, '--rpo', '5m', '--percentile', '100', '--format', 'json'], {
    maxOldSpaceMiB: 256,
    timeoutMs: 60_000,
  });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.maxRssKiB !== null && r.maxRssKiB < 200 * 1024, `peak RSS ${r.maxRssKiB} KiB`);
  // Max RPO = 59 + ceil(x), x = 524,288 / B the transmit of one track: <= 300 -> x <= 241 ->
  // B >= 2,175.5 bit/s, printed 2.18 kbit/s (2.17 kbit/s: x = 241.6, max 301).
  const plan = JSON.parse(r.stdout) as { requiredBps: number; achievedRpoS: number };
  assert.deepEqual([plan.requiredBps, plan.achievedRpoS], [2180, 300]);
});

test('cycles over two records 19 years apart: empty cycles counted, never visited', async () => {
  await farStore();
  const r = await runChild(['cycles', '--store', store, '--max', '2m', '--format', 'json'], {
    maxOldSpaceMiB: 256,
    timeoutMs: 60_000,
  });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.maxRssKiB !== null && r.maxRssKiB < 200 * 1024, `peak RSS ${r.maxRssKiB} KiB`);
  // The window t1 .. t2 + 60 holds 595,407,660 s: 9,923,461 one-minute cycles, ceil(4,961,730.5)
  // two-minute ones; two of them carry one track each, so p95 is 0 and the peak one track.
  const rows = JSON.parse(r.stdout) as {
    cycleS: number;
    cycles: number;
    activeCycles: number;
    peakChangedBytes: number;
    p95ChangedBytes: number;
  }[];
  assert.deepEqual(
    rows.map((x) => [x.cycleS, x.cycles, x.activeCycles, x.peakChangedBytes, x.p95ChangedBytes]),
    [
      [60, 9_923_461, 2, 65_536, 0],
      [120, 4_961_731, 2, 65_536, 0],
    ],
  );
});
