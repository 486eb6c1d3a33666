import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BinaryCopyParser, sqlInteger, type CopyField } from '../../src/store/postgres-copy.js';

// A binary COPY stream written by hand from the format PostgreSQL documents for COPY BINARY:
// an 11-byte signature, an int32 of flags, an int32 header-extension length and that many bytes;
// per row an int16 field count then per field an int32 length (-1 for null) and the bytes; an
// int16 of -1 to end.
const SIGNATURE = [0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00];

function be(n: number | bigint, bytes: 2 | 4 | 8): number[] {
  const b = Buffer.alloc(bytes);
  if (bytes === 2) b.writeInt16BE(Number(n));
  else if (bytes === 4) b.writeInt32BE(Number(n));
  else b.writeBigInt64BE(BigInt(n));
  return [...b];
}

type Written = { int: number | bigint; bytes: 2 | 4 | 8 } | { raw: number[] } | { text: string } | null;

function stream(rows: Written[][], extension: number[] = []): Uint8Array {
  const parts: number[][] = [SIGNATURE, be(0, 4), be(extension.length, 4), extension];
  for (const row of rows) {
    parts.push(be(row.length, 2));
    for (const f of row) {
      if (f === null) parts.push(be(-1, 4));
      else if ('int' in f) parts.push(be(f.bytes, 4), be(f.int, f.bytes));
      else if ('raw' in f) parts.push(be(f.raw.length, 4), f.raw);
      else {
        const utf8 = [...Buffer.from(f.text, 'utf8')];
        parts.push(be(utf8.length, 4), utf8);
      }
    }
  }
  parts.push(be(-1, 2));
  return Uint8Array.from(parts.flat());
}

/** Feed `bytes` cut at `cuts` (offsets), then read the rows, with byte arrays as plain arrays. */
function parse(bytes: Uint8Array, columns: string, cuts: number[] = []): unknown[][] {
  const parser = new BinaryCopyParser(columns);
  let from = 0;
  for (const at of [...cuts.filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b), bytes.length]) {
    const piece = Buffer.from(bytes.subarray(from, at));
    parser.push(piece);
    piece.fill(0xee); // the caller's buffer is reused: the parser must have copied it
    from = at;
  }
  return parser.end().map((row) => row.map((f: CopyField) => (f instanceof Uint8Array ? [...f] : f)));
}

const ROWS: Written[][] = [
  [
    { int: 1767225600, bytes: 8 },
    { int: -7, bytes: 4 },
    { raw: [1, 2, 3, 0, 255] },
    { text: 'vol-é' },
    { int: -2, bytes: 2 },
  ],
  [{ int: 2 ** 53 - 1, bytes: 8 }, { int: 2 ** 31 - 1, bytes: 4 }, { raw: [] }, null, { int: 32767, bytes: 2 }],
  [{ int: -(2 ** 53 - 1), bytes: 8 }, null, null, { text: '' }, null],
];
const EXPECTED = [
  [1767225600, -7, [1, 2, 3, 0, 255], 'vol-é', -2],
  [2 ** 53 - 1, 2 ** 31 - 1, [], null, 32767],
  [-(2 ** 53 - 1), null, null, '', null],
];

test('binary COPY: integers of 2, 4 and 8 bytes, bytes, UTF-8 text and nulls, read as written', () => {
  assert.deepEqual(parse(stream(ROWS), 'iibti'), EXPECTED);
  // A header extension is skipped; no rows at all is an empty result.
  assert.deepEqual(parse(stream(ROWS, [9, 9, 9]), 'iibti'), EXPECTED);
  assert.deepEqual(parse(stream([]), 'iibti'), []);
});

test('binary COPY: an int8 past 2^53 is read as the nearest double', () => {
  const big = [40n * 2n ** 48n, -(2n ** 62n), 2n ** 53n + 1n, 2n ** 54n + 6n].map((int) => ({
    int,
    bytes: 8 as const,
  }));
  // 2^53 + 1 lies halfway between the doubles 2^53 and 2^53 + 2: ties go to the even one, 2^53;
  // the doubles near 2^54 are 4 apart: 2^54 + 6 is halfway between 2^54 + 4 and 2^54 + 8, even 2^54 + 8.
  assert.deepEqual(parse(stream([big]), 'iiii'), [
    [11_258_999_068_426_240, -4_611_686_018_427_387_904, 9_007_199_254_740_992, 18_014_398_509_481_992],
  ]);
});

test('binary COPY: the same rows whatever the stream is cut into, one byte at a time included', () => {
  const bytes = stream(ROWS, [1, 2]);
  const every = Array.from({ length: bytes.length }, (_, i) => i);
  assert.deepEqual(parse(bytes, 'iibti', every), EXPECTED);
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: bytes.length }), { maxLength: 12 }), (cuts) => {
      assert.deepEqual(parse(bytes, 'iibti', cuts), EXPECTED);
    }),
    { numRuns: 300 },
  );
});

test('binary COPY: a large field arriving in many pieces is read whole', () => {
  const raw = Array.from({ length: 200_000 }, (_, i) => (i * 7) & 255);
  const bytes = stream([[{ raw }, { int: 5, bytes: 4 }]]);
  const cuts = Array.from({ length: Math.floor(bytes.length / 997) }, (_, i) => (i + 1) * 997);
  const [row] = parse(bytes, 'bi', cuts) as [[number[], number]];
  assert.equal(row[0].length, raw.length);
  assert.deepEqual(row[0], raw);
  assert.equal(row[1], 5);
});

test('binary COPY: streams that are not right are refused, naming what is wrong', () => {
  const good = stream(ROWS);
  const refuses = (bytes: Uint8Array, columns: string, message: RegExp): void => {
    assert.throws(() => parse(bytes, columns), message);
  };
  refuses(Uint8Array.from([...good.subarray(0, 3), 0x00, ...good.subarray(4)]), 'iibti', /signature/);
  refuses(good.subarray(0, good.length - 2), 'iibti', /ends early/); // no trailer
  refuses(good.subarray(0, 15), 'iibti', /ends early/); // inside the header
  refuses(Uint8Array.from([...good, 0]), 'iibti', /after its trailer/);
  refuses(good, 'iib', /5 fields, 3 expected/);
  refuses(stream([[{ raw: [1, 2, 3] }]]), 'i', /integer field of 3 bytes/);
});

test('sqlInteger: whole numbers within bigint only', () => {
  assert.equal(sqlInteger(0), '0');
  assert.equal(sqlInteger(-(2 ** 53)), '-9007199254740992');
  assert.equal(sqlInteger(2 ** 62), '4611686018427387904');
  for (const bad of [0.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 63, -(2 ** 63)]) {
    assert.throws(() => sqlInteger(bad), /not a whole number/);
  }
});
