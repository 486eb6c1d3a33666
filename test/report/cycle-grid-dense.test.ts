import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { serializeRoaring } from '../../src/bitmap/roaring.js';
import { CycleGrid } from '../../src/report/cycle-grid.js';
import { DENSE_MIN_TRACKS, PAGE_TRACKS } from '../../src/report/recent-writes.js';

const TRACK_BYTES = 512;

// Tracks of one cell: a few around a page boundary (sparse lookups), a container big enough for
// a dense page (array, run or bitmap container) at a boundary, or both in one cell.
const B = PAGE_TRACKS;
const fewArb = fc.array(fc.integer({ min: B - 6, max: B + 5 }), { minLength: 1, maxLength: 6 });
const manyArb = fc
  .tuple(
    fc.integer({ min: B - 2 * DENSE_MIN_TRACKS, max: B + 10 }),
    fc.integer({ min: DENSE_MIN_TRACKS, max: 300 }),
    fc.integer({ min: 1, max: 2 }),
  )
  .map(([a, n, step]) => Array.from({ length: n }, (_, i) => a + i * step));
const bitmapArb = fc.integer({ min: 0, max: 2 }).map((a) => Array.from({ length: 4200 }, (_, i) => 2 * B + a + 3 * i));
const tracksArb = fc.oneof(
  { weight: 4, arbitrary: fewArb },
  { weight: 3, arbitrary: manyArb },
  { weight: 1, arbitrary: bitmapArb },
  { weight: 2, arbitrary: fc.tuple(fewArb, manyArb).map(([a, b]) => [...a, ...b]) },
);
const volumeArb = fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), tracksArb), { minLength: 1, maxLength: 30 });

/** Distinct tracks of [from, from + length) of a volume's cells (interval -> tracks), by a set. */
function distinct(cells: Map<number, number[]>, from: number, length: number): number {
  const union = new Set<number>();
  for (let k = from; k < from + length; k++) for (const t of cells.get(k) ?? []) union.add(t);
  return union.size;
}

test('cycle grid: dense pages and sparse tables give the runs of sets, across page boundaries and idle gaps', () => {
  fc.assert(
    fc.property(fc.array(volumeArb, { minLength: 1, maxLength: 3 }), fc.integer({ min: 1, max: 5 }), (volumes, L) => {
      // Each volume's cells at ascending intervals, gaps of 0-3 idle intervals between them.
      const cellsOf = volumes.map((drawn) => {
        const cells = new Map<number, number[]>();
        let k = -1;
        for (const [gap, tracks] of drawn) cells.set((k += 1 + gap), [...new Set(tracks)]);
        return cells;
      });
      const intervals = Math.max(...cellsOf.map((c) => Math.max(...c.keys()))) + 1;
      const grid = new CycleGrid(intervals, L, TRACK_BYTES, false);
      for (const cells of cellsOf) {
        const part = grid.volume();
        for (const [k, tracks] of cells) {
          const sorted = Uint32Array.from(tracks).sort();
          part.push(k, sorted.length, serializeRoaring(sorted), 1);
        }
        part.finish();
      }
      for (let from = 0; from < intervals; from++) {
        for (let length = 1; length <= L; length++) {
          let tracks = 0;
          for (const cells of cellsOf) tracks += distinct(cells, from, Math.min(length, intervals - from));
          const bytes = tracks * TRACK_BYTES;
          const got = grid.answer(from, length);
          assert.deepEqual(got, { changedBytes: bytes, compressedBytes: bytes }, `[${from}, +${length})`);
        }
      }
    }),
    { numRuns: 300 },
  );
});

test('cycle grid: a dense page in use for more than 32,767 intervals (rebased) counts old writes as new', () => {
  const L = 5;
  const intervals = 33_100;
  // Every interval 64 tracks of 256, each rewritten 4 intervals later (within L), plus tracks
  // written again 32,768 + d intervals later: as new as if never written.
  const rare = new Map<number, number[]>([
    [10, [1000]],
    [12, [1001]],
    [32_780, [1000]],
    [32_781, [1001]],
    [33_050, [1000, 1001]],
    [33_052, [1000]],
  ]);
  const cells = new Map<number, number[]>();
  for (let k = 0; k < intervals; k++) {
    const tracks = Array.from({ length: 64 }, (_, i) => (k % 4) * 64 + i);
    cells.set(k, [...tracks, ...(rare.get(k) ?? [])]);
  }
  const grid = new CycleGrid(intervals, L, TRACK_BYTES, false);
  const part = grid.volume();
  for (const [k, tracks] of cells) {
    const sorted = Uint32Array.from(tracks).sort();
    part.push(k, sorted.length, serializeRoaring(sorted), 1);
  }
  part.finish();
  for (let from = 0; from < intervals; from++) {
    for (let length = 1; length <= L; length++) {
      const bytes = distinct(cells, from, Math.min(length, intervals - from)) * TRACK_BYTES;
      const got = grid.answer(from, length);
      if (got?.changedBytes !== bytes)
        assert.deepEqual(got, { changedBytes: bytes, compressedBytes: bytes }, `[${from}, +${length})`);
    }
  }
});
