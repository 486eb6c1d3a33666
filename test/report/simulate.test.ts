import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serializeRoaring } from '../../src/bitmap/roaring.js';
import { encodeProfile } from '../../src/store/write-profile.js';
import { cellsFromRows } from '../../src/report/cells.js';
import { Timeline } from '../../src/report/timeline.js';
import { rpoAtPercentileS, simulate, transmitEnd, type SimulationResult } from '../../src/report/simulate.js';
import { planLink } from '../../src/report/plan.js';
import { compareModels, slidingSums } from '../../src/report/models.js';
import type { IntervalRow } from '../../src/store/store.js';

const T = 65536;
const I = 60;
const params = { overhead: 0, compression: 1, efficiency: 1 };

/** A timeline where interval i changes `tracks[i]` new, distinct tracks (never rewritten). */
function timeline(tracks: number[], profile: (i: number) => Float64Array = () => new Float64Array(I)): Timeline {
  let next = 0;
  const rows: IntervalRow[] = tracks.map((n, i) => {
    const list = Uint32Array.from({ length: n }, () => next++);
    return {
      volume: 'v',
      startS: i * I,
      writes: n,
      writeBytes: n * T,
      reads: 0,
      readBytes: 0,
      changedTracks: n,
      bitmap: serializeRoaring(list),
      writeProfile: encodeProfile(profile(i)),
    };
  });
  return new Timeline(
    cellsFromRows(rows, () => true),
    I,
    T,
    0,
    tracks.length * I,
  );
}

// 150 tracks = 9,830,400 B; at 2,621,440 bit/s (327,680 B/s) that is a 30 s transmit.
const LINK_30S = 2_621_440;

test('transmit pauses through outages', async () => {
  assert.equal(transmitEnd(0, 100, 10, [{ fromS: 5, toS: 15 }]), 20);
  assert.equal(transmitEnd(0, 100, 10, [{ fromS: 50, toS: 60 }]), 10);
  assert.equal(
    transmitEnd(7, 100, 10, [
      { fromS: 0, toS: 10 },
      { fromS: 12, toS: 13 },
    ]),
    21,
  );
});

/**
 * RPO at whole second t, computed from the cycles alone (independent of the simulator's sawtooth):
 * t − the newest switch among the cycles applied by t, or the window start.
 */
function rpoFromCycles(r: SimulationResult, t: number): number {
  let consistentS = r.startS;
  for (const c of r.cycles) if (c.appliedS <= t && c.switchS > consistentS) consistentS = c.switchS;
  return t - consistentS;
}

test('constant load: a steady sawtooth, counted until the last change is applied', async () => {
  const r = await simulate(timeline(Array(10).fill(150)), {
    cycleS: 60,
    linkBps: LINK_30S,
    params,
    outages: [],
    targetS: 60,
  });
  assert.equal(r.cycles.length, 10);
  assert.deepEqual(
    r.cycles.slice(0, 3).map((c) => [c.captureStartS, c.switchS, c.appliedS, c.changedBytes]),
    [
      [0, 60, 90, 9_830_400],
      [60, 120, 150, 9_830_400],
      [120, 180, 210, 9_830_400],
    ],
  );
  assert.equal(r.elongatedCycles, 0);
  // The last cycle (540..600) is applied at 630: seconds 0..629 count (630 samples): 0..89 until
  // the first apply at 90, then nine teeth 30..89. Samples <= x (30 <= x <= 89): (x + 1) + 9 (x − 29)
  // = 10 x − 260. p50: rank 315 -> x = 58 (57 gives 310); p95: rank ceil(598.5) = 599 -> x = 86;
  // p99: rank ceil(623.7) = 624 -> x = 89 (88 gives 620).
  assert.equal(r.samplesEndS, 630);
  assert.deepEqual(
    [89, 90, 149, 150, 629].map((t) => rpoFromCycles(r, t)),
    [89, 30, 89, 30, 89],
  );
  assert.deepEqual(r.rpoTeeth.slice(0, 2), [
    { startS: 0, count: 90, firstRpoS: 0, repeats: 1, periodS: 90 },
    { startS: 90, count: 60, firstRpoS: 30, repeats: 1, periodS: 60 },
  ]);
  assert.deepEqual(r.rpo, { p50S: 58, p95S: 86, p99S: 89, maxS: 89 });
  assert.equal(rpoAtPercentileS(r, 50), 58);
  assert.equal(rpoAtPercentileS(r, 0.1), 0); // rank ceil(0.63) = 1: the smallest sample
  assert.equal(rpoAtPercentileS(r, 90), 83); // rank 567: 10 x − 260 >= 567 -> x = 82.7 -> 83
  // Above 60: 61..89 in each of the 10 teeth: 29 s each, 10 separate stretches.
  assert.equal(r.longestAboveTargetS, 29);
  assert.equal(r.secondsAboveTargetS, 290);
  assert.equal(r.violations, 10);
  assert.equal(r.unbounded, false);
  // Backlog: while a cycle (150 tracks) is in flight the next has captured its interval (150),
  // counted by whole intervals: 300 x 65,536 = 19,660,800 B.
  assert.equal(r.peakBacklogBytes, 19_660_800);
  assert.equal(r.cycles[9]!.backlogBytes, 150 * T); // the last: nothing captured after the window
});

test('defect 4: changes still in flight at the window end count until applied', async () => {
  // One interval of 150 tracks at 524,288 bit/s (65,536 B/s): 9,830,400 B take 150 s, so the
  // cycle switched at 60 is applied at 210.
  const r = await simulate(timeline([150]), { cycleS: 60, linkBps: 524_288, params, outages: [], targetS: null });
  assert.deepEqual(
    r.cycles.map((c) => [c.switchS, c.appliedS]),
    [[60, 210]],
  );
  // The window is 0..60, but RPO grows on until 210: 210 samples 0..209.
  assert.equal(r.samplesEndS, 210);
  assert.equal(r.drainedS, 210);
  assert.equal(r.rpo.maxS, 209);
  assert.equal(r.rpo.p50S, 104); // rank 105 of 0..209
  // 150 tracks need 8 x 9,830,400 / 60 = 1.31 Mbit/s on average, more than the link, but nothing
  // elongated: the link is not falling behind, the changes simply end.
  assert.equal(r.unbounded, false);
});

test('a burst larger than a cycle elongates the next cycle, then RPO recovers', async () => {
  const r = await simulate(timeline([150, 150, 600, 150, 150, 150, 150, 150]), {
    cycleS: 60,
    linkBps: LINK_30S,
    params,
    outages: [],
    targetS: null,
  });
  assert.deepEqual(
    r.cycles.map((c) => [c.captureStartS, c.switchS, c.appliedS, c.elongated]),
    [
      [0, 60, 90, false],
      [60, 120, 150, false],
      [120, 180, 300, false], // 600 tracks: 120 s
      [180, 300, 360, true], // waited for the burst's transmit: captured two intervals
      [300, 360, 390, false],
      [360, 420, 450, false],
      [420, 480, 510, false],
    ],
  );
  assert.equal(r.rpo.maxS, 179); // at 299: consistent as of 120 until the burst lands at 300
  assert.deepEqual([rpoFromCycles(r, 299), rpoFromCycles(r, 300)], [179, 120]);
  assert.equal(r.elongatedCycles, 1);
  assert.equal(r.unbounded, false);
  // Backlog peak: the burst (600 tracks) in flight 180..300 while the next cycle captured 180..300
  // (two intervals, 300 tracks): 900 x 65,536 B.
  assert.equal(r.peakBacklogBytes, 900 * T);
});

test('defect 3: a burst in the last cycles on a link that carries the average is not unbounded', async () => {
  // 10 tracks per interval, except 600 in intervals 6..12; 5 tracks/s (30 s per 150). Cycles:
  // 360..420 ships 600 (120 s, applied 540); 420..540 ships 1,200 (240 s, applied 780); 540..780
  // ships 2,400 (480 s, applied 1,260); 780..1,260 ships 80 (16 s, applied 1,276). The last three
  // are elongated and growing (120, 240, 480 s) — read as "unbounded" before — but the changes
  // need 8 x 4,340 x 65,536 / 1,260 = 1,805,881 bit/s on average and the link carries 2,621,440.
  const tracks = Array.from({ length: 21 }, (_, i) => (i >= 6 && i <= 12 ? 600 : 10));
  const r = await simulate(timeline(tracks), { cycleS: 60, linkBps: LINK_30S, params, outages: [], targetS: null });
  assert.deepEqual(
    r.cycles.slice(-4).map((c) => [c.captureStartS, c.switchS, c.appliedS]),
    [
      [360, 420, 540],
      [420, 540, 780],
      [540, 780, 1260],
      [780, 1260, 1276],
    ],
  );
  assert.equal(Math.round(r.neededBps), 1_805_881);
  assert.equal(r.drainedS, 1276);
  assert.equal(r.unbounded, false);
});

test('a link slower than the changes: RPO grows without bound, reported, not hung', async () => {
  const r = await simulate(timeline(Array(20).fill(150)), {
    cycleS: 60,
    linkBps: LINK_30S / 4,
    params,
    outages: [],
    targetS: null,
  });
  assert.deepEqual(
    r.cycles.map((c) => [c.captureStartS, c.switchS, c.appliedS]),
    [
      [0, 60, 180],
      [60, 180, 420],
      [180, 420, 900],
      [420, 900, 1860],
      [900, 1860, 2460],
    ],
  );
  assert.equal(r.unbounded, true);
  // Counted until the drain at 2460; the cycle switched at 900 is applied at 1860, so 1860..2459 is
  // consistent as of 900: the largest RPO is 2459 − 900 = 1559.
  assert.equal(r.rpo.maxS, 1559);
  assert.equal(r.drainedS, 2460);
  assert.equal(r.neededBps, (8 * 20 * 150 * T) / 1200);
  assert.equal(r.payloadBps, LINK_30S / 4);
});

test('an outage: the cycle waits, the backlog ships when the link returns', async () => {
  const r = await simulate(timeline(Array(10).fill(150)), {
    cycleS: 60,
    linkBps: LINK_30S,
    params,
    outages: [{ fromS: 100, toS: 250 }],
    targetS: null,
  });
  // Cycle 1 transmits 120..150 but the link is down 100..250: applied at 280.
  assert.deepEqual(
    r.cycles.slice(0, 3).map((c) => [c.captureStartS, c.switchS, c.appliedS]),
    [
      [0, 60, 90],
      [60, 120, 280],
      [120, 300, 390],
    ],
  ); // three intervals captured: 90 s
  assert.equal(rpoFromCycles(r, 279), 279 - 60);
  assert.equal(r.rpoTeeth.find((t) => t.startS <= 279 && 279 < t.startS + t.count)!.firstRpoS + 279 - 90, 219);
  // The backlog peaks after the outage: cycle 120..300 (450 tracks) is in flight 300..390 while
  // the next captures 300..420 (whole intervals: 300 tracks): 750 tracks.
  assert.equal(r.cycles[1]!.backlogBytes, 600 * T); // in flight 120..280 while 120..300 was captured
  assert.equal(r.peakBacklogBytes, 750 * T);
});

test('plan: the smallest printed bandwidth meeting the target, rounded up to whole paths', async () => {
  // 30 intervals of 150 new tracks, 60 s cycles. At B bit/s a cycle (9,830,400 B) takes x = 78,643,200 / B s;
  // with x <= 60, c = ceil(x): the first tooth is 0..59 + c, then 29 teeth c..59 + c, plus the tail
  // (1,800 + c samples). p99 (rank ceil(0.99 (1,800 + c)), 18 samples above it) needs the top 30
  // samples (59 + c, one per tooth): p99 = 59 + c. p99 <= 75 -> c <= 16 -> B >= 78,643,200 / 16 = 4,915,200.
  // Printed 4.92 Mbit/s; 4.91 Mbit/s gives x = 16.02, c = 17, p99 76.
  const t = timeline(Array(30).fill(150));
  const request = { targetRpoS: 75, percentile: 99, pathBps: 1e6, simulation: { cycleS: 60, params, outages: [] } };
  const plan = await planLink(t, request);
  assert.equal(plan.requiredBps, 4_920_000);
  assert.equal(plan.paths, 5);
  assert.equal(plan.linkBps, 5e6);
  assert.equal(plan.achievedRpoS, 75); // x = 15.73 -> c = 16
  assert.equal(plan.marginS, 0);
  assert.equal(plan.result.rpo.p99S, 75);
});

test('growth scales the changes before the link figures', async () => {
  // As in the plan test, with 30 % growth each cycle puts 1.3 x 9,830,400 B on the wire:
  // x = 102,236,160 / B <= 16 -> B >= 6,389,760 bit/s, printed 6.39 Mbit/s (6.38: x = 16.02, p99 76).
  const t = timeline(Array(30).fill(150));
  const grown = { ...params, growth: 0.3 };
  const plan = await planLink(t, {
    targetRpoS: 75,
    percentile: 99,
    pathBps: null,
    simulation: { cycleS: 60, params: grown, outages: [] },
  });
  assert.equal(plan.requiredBps, 6_390_000);
  // Backlog grows too: 300 tracks x 1.3.
  assert.equal(plan.result.peakBacklogBytes, 300 * T * 1.3);
});

test('issue 9.9: the minimum is rounded up, so the printed figure fed back meets the target', async () => {
  // As above, p99 <= 69 -> c <= 10 -> B >= 7,864,320 bit/s, which rounds to the nearest as
  // "7.86 Mbit/s": fed back, x = 10.006, c = 11, p99 70 > 69. Rounded up: 7.87 Mbit/s (x = 9.99, p99 69).
  const t = timeline(Array(30).fill(150));
  const plan = await planLink(t, {
    targetRpoS: 69,
    percentile: 99,
    pathBps: null,
    simulation: { cycleS: 60, params, outages: [] },
  });
  assert.equal(plan.requiredBps, 7_870_000);
  assert.equal(plan.achievedRpoS, 69);
  const fedBack = async (bps: number): Promise<number> =>
    (await simulate(t, { cycleS: 60, linkBps: bps, params, outages: [], targetS: null })).rpo.p99S;
  assert.equal(await fedBack(7_860_000), 70);
  assert.equal(await fedBack(7_870_000), 69);
});

/** A timeline from explicit track lists per interval (rewrites fold), over [0, endS). */
function timelineOfSets(sets: number[][], endS: number): Timeline {
  const rows: IntervalRow[] = sets.map((list, i) => ({
    volume: 'v',
    startS: i * I,
    writes: list.length,
    writeBytes: list.length * T,
    reads: 0,
    readBytes: 0,
    changedTracks: list.length,
    bitmap: serializeRoaring(Uint32Array.from(list)),
    writeProfile: encodeProfile(new Float64Array(I)),
  }));
  return new Timeline(
    cellsFromRows(rows, () => true),
    I,
    T,
    0,
    endS,
  );
}

test('defect 2: RPO is not monotone in bandwidth; the plan finds the smaller link that meets', async () => {
  // Intervals: {A}, {B, C}, {B, C} (rewritten), {A}; then quiet until 600 s. At k s per track
  // (B = 524,288 / k bit/s), 60 s cycles:
  // - 30 < k <= 60: cycle 0 ships A (applied 60 + k), cycle 1 switches at 120 with {B, C} (applied
  //   120 + 2k <= 240), cycle 2 switches at 240 with {B, C, A}, applied 240 + 3k: max RPO 119 + ceil(3k).
  // - 60 < k <= 90: cycle 0 lands after 120, so cycle 1 captures 60..180 and folds the rewrite: {B, C}
  //   applied 180 + 2k; cycle 2 ships {A} from 360: max RPO max(119 + ceil(2k), 179 + ceil(k)).
  // Max RPO <= 250 holds for k <= 43.67 and for 60 < k <= 65.5, not in between: the smallest bandwidth
  // is 524,288 / 65.5 = 8,004.4 bit/s, printed 8.01 kbit/s (8.00 kbit/s: k = 65.536, 119 + 132 = 251).
  // A plain bisection from 1 Mbit/s converges on the upper boundary instead, 524,288 / 43.67 = 12,006.6.
  const t = timelineOfSets([[0], [2000, 2001], [2000, 2001], [0]], 600);
  const maxRpo = async (bps: number): Promise<number> =>
    (await simulate(t, { cycleS: 60, linkBps: bps, params, outages: [], targetS: null })).rpo.maxS;
  assert.equal(await maxRpo(9000), 294); // k = 58.25: 119 + ceil(174.76)
  assert.equal(await maxRpo(8010), 250); // k = 65.45: 119 + ceil(130.91)
  const plan = await planLink(t, {
    targetRpoS: 250,
    percentile: 100,
    pathBps: null,
    simulation: { cycleS: 60, params, outages: [] },
  });
  assert.equal(plan.requiredBps, 8010);
  assert.equal(plan.achievedRpoS, 250);
});

test('defect 1: a target below one cycle is refused only for the maximum', async () => {
  const t = timeline(Array(30).fill(150));
  const request = { targetRpoS: 30, percentile: 100, pathBps: null, simulation: { cycleS: 60, params, outages: [] } };
  await assert.rejects(
    () => planLink(t, request),
    /cannot be met with cycleS 60 s: the maximum RPO is at least one cycle/,
  );
  // p50 under 30 s with 60 s cycles: samples 0..59 + c, then 29 teeth c..59 + c (1,800 + c samples).
  // p50 <= 30 needs (31) + 29 (31 − c) >= ceil((1,800 + c) / 2): c = 1 gives 901 >= 901. So only an
  // (almost) unlimited link meets it: c = 1 means x <= 1 s, B >= 78,643,200 bit/s.
  const p50 = await planLink(t, { ...request, percentile: 50 });
  assert.equal(p50.requiredBps, 78_650_000); // 78.65 Mbit/s; 78.64 Mbit/s gives x = 1.00003, c = 2
  assert.equal(p50.achievedRpoS, 30);
  // p99 under 30 s: p99 = 59 + c >= 60 whatever the link: refused with the floor it reaches.
  await assert.rejects(
    () => planLink(t, { ...request, percentile: 99 }),
    /no link up to 100 Tbit\/s meets targetRpoS 30 s at p99 with cycleS 60 s: even then RPO p99 is 60 s/,
  );
  // A window too short to judge the target: 30 minutes of data cannot judge 1 h.
  await assert.rejects(
    () => planLink(t, { ...request, targetRpoS: 3600, percentile: 99 }),
    /window \(1800 s\) is too short to judge targetRpoS 3600 s/,
  );
});

test('models: synchronous ships every byte at its peak second, async and periodic fold', async () => {
  // Each interval's writes land in its second 10; interval 1 moves 4 x 65,536 B to second 30.
  const t = timeline([150, 150, 150], (i) => {
    const p = new Float64Array(I);
    p[10] = (i === 1 ? 146 : 150) * T;
    if (i === 1) p[30] = 4 * T;
    return p;
  });
  const rows = compareModels(t, { syncWindowS: 1, cycleS: 60, periodS: 180, params });
  assert.deepEqual(
    rows.map((r) => [r.model, r.spanS, r.count, r.peakBytes, r.totalBytes, r.requiredBandwidthBps]),
    [
      ['synchronous', 1, 180, 150 * T, 450 * T, 8 * 150 * T],
      ['asynchronous', 60, 3, 150 * T, 450 * T, (8 * 150 * T) / 60],
      ['periodic', 180, 1, 450 * T, 450 * T, (8 * 450 * T) / 180],
    ],
  );
  assert.deepEqual(slidingSums(Float64Array.of(1, 2, 3, 4), 2), [3, 5, 7]);
  assert.throws(() => compareModels(t, { syncWindowS: 1, cycleS: 90, periodS: 180, params }), {
    message: 'cycleS 90 s must be a whole multiple of the 60 s collection interval',
  });
});
