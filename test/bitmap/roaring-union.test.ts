import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RoaringBitmap32, roaringLibraryInitialize } from 'roaring-wasm';
import { decodeRoaring, serializeRoaring } from '../../src/bitmap/roaring.js';
import { RoaringUnion } from '../../src/bitmap/roaring-union.js';
import { RoaringWriter } from '../../src/bitmap/roaring-writer.js';
import { unionRoaring } from '../../src/bitmap/union.js';
import { TrackSet } from '../../src/collect/track-set.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const KEYS = [0, 1, 2, 3, 0xffff]; // neighbouring chunks, so runs cross boundaries, and the last chunk

/** A piece of a random bitmap, written out as plain values by the test itself. */
const key = fc.constantFrom(...KEYS);
const lows = fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 300 });
const start = fc.integer({ min: 0, max: 4 * 65536 });
const piece = fc.oneof(
  fc.record({ kind: fc.constant('values'), key, lows }),
  fc.record({ kind: fc.constant('run'), start: start, length: fc.integer({ min: 1, max: 140e3 }) }),
  fc.record({ kind: fc.constant('full'), key }),
  // Dense but not runs: every step-th value of a span, so bitmap containers appear.
  fc.record({
    kind: fc.constant('dense'),
    key,
    step: fc.integer({ min: 2, max: 9 }),
    span: fc.integer({ min: 1, max: 65536 }),
  }),
);
interface Piece {
  kind: string;
  key?: number;
  lows?: number[];
  start?: number;
  length?: number;
  step?: number;
  span?: number;
}

function valuesOf(pieces: Piece[]): Set<number> {
  const set = new Set<number>();
  for (const p of pieces) {
    if (p.kind === 'values') for (const low of p.lows!) set.add(p.key! * 65536 + low);
    else if (p.kind === 'run') for (let v = p.start!; v < p.start! + p.length!; v++) set.add(v);
    else if (p.kind === 'full') for (let v = 0; v < 65536; v++) set.add(p.key! * 65536 + v);
    else for (let v = 0; v < p.span!; v += p.step!) set.add(p.key! * 65536 + v);
  }
  return set;
}

const sorted = (set: Set<number>): number[] => [...set].sort((a, b) => a - b);

/** CRoaring's serialization of `values`, optionally run-optimized (else dense chunks are bitmaps). */
function croaring(values: number[], runOptimize: boolean): Uint8Array {
  const r = new RoaringBitmap32(values);
  if (runOptimize) r.runOptimize();
  const bytes = r.serialize('portable');
  r.dispose();
  return Uint8Array.from(bytes);
}

test('RoaringUnion equals an independent Set union, byte for byte as CRoaring writes it', async () => {
  await roaringLibraryInitialize();
  fc.assert(
    fc.property(fc.array(fc.array(piece, { maxLength: 5 }), { maxLength: 5 }), fc.boolean(), (bitmaps, viaCroaring) => {
      const union = new RoaringUnion();
      const all = new Set<number>();
      for (const pieces of bitmaps) {
        const values = valuesOf(pieces);
        for (const v of values) all.add(v);
        const list = sorted(values);
        // Inputs in both writers' forms: ours (run-optimized) and CRoaring's plain (bitmap containers).
        union.add(viaCroaring ? croaring(list, false) : serializeRoaring(Uint32Array.from(list)));
      }
      const expected = sorted(all);
      assert.equal(union.cardinality(), expected.length);
      const bytes = union.serialize();
      assert.equal(hex(bytes), hex(croaring(expected, true)));
      assert.deepEqual(decodeRoaring(bytes), expected);
      const runs: number[] = [];
      union.walk({ range: (a, b) => runs.push(a, b) });
      const expectedRuns: number[] = [];
      for (let i = 0; i < expected.length; i++) {
        if (i === 0 || expected[i] !== expected[i - 1]! + 1) expectedRuns.push(expected[i]!, expected[i]!);
        else expectedRuns[expectedRuns.length - 1] = expected[i]!;
      }
      assert.deepEqual(runs, expectedRuns);
    }),
    { numRuns: 50, seed: 20261126 },
  );
});

test('addRange equals the values of the range, across chunk boundaries and up to 2^32 - 1', async () => {
  await roaringLibraryInitialize();
  const range = fc.tuple(fc.integer({ min: 0, max: 3 * 65536 }), fc.integer({ min: 0, max: 70_000 }));
  fc.assert(
    fc.property(fc.array(range, { maxLength: 8 }), (ranges) => {
      const union = new RoaringUnion();
      const all = new Set<number>();
      for (const [first, extra] of ranges) {
        union.addRange(first, first + extra);
        for (let v = first; v <= first + extra; v++) all.add(v);
      }
      const expected = sorted(all);
      assert.equal(union.cardinality(), expected.length);
      assert.equal(hex(union.serialize()), hex(croaring(expected, true)));
    }),
    { numRuns: 60, seed: 7 },
  );
  const whole = new RoaringUnion();
  whole.addRange(0, 0xffff_ffff);
  whole.addRange(5, 70_000); // inside full chunks: nothing changes
  assert.equal(whole.cardinality(), 2 ** 32);
  const bytes = whole.serialize();
  // 65,536 run containers: cookie + flags (8 KiB) + keys/cards + offsets + one 6-byte run each.
  assert.equal(bytes.length, 4 + 8192 + 8 * 65536 + 6 * 65536);
  const back = new RoaringUnion();
  back.add(bytes);
  back.add(bytes);
  assert.equal(back.cardinality(), 2 ** 32);
  const r = RoaringBitmap32.deserialize(bytes, 'portable');
  assert.equal(r.size, 2 ** 32);
  r.dispose();
});

test('empty blobs and an empty union', () => {
  const empty = serializeRoaring(new Uint32Array(0));
  const union = new RoaringUnion();
  assert.equal(union.isEmpty, true);
  assert.equal(hex(union.serialize()), '3a30000000000000');
  union.add(empty);
  assert.equal(union.cardinality(), 0);
  union.add(serializeRoaring(Uint32Array.of(7)));
  union.add(empty);
  assert.deepEqual(decodeRoaring(union.serialize()), [7]);
  union.clear();
  assert.equal(union.isEmpty, true);
  assert.deepEqual(unionRoaring([]), { bitmap: empty, cardinality: 0 });
});

test('a union of 4096 scattered values per chunk stays a bitmap of 8 KiB per chunk', () => {
  // Every 16th value: 4096 runs would take 16 KiB, so the chunk must turn into a bitmap.
  const values = Uint32Array.from({ length: 4096 }, (_, i) => 16 * i);
  const union = new RoaringUnion();
  union.add(serializeRoaring(values.subarray(0, 2048)));
  union.add(serializeRoaring(values.subarray(2048)));
  assert.equal(union.cardinality(), 4096);
  assert.equal(hex(union.serialize()), hex(serializeRoaring(values)));
});

test('malformed blobs are refused', () => {
  const union = new RoaringUnion();
  assert.throws(() => union.add(Uint8Array.of(1, 2, 3, 4)), /not a portable roaring bitmap/);
  const blob = serializeRoaring(Uint32Array.of(1, 2, 5000));
  assert.throws(() => union.add(blob.subarray(0, blob.length - 1)), /truncated/);
  assert.throws(() => union.addRange(3, 2), /bad range/);
  assert.throws(() => union.addRange(0, 2 ** 32), /bad range/);
});

test('RoaringWriter refuses keys out of order', () => {
  const w = new RoaringWriter();
  w.addRuns(3, Uint16Array.of(1, 2), 1);
  assert.throws(() => w.addRuns(3, Uint16Array.of(5, 6), 1), /key 3 after 3/);
});

test('unionRoaring of two bitmaps of all 2^32 values takes milliseconds, not a list of the values', () => {
  const whole = new RoaringUnion();
  whole.addRange(0, 0xffff_ffff);
  const blob = whole.serialize();
  const half = new RoaringUnion();
  half.addRange(2 ** 31, 0xffff_ffff);
  const started = process.hrtime.bigint();
  const u = unionRoaring([blob, half.serialize(), blob]);
  assert.equal(u.cardinality, 2 ** 32);
  assert.equal(hex(u.bitmap), hex(blob));
  assert.ok(process.hrtime.bigint() - started < 5_000_000_000n, 'within 5 s');
});

test('countAnd equals the size of an independent Set intersection', () => {
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 6 }), fc.array(piece, { maxLength: 6 }), (left, right) => {
      const a = valuesOf(left);
      const b = valuesOf(right);
      const ua = new RoaringUnion();
      const ub = new RoaringUnion();
      ua.add(serializeRoaring(Uint32Array.from(sorted(a))));
      ub.add(serializeRoaring(Uint32Array.from(sorted(b))));
      let both = 0;
      for (const v of a) if (b.has(v)) both++;
      assert.equal(ua.countAnd(ub), both);
      assert.equal(ub.countAnd(ua), both);
    }),
    { numRuns: 60, seed: 3 },
  );
});

test('containers where runs and an array take the same bytes stay arrays, as in CRoaring', async () => {
  await roaringLibraryInitialize();
  // 3 values in 1 run, 5 values in 2 runs: 2 + 4 * runs = 2 * values.
  for (const values of [
    [10, 11, 12],
    [0, 1, 2, 5, 6],
    [65536 + 7, 65536 + 8, 65536 + 9],
  ]) {
    const union = new RoaringUnion();
    for (const v of values) union.addRange(v, v);
    assert.equal(hex(union.serialize()), hex(croaring(values, true)));
    const set = new TrackSet();
    for (const v of values) set.add(v);
    assert.equal(hex(set.close().bitmap), hex(croaring(values, true)));
  }
});

test('or() of two unions equals the union of their blobs', () => {
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 6 }), fc.array(piece, { maxLength: 6 }), (left, right) => {
      const a = valuesOf(left);
      const b = valuesOf(right);
      const ua = new RoaringUnion();
      const ub = new RoaringUnion();
      ua.add(serializeRoaring(Uint32Array.from(sorted(a))));
      ub.add(serializeRoaring(Uint32Array.from(sorted(b))));
      ua.or(ub);
      const both = sorted(new Set([...a, ...b]));
      assert.equal(ua.cardinality(), both.length);
      assert.equal(hex(ua.serialize()), hex(serializeRoaring(Uint32Array.from(both))));
    }),
    { numRuns: 40, seed: 5 },
  );
});
