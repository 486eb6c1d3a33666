import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Tracker } from '../../src/collect/tracker.js';
import { unpackRows } from '../../src/collect/row-batch.js';
import { IoBatch } from '../../src/readers/batch.js';
import { decodeRoaring } from '../../src/bitmap/roaring.js';
import { profileEntries } from '../../src/store/write-profile.js';

const TRACK_BYTES = 512;
const NAMES = ['v0', 'v1', 'v2', 'v3'];
type Rec = [volume: number, timeUs: number, offset: number, length: number, write: boolean];

/** Offsets near chunk boundaries and far apart; lengths from none to a long range (> 2048 tracks). */
const rec = fc.tuple(
  fc.integer({ min: 0, max: 3 }),
  fc.integer({ min: 0, max: 400e6 }),
  fc.oneof(fc.integer({ min: 0, max: 300 * TRACK_BYTES }), fc.integer({ min: 0, max: 2 ** 40 })),
  fc.oneof(fc.integer({ min: 0, max: 8 * TRACK_BYTES }), fc.integer({ min: 0, max: 3000 * TRACK_BYTES })),
  fc.boolean(),
);

function run(records: Rec[], packed: boolean, intervalS: number) {
  const tracker = new Tracker({ intervalS, trackBytes: TRACK_BYTES, packed });
  const rows: ReturnType<typeof unpackRows> = [];
  const drain = (): void => {
    if (!packed) {
      for (const r of tracker.drainClosed()) rows.push({ ...r, volume: NAMES[r.volume]! });
      return;
    }
    const buffer = tracker.drainPacked();
    if (buffer !== null) rows.push(...unpackRows(buffer, NAMES));
  };
  const batch = new IoBatch((b) => {
    tracker.add(b);
    drain();
  }, 7);
  for (const [v, t, o, l, w] of records) batch.push(v, t, o, l, w);
  batch.flush();
  tracker.finish();
  drain();
  return rows.map((r) => ({
    ...r,
    bitmap: Buffer.from(r.bitmap).toString('hex'),
    writeProfile: profileEntries(r.writeProfile),
  }));
}

test('a packing tracker (decoding workers) closes exactly the rows a recording tracker closes', () => {
  fc.assert(
    fc.property(fc.array(rec, { maxLength: 200 }), fc.constantFrom(1, 10, 60), (records, intervalS) => {
      const expected = run(records, false, intervalS);
      assert.deepEqual(run(records, true, intervalS), expected);
      // And each bitmap holds as many tracks as the row says (the tracker's own Set check is in fuzz).
      for (const r of expected) assert.equal(decodeRoaring(Buffer.from(r.bitmap, 'hex')).length, r.changedTracks);
    }),
    { numRuns: 300 },
  );
});
