import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RoaringBitmap32, roaringLibraryInitialize } from 'roaring-wasm';
import { LONG_RANGE_TRACKS, TrackSet } from '../../src/collect/track-set.js';
import { Tracker } from '../../src/collect/tracker.js';
import { IoBatch } from '../../src/readers/batch.js';
import { decodeRoaring } from '../../src/bitmap/roaring.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** CRoaring's run-optimized serialization of `values`: the reference bytes. */
function croaring(values: number[]): string {
  const r = new RoaringBitmap32(values);
  r.runOptimize();
  const bytes = hex(r.serialize('portable'));
  r.dispose();
  return bytes;
}

// Writes as [first track, extra tracks]: single tracks, short ranges kept as bits, long ranges
// kept as runs, near chunk boundaries and at the top of the 32-bit track space.
const write = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 3 * 65536 }), fc.constant(0)),
  fc.tuple(fc.integer({ min: 0, max: 3 * 65536 }), fc.integer({ min: 1, max: LONG_RANGE_TRACKS + 5 })),
  fc.tuple(fc.integer({ min: 0, max: 3 * 65536 }), fc.integer({ min: LONG_RANGE_TRACKS - 1, max: 150_000 })),
  fc.tuple(fc.integer({ min: 2 ** 32 - 70_000, max: 2 ** 32 - 1 }), fc.constant(0)),
);

test('a TrackSet closes to the exact set of written tracks, interval after interval', async () => {
  await roaringLibraryInitialize();
  const set = new TrackSet(); // reused across intervals, as the tracker does
  fc.assert(
    fc.property(fc.array(write, { maxLength: 40 }), (writes) => {
      const expected = new Set<number>();
      for (const [first, extra] of writes) {
        const last = Math.min(first + extra, 2 ** 32 - 1);
        if (first === last) set.add(first);
        else set.addRange(first, last);
        for (let t = first; t <= last; t++) expected.add(t);
      }
      const values = [...expected].sort((a, b) => a - b);
      const { bitmap, cardinality } = set.close();
      assert.equal(cardinality, values.length);
      assert.equal(hex(bitmap), croaring(values));
    }),
    { numRuns: 150, seed: 11 },
  );
});

test('chunks move between sorted lists and pages of bits as they fill, interval after interval', async () => {
  await roaringLibraryInitialize();
  const set = new TrackSet();
  // Per interval: how many single tracks and short ranges to write in chunks 0 and 1, so that
  // chunks cross the list/page threshold in both directions between intervals.
  const count = (max: number): fc.Arbitrary<number> => fc.integer({ min: 0, max });
  const interval = fc.tuple(count(400), count(40), fc.integer({ min: 1, max: 7 }));
  const intervals = fc.array(interval, { minLength: 1, maxLength: 4 });
  fc.assert(
    fc.property(intervals, fc.integer({ min: 0, max: 2 ** 31 }), (list, seed) => {
      let x = seed;
      const next = (n: number): number => {
        x = (Math.imul(x, 1103515245) + 12345) >>> 0;
        return x % n;
      };
      for (const [singles, ranges, width] of list) {
        const expected = new Set<number>();
        for (let i = 0; i < singles; i++) {
          const t = next(2) * 65536 + next(700); // dense enough to repeat tracks
          set.add(t);
          expected.add(t);
        }
        for (let i = 0; i < ranges; i++) {
          const first = next(2) * 65536 + next(700);
          set.addRange(first, first + width);
          for (let t = first; t <= first + width; t++) expected.add(t);
        }
        const values = [...expected].sort((a, b) => a - b);
        const { bitmap, cardinality } = set.close();
        assert.equal(cardinality, values.length);
        assert.equal(hex(bitmap), croaring(values));
      }
    }),
    { numRuns: 120, seed: 17 },
  );
});

test('one range of all 2^32 tracks closes in bounded time to 65,536 full run containers', () => {
  const set = new TrackSet();
  set.add(12);
  set.addRange(0, 2 ** 32 - 1);
  const { bitmap, cardinality } = set.close();
  assert.equal(cardinality, 2 ** 32);
  assert.equal(bitmap.length, 4 + 8192 + 8 * 65536 + 6 * 65536);
  const next = set.close();
  assert.equal(next.cardinality, 0);
  assert.equal(hex(next.bitmap), '3a30000000000000');
});

test('the tracker counts one write of 2^48 - 1 bytes at 64 KiB tracks as all 2^32 tracks, beside small writes', () => {
  const tracker = new Tracker({ intervalS: 60, trackBytes: 65536 });
  const batch = new IoBatch((b) => tracker.add(b));
  batch.push(0, 1e6, 65536 * 5, 100, true); // track 5, also inside the huge write
  batch.push(0, 2e6, 0, 2 ** 48 - 1, true); // tracks 0 .. floor((2^48 - 2) / 65536) = 2^32 - 1
  batch.push(1, 3e6, 2 ** 48 - 65536, 65536, true); // volume 1: the last track only
  batch.push(1, 4e6, 2 ** 40, 2 ** 27, true); // volume 1: 2^11 tracks from 2^24 (kept as bits)
  batch.push(1, 5e6, 2 ** 41, 2 ** 27 + 1, true); // volume 1: 2^11 + 1 tracks from 2^25 (kept as a run)
  batch.flush();
  tracker.finish();
  const rows = tracker.drainClosed();
  assert.deepEqual(
    rows.map((r) => [r.volume, r.writes, r.changedTracks]),
    [
      [0, 2, 2 ** 32],
      [1, 3, 1 + 2048 + 2049],
    ],
  );
  const expected = [2 ** 32 - 1];
  for (let t = 2 ** 24; t < 2 ** 24 + 2048; t++) expected.push(t);
  for (let t = 2 ** 25; t <= 2 ** 25 + 2048; t++) expected.push(t);
  expected.sort((a, b) => a - b);
  assert.deepEqual(decodeRoaring(rows[1]!.bitmap), expected);
});
