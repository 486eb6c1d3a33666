import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, runCli, tempDir } from '../helpers.js';

// The tiny trace per minute: hostA_0 changes tracks {0, 2, 3, 100}, {0}, {2}; hostA_1 {10, 11},
// {10}, {} (64 KiB tracks). Written: hostA_0 9,728 + 512 + 65,536 = 75,776 B; hostA_1 131,584 B.
const dir = tempDir();
const store = join(dir, 'tiny.db');
const T = 65536;

async function tinyStore(): Promise<string> {
  const r = await runCli('collect', join(FIXTURES, 'tiny.msr.csv'), '--store', store, '--interval', '1m', '--replace');
  assert.equal(r.code, 0, r.stderr);
  return store;
}

interface CycleRow {
  cycleS: number;
  peakChangedBytes: number;
  p95ChangedBytes: number;
  requiredBps: number;
  foldRatio: number;
}

test('cycles: bytes to ship, bandwidth and folding by cycle length', async () => {
  const r = await runCli('cycles', '--store', await tinyStore(), '--max', '3m', '--format', 'json');
  assert.equal(r.code, 0, r.stderr);
  const rows = JSON.parse(r.stdout) as CycleRow[];
  // 1 min: 6, 2, 1 tracks (hostA_0 + hostA_1); p95 of 3 cycles: rank 3, the peak. Shipped 9
  // tracks = 589,824 B against 207,360 B written. 2 min: 0..120 ORs to 6 tracks, 120..180 to 1:
  // shipped 458,752 B. 3 min: one cycle of 6 tracks, 393,216 B.
  assert.deepEqual(
    rows.map((x) => [x.cycleS, x.peakChangedBytes, x.p95ChangedBytes, x.requiredBps]),
    [
      [60, 6 * T, 6 * T, (8 * 6 * T) / 60],
      [120, 6 * T, 6 * T, (8 * 6 * T) / 120],
      [180, 6 * T, 6 * T, (8 * 6 * T) / 180],
    ],
  );
  // 207,360 / 589,824, / 458,752, / 393,216
  assert.deepEqual(
    rows.map((x) => Math.round(x.foldRatio * 1e4) / 1e4),
    [0.3516, 0.452, 0.5273],
  );
  const table = await runCli('cycles', '--store', store, '--max', '2m');
  assert.match(table.stdout, /^1 min +3 +384\.00 KiB +384\.00 KiB +52\.43 kbit\/s +0\.35$/m);
  // Growth 30 % scales the bandwidth: 52,428.8 x 1.3 = 68,157.44 bit/s; excluding hostA_1 leaves
  // hostA_0's 4, 1, 1 tracks: peak 262,144 B, shipped 393,216 B, fold 75,776 / 393,216 = 0.1927.
  const grown = JSON.parse(
    (await runCli('cycles', '--store', store, '--max', '1m', '--growth', '30%', '--format', 'json')).stdout,
  ) as CycleRow[];
  assert.equal(Math.round(grown[0]!.requiredBps * 100) / 100, 68_157.44);
  const ex = await runCli('cycles', '--store', store, '--max', '1m', '--exclude', 'hostA_1', '--format', 'json');
  const exRow = (JSON.parse(ex.stdout) as CycleRow[])[0]!;
  assert.deepEqual([exRow.peakChangedBytes, Math.round(exRow.foldRatio * 1e4) / 1e4], [4 * T, 0.1927]);
  const exTable = await runCli('cycles', '--store', store, '--max', '1m', '--exclude', 'hostA_1', '--growth', '0.3');
  assert.match(exTable.stdout, /growth 30\.0 %, excluded hostA_1\n/);
  assert.equal((await runCli('cycles', '--store', store, '--max', '30s')).code, 2);
});

interface SweepRowJson {
  linkBps: number;
  p50S: number;
  p95S: number;
  p99S: number;
  maxS: number;
  timeOverTargetS: number;
  violations: number;
  monthlyCost: number;
}

test('plan --sweep: RPO, time over target, violations and cost per number of paths', async () => {
  const r = await runCli(
    'plan',
    '--store',
    await tinyStore(),
    '--rpo',
    '90s',
    '--percentile',
    '100',
    '--path',
    '64kbit',
    '--sweep',
    '--price-per-path',
    '100',
    '--format',
    'json',
  );
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as {
    paths: number;
    monthlyCost: number;
    sweep: SweepRowJson[];
    peakBacklogBytes: number;
  };
  assert.equal(out.paths, 2); // 101.48 kbit/s needed (see planning.test.ts)
  assert.equal(out.monthlyCost, 200);
  assert.equal(out.sweep.length, 8); // 1 .. 4 x 2 paths
  // One 64 kbit/s path (8,000 B/s): transmits 49.152, 16.384, 8.192 s; applied at 109.152,
  // 136.384, 188.192: teeth 0..109, 50..76, 17..68 (189 samples). p50 (rank 95): at 53, 54 + 4 + 37.
  // p95 (rank 180): 9 may lie above, 101..109. p99 (rank 188): 108. Over 90 s: 91..109, 19 s, once.
  const pick = (x: SweepRowJson): number[] => [
    x.linkBps,
    x.p50S,
    x.p95S,
    x.p99S,
    x.maxS,
    x.timeOverTargetS,
    x.violations,
    x.monthlyCost,
  ];
  assert.deepEqual(pick(out.sweep[0]!), [64_000, 53, 100, 108, 109, 19, 1, 100]);
  assert.deepEqual(pick(out.sweep[1]!), [128_000, 42, 75, 83, 84, 0, 0, 200]); // the simulate test's figures
  assert.equal(out.sweep[7]!.linkBps, 512_000);
  assert.equal(out.peakBacklogBytes, 8 * T);
  const table = await runCli(
    'plan',
    '--store',
    store,
    '--rpo',
    '90s',
    '--percentile',
    '100',
    '--path',
    '64kbit',
    '--sweep',
  );
  assert.match(table.stdout, /^1 x = 64\.00 kbit\/s +53 s +1 min 40 s +1 min 48 s +1 min 49 s +19 s +1 +512\.00 KiB$/m);
  const bare = await runCli(
    'plan',
    '--store',
    store,
    '--rpo',
    '90s',
    '--percentile',
    '100',
    '--sweep',
    '--format',
    'json',
  );
  const factors = (JSON.parse(bare.stdout) as { sweep: SweepRowJson[] }).sweep.map((x) => x.linkBps / 101_480);
  assert.deepEqual(
    factors.map((f) => Math.round(f * 100) / 100),
    [0.5, 0.75, 1, 1.25, 1.5, 2, 3, 4],
  );
  // needs --path
  assert.equal((await runCli('plan', '--store', store, '--rpo', '90s', '--price-per-path', '5')).code, 2);
});

test('plan --by group: one link per group, their sum, and one shared link', async () => {
  const scope = join(dir, 'groups.yaml');
  writeFileSync(scope, 'volumes:\n  - { name: hostA_0, group: g0 }\n  - { name: hostA_1, group: g1 }\n');
  const r = await runCli(
    'plan',
    '--store',
    await tinyStore(),
    '--scope',
    scope,
    '--rpo',
    '90s',
    '--percentile',
    '100',
    '--path',
    '64kbit',
    '--by',
    'group',
    '--format',
    'json',
  );
  assert.equal(r.code, 0, r.stderr);
  // Max RPO = 59 + ceil(x0), x0 the first cycle's transmit. g0: 4 tracks, x0 = 2,097,152 / B <= 31
  // -> 67.66 kbit/s, 2 paths. g1: 2 tracks, x0 = 1,048,576 / B <= 31 -> 33.83 kbit/s, 1 path.
  // Shared: 6 tracks -> 101.48 kbit/s, 2 paths = 128 kbit/s < 192 kbit/s.
  const out = JSON.parse(r.stdout) as {
    groups: { group: string; requiredBps: number; paths: number }[];
    groupsTotalBps: number;
    shared: object;
  };
  assert.deepEqual(
    out.groups.map((g) => [g.group, g.requiredBps, g.paths]),
    [
      ['g0', 67_660, 2],
      ['g1', 33_830, 1],
    ],
  );
  assert.equal(out.groupsTotalBps, 192_000);
  assert.deepEqual(out.shared, { linkBps: 128_000, paths: 2, sharedNeedsLess: true });
});

test('plan --initial-sync: copy times per volume and batches within the window', async () => {
  const r = await runCli(
    'plan',
    '--store',
    await tinyStore(),
    '--rpo',
    '90s',
    '--percentile',
    '100',
    '--path',
    '155Mbit',
    '--initial-sync',
    '--used',
    '100GiB',
    '--used',
    'hostA_1=1GiB',
    '--sync-window',
    '2h',
    '--format',
    'json',
  );
  assert.equal(r.code, 0, r.stderr);
  interface Sync {
    seconds: number;
    volumes: { name: string; seconds: number }[];
    batches: { volumes: string[]; seconds: number }[];
  }
  const sync = (JSON.parse(r.stdout) as { initialSync: Sync }).initialSync;
  // 100 GiB over 155 Mbit/s: 107,374,182,400 x 8 / 155,000,000 = 5,541.893 s; 1 GiB: 55.419 s;
  // both fit one 2 h batch: 101 GiB in 5,597.312 s.
  const ms = (s: number): number => Math.round(s * 1000) / 1000;
  assert.deepEqual(
    sync.volumes.map((v) => [v.name, ms(v.seconds)]),
    [
      ['hostA_0', 5541.893],
      ['hostA_1', 55.419],
    ],
  );
  assert.equal(ms(sync.seconds), 5597.312);
  assert.deepEqual(
    sync.batches.map((b) => [b.volumes, ms(b.seconds)]),
    [[['hostA_0', 'hostA_1'], 5597.312]],
  );
  const tight = await runCli(
    'plan',
    '--store',
    store,
    '--rpo',
    '90s',
    '--percentile',
    '100',
    '--path',
    '155Mbit',
    '--initial-sync',
    '--used',
    '100GiB',
    '--sync-window',
    '1h',
  );
  assert.match(
    tight.stdout,
    /batch 1: 100\.00 GiB in 1 h 32 min \(LONGER THAN THE WINDOW: one volume alone\): hostA_0\n/,
  );
  const unknown = await runCli('plan', '--store', store, '--rpo', '90s', '--initial-sync');
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /no size known for hostA_0, hostA_1: give --used SIZE/);
});

test('--exclude and --growth on report, plan and simulate, stated in the assumptions line', async () => {
  await tinyStore();
  // hostA_0 alone: {0, 2, 3, 100} over the window = 262,144 B; with 30 % growth over 1 min:
  // 8 x 262,144 x 1.3 / 60 = 45,438.3 bit/s.
  const report = await runCli('report', '--store', store, '--exclude', 'hostA_1', '--growth', '30%', '--resync', '1m');
  assert.equal(report.code, 0, report.stderr);
  assert.match(report.stdout, /^assumptions: growth 30\.0 %, excluded hostA_1$/m);
  assert.match(report.stdout, /^hostA_0 .* 45\.44 kbit\/s$/m);
  assert.doesNotMatch(report.stdout, /hostA_1 /);
  // plan without hostA_1: g0 of the --by group test, 67.66 kbit/s.
  const plan = await runCli('plan', '--store', store, '--exclude', 'hostA_*1', '--rpo', '90s', '--percentile', '100');
  assert.match(plan.stdout, /growth 0\.0 %, excluded hostA_\*1\n/);
  assert.match(plan.stdout, /smallest bandwidth found meeting it: 67\.66 kbit\/s /);
  // simulate without hostA_0: hostA_1's 2 tracks then 1, at 2 x 64 kbit/s: applied at 60 + 8.192
  // and 120 + 4.096; max RPO 68 (at 68 s, consistent as of 0).
  const sim = await runCli(
    'simulate',
    '--store',
    store,
    '--exclude',
    'hostA_0',
    '--link',
    '2x64kbit',
    '--format',
    'json',
  );
  const out = JSON.parse(sim.stdout) as { rpo: { maxS: number }; excluded: string[] };
  assert.deepEqual([out.rpo.maxS, out.excluded], [68, ['hostA_0']]);
});
