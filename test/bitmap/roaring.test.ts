import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeRoaring, serializeRoaring } from '../../src/bitmap/roaring.js';
import { unionRoaring } from '../../src/bitmap/union.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

test('an array container serializes to the portable layout byte for byte', () => {
  // cookie 12346 (0x303a) LE, 1 container, key 0 with cardinality-1 = 2, offset 16, values 1,5,9
  const blob = serializeRoaring(Uint32Array.of(1, 5, 9));
  assert.equal(hex(blob), '3a300000' + '01000000' + '0000' + '0200' + '10000000' + '0100' + '0500' + '0900');
  assert.deepEqual(decodeRoaring(blob), [1, 5, 9]);
});

test('a run container is chosen for consecutive values and serialized without offsets below 4 containers', () => {
  const values = Uint32Array.from({ length: 100 }, (_, i) => 1000 + i);
  const blob = serializeRoaring(values);
  // cookie 12347 | (1-1)<<16 = 0x303b, run flags 0x01, key 0, card-1 99, 1 run: start 1000 length-1 99
  assert.equal(hex(blob), '3b300000' + '01' + '0000' + '6300' + '0100' + 'e803' + '6300');
  assert.deepEqual(decodeRoaring(blob), Array.from(values));
});

test('bitmap, array and run containers across keys round-trip exactly', () => {
  const values: number[] = [];
  for (let i = 0; i < 70000; i += 3) values.push(i); // key 0 bitmap (21846 > 4096), key 1 array
  for (let i = 0; i < 5000; i++) values.push(5 * 65536 + i); // key 5: one run
  values.push(0xffff_ffff);
  const blob = serializeRoaring(Uint32Array.from(values));
  assert.deepEqual(decodeRoaring(blob), values);
});

test('an empty bitmap is 8 bytes and decodes to nothing', () => {
  const blob = serializeRoaring(new Uint32Array(0));
  assert.equal(hex(blob), '3a30000000000000');
  assert.deepEqual(decodeRoaring(blob), []);
});

test('malformed blobs are rejected', () => {
  assert.throws(() => decodeRoaring(Uint8Array.of(1, 2, 3, 4)), /not a portable roaring bitmap/);
  const blob = serializeRoaring(Uint32Array.of(1, 2, 5000));
  assert.throws(() => decodeRoaring(blob.subarray(0, blob.length - 1)), /truncated/);
});

test('union merges and counts distinct values', () => {
  const a = serializeRoaring(Uint32Array.of(1, 2, 3, 100));
  const b = serializeRoaring(Uint32Array.of(3, 4, 100, 70000));
  const u = unionRoaring([a, b]);
  assert.equal(u.cardinality, 6);
  assert.deepEqual(decodeRoaring(u.bitmap), [1, 2, 3, 4, 100, 70000]);
});
