import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { packRows, unpackRows } from '../../src/collect/row-batch.js';

const bytes = fc.uint8Array({ maxLength: 40 }).map((b) => new Uint8Array(b));
const count = fc.oneof(fc.nat(), fc.constant(2 ** 53 - 1), fc.double({ min: 0, max: 1e18, noNaN: true }));
const record = fc.record({
  volume: fc.integer({ min: 0, max: 4 }),
  startS: fc.integer({ min: -1e12, max: 1e12 }),
  writes: count,
  writeBytes: count,
  reads: count,
  readBytes: count,
  changedTracks: fc.integer({ min: 0, max: 2 ** 32 }),
  bitmap: bytes,
  writeProfile: bytes,
});

test('rows packed for a worker message come back as they were, volumes named', () => {
  const names = ['a', 'b', 'c', 'd', 'e'];
  fc.assert(
    fc.property(fc.array(record, { maxLength: 30 }), (records) => {
      const rows = unpackRows(packRows(records), names);
      assert.deepEqual(
        rows.map((r) => ({ ...r, bitmap: [...r.bitmap], writeProfile: [...r.writeProfile] })),
        records.map((r) => ({
          ...r,
          volume: names[r.volume],
          bitmap: [...r.bitmap],
          writeProfile: [...r.writeProfile],
        })),
      );
    }),
  );
});
