import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { serializeRoaring } from '../../src/bitmap/roaring.js';
import { SMALL_UNION_VALUES, unionSmall } from '../../src/bitmap/small-union.js';
import { unionRoaring } from '../../src/bitmap/union.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const serialize = (values: Iterable<number>): Uint8Array =>
  serializeRoaring(Uint32Array.from([...new Set(values)].sort((a, b) => a - b)));

/** A small random set: scattered values and short runs in a few chunks, up to the 32-bit top. */
const KEYS = [0, 1, 7, 0xfffe, 0xffff];
const value = fc
  .tuple(fc.constantFrom(...KEYS), fc.integer({ min: 0, max: 0xffff }))
  .map(([k, low]) => k * 65536 + low);
const run = fc
  .tuple(value, fc.integer({ min: 0, max: 40 }))
  .map(([first, n]) => Array.from({ length: n + 1 }, (_, i) => first + i).filter((v) => v <= 0xffff_ffff));
const smallSet = fc
  .array(
    fc.oneof(
      value.map((v) => [v]),
      run,
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.flat());

test('the small union equals the union of the sets, serialized, byte for byte', () => {
  fc.assert(
    fc.property(fc.array(smallSet, { minLength: 1, maxLength: 60 }), (sets) => {
      const expected = new Set(sets.flat());
      const blobs = sets.map(serialize);
      const got = unionSmall(blobs);
      assert.notEqual(got, null);
      assert.equal(got!.cardinality, expected.size);
      assert.equal(hex(got!.bitmap), hex(serialize(expected)));
      assert.equal(hex(got!.bitmap), hex(unionRoaring(blobs).bitmap));
    }),
    { numRuns: 300 },
  );
});

test('more values than the small path holds, or a bitmap container, are left to the general union', () => {
  const many = Array.from({ length: SMALL_UNION_VALUES / 2 + 1 }, (_, i) => 2 * i); // an array container each
  assert.equal(unionSmall([serialize(many), serialize(many.map((v) => v + 1))]), null);
  const dense = Array.from({ length: 5000 }, (_, i) => 3 * i); // > 4096 values: a bitmap container
  assert.equal(unionSmall([serialize(dense)]), null);
  const exactly = Array.from({ length: SMALL_UNION_VALUES }, (_, i) => 2 * i);
  assert.equal(unionSmall([serialize(exactly)])!.cardinality, SMALL_UNION_VALUES);
});

test('a malformed array container is refused as the general union refuses it', () => {
  const blob = serialize([5, 9]);
  blob.set([9, 0, 5, 0], blob.length - 4); // values 9 then 5: not ascending
  assert.throws(() => unionRoaring([blob]), /not ascending/);
  assert.throws(() => unionSmall([blob]), /not ascending/);
});

test('a malformed run container is refused as the general union refuses it', () => {
  const blob = serialize([5, 6, 7]); // one run container
  blob.set([0xff, 0xff], blob.length - 2); // its run now ends past 65535
  assert.throws(() => unionRoaring([blob]), /run container 0 is malformed/);
  assert.throws(() => unionSmall([blob]), /run container 0 is malformed/);
});
