import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bioLayoutOf, decodeRingPage } from '../../src/live/ring-page.js';
import { BIO_QUEUE_FORMAT as FORMAT } from '../../bench/bio-format.js';

/** Build a ring-buffer page: header (timestamp, commit) then the given event words. */
function page(timestampNs: number, events: Buffer[]): Uint8Array {
  const data = Buffer.concat(events);
  const p = Buffer.alloc(4096);
  p.writeBigUInt64LE(BigInt(timestampNs), 0);
  p.writeUInt32LE(data.length, 8);
  data.copy(p, 16);
  return new Uint8Array(p);
}

const header = (typeLen: number, delta: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(((delta << 5) | typeLen) >>> 0);
  return b;
};

function bio(id: number, dev: number, sector: number, sectors: number, rwbs: string): Buffer {
  const b = Buffer.alloc(56); // 54 bytes of fields, padded to 4
  b.writeUInt16LE(id, 0);
  b.writeUInt32LE(dev, 8);
  b.writeBigUInt64LE(BigInt(sector), 16);
  b.writeUInt32LE(sectors, 24);
  b.write(rwbs, 28, 'latin1');
  return b;
}

test('ring pages: data events, time extends, long events, padding and other events', () => {
  const layout = bioLayoutOf(FORMAT);
  assert.deepEqual(layout, {
    eventId: 2097,
    devOffset: 8,
    sectorOffset: 16,
    nrSectorOffset: 24,
    rwbsOffset: 28,
    rwbsSize: 10,
  });
  const dev = (7 << 20) | 0;
  const long = Buffer.alloc(4);
  long.writeUInt32LE(56 + 4); // type_len 0: array[0] = data length + 4
  const extend = Buffer.alloc(4);
  extend.writeUInt32LE(3); // 3 << 27 ns
  const pad = Buffer.alloc(4);
  pad.writeUInt32LE(16); // a padding event is array[0] + 4 bytes long: this word and 12 more
  const p = page(1_000_000_000, [
    header(14, 100),
    bio(2097, dev, 1280, 128, 'WS'), // 14 x 4 = 56 bytes inline
    header(0, 50),
    long,
    bio(2097, dev, 8, 8, 'W'),
    header(14, 5),
    bio(2097, dev, 0, 8, 'R'), // a read: not counted
    header(14, 5),
    bio(2096, dev, 64, 8, 'W'), // another event id
    header(30, 7),
    extend, // time extend
    header(29, 1),
    pad,
    Buffer.alloc(12), // a discarded event's padding
    header(14, 0),
    bio(2097, dev, 16, 8, 'WD'), // a discard: skipped
    header(14, 2),
    bio(2097, dev, 24, 0, 'FWS'), // a flush with no data: skipped
    header(14, 3),
    bio(2097, dev + 16, 32, 16, 'W'),
  ]);
  const seen: [number, number, number, number][] = [];
  const n = decodeRingPage(p, p.length, layout, { bio: (t, d, s, c) => seen.push([t, d, s, c]) });
  assert.equal(n, 3);
  const t0 = 1_000_000_000;
  assert.deepEqual(seen, [
    [t0 + 100, dev, 1280, 128],
    [t0 + 150, dev, 8, 8],
    [t0 + 160 + 7 + 3 * 2 ** 27 + 1 + 0 + 2 + 3, dev + 16, 32, 16],
  ]);
});

test('ring pages: a short or empty page decodes to nothing', () => {
  const layout = bioLayoutOf(FORMAT);
  assert.equal(decodeRingPage(new Uint8Array(8), 8, layout, { bio: () => assert.fail() }), 0);
  assert.equal(decodeRingPage(page(5, []), 4096, layout, { bio: () => assert.fail() }), 0);
  assert.throws(() => bioLayoutOf('ID: 1\n'), /block_bio_queue format has no field rwbs/);
});
