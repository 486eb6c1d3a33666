import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { serializeRoaring } from '../../src/bitmap/roaring.js';
import { Bitset } from '../../src/bitmap/bitset.js';
import { TrackUnion } from '../../src/report/track-union.js';

const blobOf = (values: number[]) => serializeRoaring(Uint32Array.from([...new Set(values)].sort((a, b) => a - b)));

test('TrackUnion: count and masked count equal a Set of the ORed tracks, across clears', () => {
  const tracks = fc.array(fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 5_000_000 })), {
    maxLength: 40,
  });
  const run = fc.array(
    fc.oneof(
      tracks,
      fc.integer({ min: 0, max: 200_000 }).map((s) => Array.from({ length: 3000 }, (_, i) => s + i)),
    ),
    { maxLength: 5 },
  );
  fc.assert(
    fc.property(
      fc.array(run, { minLength: 1, maxLength: 3 }),
      fc.array(fc.integer({ min: 0, max: 300_000 }), { maxLength: 30 }),
      (ors, maskTracks) => {
        const union = new TrackUnion();
        const mask = new Bitset();
        for (const t of maskTracks) mask.setRange(t, t + 1);
        for (const blobs of ors) {
          union.clear();
          const expected = new Set<number>();
          for (const values of blobs) {
            union.add(blobOf(values));
            values.forEach((v) => expected.add(v));
          }
          assert.equal(union.count(), expected.size);
          assert.equal(union.countAnd(mask), [...expected].filter((t) => maskTracks.includes(t)).length);
        }
      },
    ),
  );
});

test('TrackUnion.addAll (container-major) counts what a Set of the ORed tracks counts: arrays, bitmaps, runs', () => {
  const values = fc.oneof(
    fc.array(fc.integer({ min: 0, max: 5_000_000 }), { maxLength: 40 }), // array containers
    fc
      .integer({ min: 0, max: 40 })
      .map((k) => Array.from({ length: 6000 }, (_, i) => k * 65536 + ((i * 7919) % 65536))), // bitmap
    fc.integer({ min: 0, max: 200_000 }).map((s) => Array.from({ length: 3000 }, (_, i) => s + i)), // runs
  );
  fc.assert(
    fc.property(fc.array(fc.array(values, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 3 }), (ors) => {
      const union = new TrackUnion();
      for (const blobs of ors) {
        union.clear();
        const expected = new Set<number>();
        for (const v of blobs) v.forEach((t) => expected.add(t));
        union.addAll(blobs.map(blobOf));
        assert.equal(union.count(), expected.size);
      }
    }),
    { numRuns: 200 },
  );
});

test('TrackUnion: whole chunks (a write spanning them) count and mask like a Set, before or after other tracks', () => {
  const C = 65_536;
  const whole = (k: number): number[] => Array.from({ length: C }, (_, i) => k * C + i);
  const part = fc.oneof(
    fc.integer({ min: 0, max: 3 }).map(whole),
    fc.array(fc.integer({ min: C - 5, max: 3 * C + 5 }), { minLength: 1, maxLength: 20 }),
    fc.integer({ min: C - 1500, max: 2 * C - 1500 }).map((s) => Array.from({ length: 3000 }, (_, i) => s + i)),
  );
  fc.assert(
    fc.property(
      fc.array(fc.array(part, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 3 }),
      fc.array(fc.integer({ min: 0, max: 4 * C }), { maxLength: 30 }),
      fc.boolean(),
      (ors, maskTracks, together) => {
        const union = new TrackUnion();
        const mask = new Bitset();
        for (const t of maskTracks) mask.setRange(t, t + 1);
        for (const blobs of ors) {
          union.clear();
          const expected = new Set<number>();
          if (together) union.addAll(blobs.map(blobOf));
          for (const values of blobs) {
            if (!together) union.add(blobOf(values));
            values.forEach((v) => expected.add(v));
          }
          assert.equal(union.count(), expected.size);
          assert.equal(union.countAnd(mask), [...new Set(maskTracks)].filter((t) => expected.has(t)).length);
        }
      },
    ),
    { numRuns: 100 },
  );
});
