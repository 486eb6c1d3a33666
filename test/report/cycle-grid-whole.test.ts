import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { serializeRoaring } from '../../src/bitmap/roaring.js';
import { RoaringWriter } from '../../src/bitmap/roaring-writer.js';
import { CycleGrid } from '../../src/report/cycle-grid.js';
import { PAGE_TRACKS } from '../../src/report/recent-writes.js';

// Writes spanning whole 65,536-track containers (a restore, an initial fill: one write of 16 TiB
// is 65,536 of them) are counted by the cycle grid as one entry per container, not per track. The
// grid must still give every run exactly the distinct tracks of the cells, whatever was written
// in the container before (nothing, a few tracks, a dense page, an earlier whole write) or after.
const B = PAGE_TRACKS;
const TRACK_BYTES = 512;
const range = (from: number, n: number, step = 1): number[] => Array.from({ length: n }, (_, i) => from + i * step);

const cellArb = fc.oneof(
  { weight: 3, arbitrary: fc.constant(range(B, B)) }, // container 1 whole
  { weight: 1, arbitrary: fc.constant([...range(B, B), ...range(2 * B, B)]) }, // containers 1 and 2 whole
  { weight: 2, arbitrary: fc.array(fc.integer({ min: B - 3, max: 2 * B + 3 }), { minLength: 1, maxLength: 6 }) },
  {
    weight: 2, // enough tracks in container 1 for a dense page
    arbitrary: fc
      .tuple(fc.integer({ min: B, max: B + 500 }), fc.integer({ min: 64, max: 200 }))
      .map(([a, n]) => range(a, n, 3)),
  },
  { weight: 1, arbitrary: fc.constant([...range(B, B), B - 1, 2 * B + 7]) }, // whole, and beside it
);

/** Distinct tracks of [from, from + length) of a volume's cells, counted on a byte per track. */
function distinct(cells: Map<number, number[]>, from: number, length: number): number {
  const seen = new Uint8Array(4 * B);
  let n = 0;
  for (let k = from; k < from + length; k++) {
    for (const t of cells.get(k) ?? []) {
      if (seen[t] === 0) n++;
      seen[t] = 1;
    }
  }
  return n;
}

function check(volumes: Map<number, number[]>[], L: number): void {
  const intervals = Math.max(...volumes.map((c) => Math.max(...c.keys()))) + 1;
  const grid = new CycleGrid(intervals, L, TRACK_BYTES, false);
  for (const cells of volumes) {
    const part = grid.volume();
    for (const [k, tracks] of cells) {
      const sorted = Uint32Array.from(new Set(tracks)).sort();
      part.push(k, sorted.length, serializeRoaring(sorted), 1);
    }
    part.finish();
  }
  for (let from = 0; from < intervals; from++) {
    for (let length = 1; length <= L; length++) {
      let tracks = 0;
      for (const cells of volumes) tracks += distinct(cells, from, Math.min(length, intervals - from));
      const bytes = tracks * TRACK_BYTES;
      assert.deepEqual(
        grid.answer(from, length),
        { changedBytes: bytes, compressedBytes: bytes },
        `[${from}, +${length})`,
      );
    }
  }
}

test('cycle grid: whole containers among few, dense and whole writes give the runs of sets', () => {
  fc.assert(
    fc.property(
      fc.array(fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), cellArb), { minLength: 1, maxLength: 12 }), {
        minLength: 1,
        maxLength: 2,
      }),
      fc.integer({ min: 1, max: 4 }),
      (drawn, L) => {
        const volumes = drawn.map((list) => {
          const cells = new Map<number, number[]>();
          let k = -1;
          for (const [gap, tracks] of list) cells.set((k += 1 + gap), [...tracks]);
          return cells;
        });
        check(volumes, L);
      },
    ),
    { numRuns: 80 },
  );
});

test('cycle grid: a whole container then thousands of single tracks in it (a dense page is made), then whole again', () => {
  const cells = new Map<number, number[]>();
  cells.set(0, range(B, B));
  // 120 intervals of 50 tracks each in container 1 (sparse writes: 6,000, past the 4,096 kept as a list).
  for (let k = 1; k <= 120; k++) cells.set(k, range(B + (k % 4) * 20, 50));
  cells.set(121, range(B, B));
  cells.set(122, [B + 3, 2 * B + 1]);
  check([cells], 3);
});

test('cycle grid: tracks written after a whole write keep their later interval when a dense page is made', () => {
  const cells = new Map<number, number[]>();
  cells.set(0, range(B, B)); // whole
  cells.set(1, [B + 1, B + 2]); // two tracks of it again (listed since the whole write)
  cells.set(2, range(B, 100)); // a dense container over them: its page starts from both writes
  cells.set(3, [B + 2, B + 200]);
  check([cells], 3);
});

test('cycle grid: one write of all 2^32 tracks costs one entry per container, not per track', () => {
  // Two cells of every track (a 16 TiB write at 4 KiB tracks, twice) and one track: distinct
  // tracks of each run by hand. Per track, this would be 8.6 G lookups and 8 GiB of pages.
  const writer = new RoaringWriter();
  for (let key = 0; key < 65_536; key++) writer.addRuns(key, Uint16Array.of(0, 65_535), 1);
  const all = writer.finish();
  const grid = new CycleGrid(3, 2, TRACK_BYTES, false);
  const part = grid.volume();
  part.push(0, 2 ** 32, all, 1);
  part.push(1, 2 ** 32, all, 1);
  part.push(2, 1, serializeRoaring(Uint32Array.of(5)), 1);
  part.finish();
  const at = (from: number, length: number): number => grid.answer(from, length)!.changedBytes / TRACK_BYTES;
  assert.deepEqual([at(0, 1), at(0, 2), at(1, 1), at(1, 2), at(2, 1)], [2 ** 32, 2 ** 32, 2 ** 32, 2 ** 32, 1]);
});
