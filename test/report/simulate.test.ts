import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serializeRoaring } from '../../src/bitmap/roaring.js';
import { encodeProfile } from '../../src/collect/write-profile.js';
import { cellsFromRows } from '../../src/report/cells.js';
import { Timeline } from '../../src/report/timeline.js';
import { simulate, transmitEnd } from '../../src/report/simulate.js';
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
    return { volume: 'v', startS: i * I, writes: n, writeBytes: n * T, reads: 0, readBytes: 0, changedTracks: n, bitmap: serializeRoaring(list), writeProfile: encodeProfile(profile(i)) };
  });
  return new Timeline(cellsFromRows(rows, () => true), I, T, 0, tracks.length * I);
}

// 150 tracks = 9,830,400 B; at 2,621,440 bit/s (327,680 B/s) that is a 30 s transmit.
const LINK_30S = 2_621_440;

test('transmit pauses through outages', () => {
  assert.equal(transmitEnd(0, 100, 10, [{ fromS: 5, toS: 15 }]), 20);
  assert.equal(transmitEnd(0, 100, 10, [{ fromS: 50, toS: 60 }]), 10);
  assert.equal(transmitEnd(7, 100, 10, [{ fromS: 0, toS: 10 }, { fromS: 12, toS: 13 }]), 21);
});

test('constant load: a steady sawtooth between transmit time and cycle + transmit', () => {
  const r = simulate(timeline(Array(10).fill(150)), { cycleS: 60, linkBps: LINK_30S, params, outages: [], targetS: 60 });
  assert.equal(r.cycles.length, 10);
  assert.deepEqual(r.cycles.slice(0, 3).map((c) => [c.captureStartS, c.switchS, c.appliedS, c.changedBytes]), [[0, 60, 90, 9_830_400], [60, 120, 150, 9_830_400], [120, 180, 210, 9_830_400]]);
  assert.equal(r.elongatedCycles, 0);
  // RPO over 600 s: 0..89 until the first apply at 90, then 30..89 every 60 s.
  assert.equal(r.rpoPerSecond.length, 600);
  assert.deepEqual([r.rpoPerSecond[89], r.rpoPerSecond[90], r.rpoPerSecond[149], r.rpoPerSecond[150]], [89, 30, 89, 30]);
  assert.deepEqual(r.rpo, { p50S: 56, p95S: 86, p99S: 89, maxS: 89 });
  assert.equal(r.longestAboveTargetS, 29); // 61..89 s
  assert.equal(r.unbounded, false);
});

test('a burst larger than a cycle elongates the next cycle, then RPO recovers', () => {
  const r = simulate(timeline([150, 150, 600, 150, 150, 150, 150, 150]), { cycleS: 60, linkBps: LINK_30S, params, outages: [], targetS: null });
  assert.deepEqual(r.cycles.map((c) => [c.captureStartS, c.switchS, c.appliedS, c.elongated]), [
    [0, 60, 90, false],
    [60, 120, 150, false],
    [120, 180, 300, false], // 600 tracks: 120 s
    [180, 300, 360, true], // waited for the burst's transmit: captured two intervals
    [300, 360, 390, false],
    [360, 420, 450, false],
    [420, 480, 510, false],
  ]);
  assert.equal(r.rpo.maxS, 179);
  assert.equal(r.rpoPerSecond[299], 179);
  assert.equal(r.rpoPerSecond[300], 120);
  assert.equal(r.elongatedCycles, 1);
  assert.equal(r.unbounded, false);
});

test('a link slower than the changes: RPO grows without bound, reported, not hung', () => {
  const r = simulate(timeline(Array(20).fill(150)), { cycleS: 60, linkBps: LINK_30S / 4, params, outages: [], targetS: null });
  assert.deepEqual(r.cycles.map((c) => [c.captureStartS, c.switchS, c.appliedS]), [[0, 60, 180], [60, 180, 420], [180, 420, 900], [420, 900, 1860], [900, 1860, 2460]]);
  assert.equal(r.unbounded, true);
  assert.equal(r.rpo.maxS, 779);
  assert.equal(r.drainedS, 2460);
  assert.equal(r.neededBps, (8 * 20 * 150 * T) / 1200);
  assert.equal(r.payloadBps, LINK_30S / 4);
});

test('an outage: the cycle waits, the backlog ships when the link returns', () => {
  const r = simulate(timeline(Array(10).fill(150)), { cycleS: 60, linkBps: LINK_30S, params, outages: [{ fromS: 100, toS: 250 }], targetS: null });
  // Cycle 1 transmits 120..150 but the link is down 100..250: applied at 280.
  assert.deepEqual(r.cycles.slice(0, 3).map((c) => [c.captureStartS, c.switchS, c.appliedS]), [[0, 60, 90], [60, 120, 280], [120, 300, 390]]); // three intervals captured: 90 s
  assert.equal(r.rpoPerSecond[279], 279 - 60);
});

test('plan: the smallest bandwidth meeting the RPO target, rounded up to whole paths', () => {
  const t = timeline(Array(30).fill(150));
  const request = { targetRpoS: 75, percentile: 99 as const, pathBps: 1e6, simulation: { cycleS: 60, params, outages: [] } };
  const plan = planLink(t, request);
  const p99 = (bps: number): number => simulate(t, { cycleS: 60, linkBps: bps, params, outages: [], targetS: null }).rpo.p99S;
  assert.ok(p99(plan.requiredBps) <= 75);
  assert.ok(p99(plan.requiredBps * 0.999) > 75, 'a slightly slower link misses the target');
  assert.equal(plan.paths, Math.ceil(plan.requiredBps / 1e6));
  assert.equal(plan.linkBps, plan.paths! * 1e6);
  assert.equal(plan.achievedRpoS, p99(plan.linkBps));
  assert.equal(plan.marginS, 75 - plan.achievedRpoS);
  assert.throws(() => planLink(t, { ...request, targetRpoS: 30 }), /cannot be met with 60 s cycles/);
});

test('models: synchronous ships every byte at its peak second, async and periodic fold', () => {
  // Each interval's writes land in its second 10; interval 1 moves 4 x 65,536 B to second 30.
  const t = timeline([150, 150, 150], (i) => {
    const p = new Float64Array(I);
    p[10] = (i === 1 ? 146 : 150) * T;
    if (i === 1) p[30] = 4 * T;
    return p;
  });
  const rows = compareModels(t, { syncWindowS: 1, cycleS: 60, periodS: 180, params });
  assert.deepEqual(rows.map((r) => [r.model, r.spanS, r.count, r.peakBytes, r.totalBytes, r.requiredBandwidthBps]), [
    ['synchronous', 1, 180, 150 * T, 450 * T, 8 * 150 * T],
    ['asynchronous', 60, 3, 150 * T, 450 * T, (8 * 150 * T) / 60],
    ['periodic', 180, 1, 450 * T, 450 * T, (8 * 450 * T) / 180],
  ]);
  assert.deepEqual(slidingSums(Float64Array.of(1, 2, 3, 4), 2), [3, 5, 7]);
  assert.throws(() => compareModels(t, { syncWindowS: 1, cycleS: 90, periodS: 180, params }), /--cycle 90 s must be a whole multiple of the 60 s collection interval/);
});
