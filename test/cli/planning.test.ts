import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { FIXTURES, runCli, tempDir } from '../helpers.js';

const dir = tempDir();
const store = join(dir, 'tiny.db');

async function tinyStore(): Promise<string> {
  const r = await runCli('collect', join(FIXTURES, 'tiny.msr.csv'), '--store', store, '--interval', '1m', '--replace');
  assert.equal(r.code, 0, r.stderr);
  return store;
}

// The tiny trace per minute: 6 tracks (393,216 B), 2 tracks, 1 track. At 2 x 64 kbit/s
// (16,000 B/s) the cycles apply at 84.576 s, 128.192 s and 184.096 s.
test('simulate: hand-computed cycles and RPO percentiles for the tiny trace', async () => {
  const r = await runCli('simulate', '--store', await tinyStore(), '--link', '2x64kbit', '--format', 'json');
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { rpo: object; cycles: { switchS: number; appliedS: number; changedBytes: number }[]; rpoPerInterval: object[]; unbounded: boolean };
  assert.deepEqual(out.cycles.map((c) => [c.switchS - 1767571200, Math.round((c.appliedS - 1767571200) * 1000) / 1000, c.changedBytes]), [[60, 84.576, 393216], [120, 128.192, 131072], [180, 184.096, 65536]]);
  assert.deepEqual(out.rpo, { p50S: 41, p95S: 75, p99S: 83, maxS: 84 });
  assert.deepEqual(out.rpoPerInterval, [{ startS: 1767571200, maxRpoS: 59 }, { startS: 1767571260, maxRpoS: 84 }, { startS: 1767571320, maxRpoS: 68 }]);
  assert.equal(out.unbounded, false);
  const table = await runCli('simulate', '--store', store, '--link', '2x64kbit', '--target', '1m');
  assert.match(table.stdout, /RPO: p50 41 s, p95 1 min 15 s, p99 1 min 23 s, max 1 min 24 s\n/);
  assert.match(table.stdout, /longest time above the 1 min target: 24 s\n/);
});

test('simulate: an outage is reported with its changes and the resync', async () => {
  const r = await runCli('simulate', '--store', await tinyStore(), '--link', '2x64kbit', '--outage', '2026-01-05T00:01:00Z/30s', '--format', 'json');
  const out = JSON.parse(r.stdout) as { outages: { changedBytes: number; resyncSeconds: number }[]; cycles: { appliedS: number }[] };
  // The first cycle transmits 60..84.576 s, but the link is down 60..90 s: 90 + 24.576.
  assert.equal(Math.round((out.cycles[0]!.appliedS - 1767571200) * 1000) / 1000, 114.576);
  assert.equal(out.outages[0]!.changedBytes, 131072); // interval 1's two tracks
  assert.equal(Math.round(out.outages[0]!.resyncSeconds * 1000) / 1000, 38.192); // applied at 128.192 s
});

test('report --models: synchronous at the peak second, async per cycle, periodic per period', async () => {
  const r = await runCli('report', '--store', await tinyStore(), '--models', '--format', 'json');
  const rows = JSON.parse(r.stdout) as { model: string; spanS: number; peakBytes: number; totalBytes: number; requiredBandwidthBps: number }[];
  assert.deepEqual(rows.map((m) => [m.model, m.spanS, m.peakBytes, m.totalBytes, m.requiredBandwidthBps]), [
    ['synchronous', 1, 131072, 207360, 1048576],
    ['asynchronous', 60, 393216, 589824, 52428.8],
    ['periodic', 3600, 393216, 393216, (8 * 393216) / 3600],
  ]);
});

test('plan: the chosen link meets the target; impossible targets are refused', async () => {
  const r = await runCli('plan', '--store', await tinyStore(), '--rpo', '90s', '--percentile', '100', '--path', '64kbit', '--format', 'json');
  assert.equal(r.code, 0, r.stderr);
  const plan = JSON.parse(r.stdout) as { requiredBps: number; paths: number; linkBps: number; achievedRpoS: number; marginS: number };
  assert.ok(plan.achievedRpoS <= 90);
  assert.equal(plan.paths, Math.ceil(plan.requiredBps / 64000));
  assert.equal(plan.linkBps, plan.paths * 64000);
  assert.equal(plan.marginS, 90 - plan.achievedRpoS);
  const table = await runCli('plan', '--store', store, '--rpo', '90s', '--percentile', '100', '--path', '64kbit');
  assert.match(table.stdout, new RegExp(`buy ${plan.paths} paths of 64\\.00 kbit/s`));
  const impossible = await runCli('plan', '--store', store, '--rpo', '30s');
  assert.equal(impossible.code, 2);
  assert.match(impossible.stderr, /cannot be met with 60 s cycles/);
  assert.equal((await runCli('simulate', '--store', store)).code, 2);
});
