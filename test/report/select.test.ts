import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { selectRanks } from '../../src/report/select.js';
import { summarizeSparse } from '../../src/report/percentile.js';

test('selectRanks puts at each asked index the value a full sort puts there', () => {
  const values = fc.oneof(
    fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 3000 }), // many equal values
    fc.array(fc.double({ noNaN: true, min: -1e9, max: 1e9 }), { maxLength: 500 }),
    fc.integer({ min: 0, max: 5000 }).map((n) => Array.from({ length: n }, (_, i) => i)), // already sorted
    fc.integer({ min: 0, max: 5000 }).map((n) => Array.from({ length: n }, (_, i) => n - i)), // descending
  );
  fc.assert(
    fc.property(values, fc.array(fc.nat(), { maxLength: 6 }), (vs, picks) => {
      const sorted = Float64Array.from(vs).sort();
      const a = Float64Array.from(vs);
      const ks = picks.map((p) => (vs.length === 0 ? 0 : p % vs.length));
      selectRanks(a, ks);
      for (const k of ks) assert.equal(a[k], sorted[k]);
      assert.deepEqual(
        [...a].sort((x, y) => x - y),
        [...sorted],
      );
    }),
    { numRuns: 300 },
  );
});

test('summarizeSparse: nearest ranks over stored values and implied zeros, by hand', () => {
  // 10 intervals, stored 5, 1, 3 (seven zeros): sorted 0 x7, 1, 3, 5.
  const s = summarizeSparse([5, 1, 3], 10, undefined, 80);
  assert.deepEqual(s, { intervals: 10, peak: 5, p50: 0, p95: 5, p99: 5, mean: 0.9, atPercentile: { p: 80, value: 1 } });
  // 4 intervals all stored: p50 is the 2nd smallest.
  assert.deepEqual(summarizeSparse([4, 2, 8, 6], 4), { intervals: 4, peak: 8, p50: 4, p95: 8, p99: 8, mean: 5 });
});
