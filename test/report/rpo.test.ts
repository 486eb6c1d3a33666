import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  aboveTarget,
  firstAtOrBelowS,
  maxRpoPerInterval,
  RpoBuilder,
  rpoMaxS,
  rpoPercentileS,
  rpoSampleCount,
  type RpoTooth,
} from '../../src/report/rpo.js';

/** Every sample as [time, rpo], expanded one by one: the independent reading of the teeth. */
function expand(teeth: RpoTooth[]): [number, number][] {
  const out: [number, number][] = [];
  for (const t of teeth) {
    for (let r = 0; r < t.repeats; r++) {
      for (let j = 0; j < t.count; j++) out.push([t.startS + r * t.periodS + j, t.firstRpoS + j]);
    }
  }
  return out;
}

/** Nearest rank over the expanded samples, sorted. */
function nearestRank(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!;
}

// Start 0, cycles of 10 s: applied at 13.5 (switch 10), then four empty cycles folded from 20
// (consistent as of 20, 30, 40, 50), then a slow one switched at 60 and applied at 75, window end 80.
function sample(): RpoTooth[] {
  const b = new RpoBuilder(0);
  b.apply(13.5, 10); // 0..13 (14 samples), then from 14 consistent as of 10
  b.apply(20, 20); // 14..19: 4..9
  b.repeatIdle(20, 10, 4); // 20..59: 0..9 four times
  b.apply(75, 60); // 60..74: 0..14 (consistent as of 60 from 60)
  return b.finish(80); // 75..79: consistent as of 60: 15..19
}

test('the builder emits contiguous teeth; a folded stretch is one entry', () => {
  const teeth = sample();
  assert.deepEqual(teeth, [
    { startS: 0, count: 14, firstRpoS: 0, repeats: 1, periodS: 14 },
    { startS: 14, count: 6, firstRpoS: 4, repeats: 1, periodS: 6 },
    { startS: 20, count: 10, firstRpoS: 0, repeats: 4, periodS: 10 },
    { startS: 60, count: 15, firstRpoS: 0, repeats: 1, periodS: 15 },
    { startS: 75, count: 5, firstRpoS: 15, repeats: 1, periodS: 5 },
  ]);
  const samples = expand(teeth);
  assert.equal(rpoSampleCount(teeth), 80);
  assert.deepEqual(
    samples.map(([t]) => t),
    Array.from({ length: 80 }, (_, i) => i),
  ); // every second once, in order
});

test('percentiles, maximum, time above target from the teeth equal the expanded samples', () => {
  const teeth = sample();
  const values = expand(teeth).map(([, v]) => v);
  for (const p of [0.5, 1, 10, 25, 50, 75, 90, 95, 99, 99.9, 100]) {
    assert.equal(rpoPercentileS(teeth, p), nearestRank(values, p), `p${p}`);
  }
  assert.equal(rpoMaxS(teeth), 19);
  // Above 8: 9..13 (t 9..13), then 9 (t 19), then 9 in each folded tooth (t 29, 39, 49, 59): those
  // join no neighbour (t 20, 30 ... drop to 0); 9..14 (t 69..74) joins 15..19 (t 75..79): 11 s.
  assert.deepEqual(aboveTarget(teeth, 8), { secondsAboveS: 5 + 1 + 4 + 11, longestAboveS: 11, violations: 7 });
  assert.deepEqual(aboveTarget(teeth, 30), { secondsAboveS: 0, longestAboveS: 0, violations: 0 });
  assert.deepEqual(aboveTarget(teeth, -1), { secondsAboveS: 80, longestAboveS: 80, violations: 1 });
});

test('first time back under a target, inside folded stretches too', () => {
  const teeth = sample();
  assert.equal(firstAtOrBelowS(teeth, 10, 5), 14); // 10..13 are 10..13, 14..19 are 4..9: 14 is 4
  assert.equal(firstAtOrBelowS(teeth, 10, 3), 20); // 14..19 stay above 3; 20 starts at 0
  assert.equal(firstAtOrBelowS(teeth, 25, 3), 30); // 25 is 5; the next tooth starts at 30 with 0
  assert.equal(firstAtOrBelowS(teeth, 23, 3), 23);
  assert.equal(firstAtOrBelowS(teeth, 61, 30), 61);
  assert.equal(firstAtOrBelowS(teeth, 76, 10), null);
});

test('maximum RPO per interval; a folded stretch is one row spanning its intervals', () => {
  assert.deepEqual(maxRpoPerInterval(sample(), 20), [
    { startS: 0, endS: 20, maxRpoS: 13 }, // 0..13 then 4..9
    { startS: 20, endS: 60, maxRpoS: 9 }, // the folded stretch: 0..9 four times
    { startS: 60, endS: 80, maxRpoS: 19 }, // 0..14 (60..74), 15..19 (75..79)
  ]);
});

test('maximum RPO per interval: every interval with samples is covered, exact when the cycle fits the interval', () => {
  const samples = expand(sample());
  const lastS = Math.max(...samples.map(([t]) => t));
  for (const intervalS of [5, 10, 20, 30, 40]) {
    const rows = maxRpoPerInterval(sample(), intervalS);
    for (let s = 0; s <= lastS; s += intervalS) {
      const inside = samples.filter(([t]) => t >= s && t < s + intervalS).map(([, rpo]) => rpo);
      const covering = rows.filter((r) => r.startS <= s && s < r.endS);
      assert.equal(covering.length, 1, `interval ${intervalS}: one row covers ${s}`);
      const want = Math.max(...inside);
      // The cycle is 10 s: from 10-second intervals on, each holds a repeat's peak and the row is exact.
      if (intervalS >= 10) assert.equal(covering[0]!.maxRpoS, want, `interval ${intervalS} at ${s}`);
      else assert.ok(covering[0]!.maxRpoS >= want, `interval ${intervalS} at ${s}: an upper bound`);
    }
    for (let i = 1; i < rows.length; i++) assert.ok(rows[i - 1]!.endS <= rows[i]!.startS, 'rows in order, disjoint');
  }
});
