import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serializeRoaring } from '../../src/bitmap/roaring.js';
import { TokenBucket, pickTracks, sampleSeedOf } from '../../src/live/compression-sampler.js';

// Ten tracks over two roaring containers, with a run in the first.
const TRACKS = [3, 4, 5, 6, 40, 65_536, 65_540, 70_000, 70_001, 131_071];
const BITMAP = serializeRoaring(Uint32Array.from(TRACKS));

test('pickTracks: asking for as many tracks as there are returns every track', () => {
  assert.deepEqual(pickTracks(BITMAP, TRACKS.length, 64, 1), TRACKS);
  assert.deepEqual(pickTracks(BITMAP, TRACKS.length, TRACKS.length, 99), TRACKS);
  assert.deepEqual(pickTracks(BITMAP, TRACKS.length, 0, 1), []);
});

test('pickTracks: a seeded choice of distinct tracks, ascending, each track equally likely', () => {
  const a = pickTracks(BITMAP, TRACKS.length, 3, 12345);
  assert.deepEqual(pickTracks(BITMAP, TRACKS.length, 3, 12345), a, 'the same seed picks the same tracks');
  assert.equal(a.length, 3);
  assert.equal(new Set(a).size, 3);
  assert.deepEqual(
    [...a].sort((x, y) => x - y),
    a,
  );
  for (const t of a) assert.ok(TRACKS.includes(t), `${t} is a changed track`);
  // 20,000 seeds picking 3 of 10: each track is expected 6,000 times (binomial sd 65).
  const counts = new Map<number, number>(TRACKS.map((t) => [t, 0]));
  for (let seed = 0; seed < 20_000; seed++) {
    const picked = pickTracks(BITMAP, TRACKS.length, 3, sampleSeedOf('h/sdb', seed * 60, 0));
    for (const t of picked) counts.set(t, counts.get(t)! + 1);
  }
  for (const [t, n] of counts) {
    assert.ok(Math.abs(n - 6000) < 6 * 65, `track ${t} picked ${n} times, expected 6000 ± 390`);
  }
});

test('sampleSeedOf: differs by volume, interval and seed; FNV-1a of the text when the seed is 0', () => {
  // FNV-1a 32 of "a\0" + "1", computed by hand from the algorithm's definition.
  let h = 0x811c9dc5;
  for (const c of [0x61, 0, 0x31]) h = Math.imul(h ^ c, 0x01000193) >>> 0;
  assert.equal(sampleSeedOf('a', 1, 0), h);
  assert.notEqual(sampleSeedOf('a', 1, 0), sampleSeedOf('a', 2, 0));
  assert.notEqual(sampleSeedOf('a', 1, 0), sampleSeedOf('a', 1, 7));
});

test('TokenBucket: the first burst is immediate, then bytes follow the rate', async () => {
  const rateBytesPerS = 1024 * 1024;
  const bucket = new TokenBucket(rateBytesPerS, 65_536);
  const t0 = performance.now();
  await bucket.take(65_536); // the burst
  assert.ok(performance.now() - t0 < 50, 'the burst does not wait');
  for (let i = 0; i < 4; i++) await bucket.take(65_536);
  // 4 more tracks of 64 KiB at 1 MiB/s: 4 x 62.5 ms at least.
  const elapsedMs = performance.now() - t0;
  assert.ok(elapsedMs >= 250 - 1, `4 tracks at 1 MiB/s took ${elapsedMs} ms, not at least 250 ms`);
});
