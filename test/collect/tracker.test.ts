import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tracker, type IntervalRecord } from '../../src/collect/tracker.js';
import { intervalStartUs } from '../../src/collect/interval.js';
import { firstTrackOf, lastTrackOf } from '../../src/units/track.js';
import { IoBatch } from '../../src/readers/batch.js';
import { decodeRoaring } from '../../src/bitmap/roaring.js';
import { unionRoaring } from '../../src/bitmap/union.js';
import { prng } from '../../bench/generate.js';
import { mergeProfiles, profileEntries } from '../../src/store/write-profile.js';

type Rec = [volume: number, timeS: number, offset: number, length: number, write: boolean];

function track(
  records: Rec[],
  options: { intervalS?: number; trackBytes?: number; lateIntervals?: number } = {},
): IntervalRecord[] {
  const tracker = new Tracker({
    intervalS: options.intervalS ?? 60,
    trackBytes: options.trackBytes ?? 65536,
    lateIntervals: options.lateIntervals ?? 2,
  });
  const out: IntervalRecord[] = [];
  const batch = new IoBatch((b) => {
    tracker.add(b);
    out.push(...tracker.drainClosed());
  }, 3);
  for (const [v, t, o, l, w] of records) batch.push(v, t * 1e6, o, l, w);
  batch.flush();
  tracker.finish();
  out.push(...tracker.drainClosed());
  return out;
}

/** Merge closings of the same (volume, interval) as the store does, keyed and sorted. */
function merged(
  records: IntervalRecord[],
): Map<string, { writes: number; writeBytes: number; reads: number; tracks: number[]; profile: [number, number][] }> {
  const byKey = new Map<string, IntervalRecord[]>();
  for (const r of records) {
    const key = `${r.startS}/${r.volume}`;
    byKey.set(key, [...(byKey.get(key) ?? []), r]);
  }
  const out = new Map<
    string,
    { writes: number; writeBytes: number; reads: number; tracks: number[]; profile: [number, number][] }
  >();
  for (const key of [...byKey.keys()].sort()) {
    const list = byKey.get(key)!;
    out.set(key, {
      writes: list.reduce((n, r) => n + r.writes, 0),
      writeBytes: list.reduce((n, r) => n + r.writeBytes, 0),
      reads: list.reduce((n, r) => n + r.reads, 0),
      tracks: decodeRoaring(unionRoaring(list.map((r) => r.bitmap)).bitmap),
      profile: profileEntries(list.map((r) => r.writeProfile).reduce(mergeProfiles)),
    });
  }
  return out;
}

test('interval starts are epoch aligned and exact at boundaries', () => {
  assert.equal(intervalStartUs(1767571259_999999, 60e6), 1767571200e6);
  assert.equal(intervalStartUs(1767571260_000000, 60e6), 1767571260e6);
  assert.equal(intervalStartUs(299_999_999, 300e6), 0);
  assert.equal(intervalStartUs(-1, 300e6), -300e6);
  const tracks = (o: number, l: number, t: number): number[] => [firstTrackOf(o, t), lastTrackOf(o, l, t)];
  assert.deepEqual(tracks(196096, 1024, 65536), [2, 3]);
  assert.deepEqual(tracks(65536, 65536, 65536), [1, 1]);
  assert.deepEqual(tracks(56663, 2, 56664), [0, 1]);
});

test('first write sets a track; rewrites fold; reads never set flags', () => {
  const out = track([
    [0, 1, 0, 4096, true],
    [0, 2, 4096, 4096, true], // same track 0
    [0, 3, 65536 * 5, 65536 * 3, true], // tracks 5, 6, 7
    [0, 4, 65536 * 9, 4096, false], // read of track 9
    [1, 5, 0, 0, true], // zero-length write: counted, no track
  ]);
  assert.equal(out.length, 2);
  const plain = (r: IntervalRecord) => ({
    ...r,
    bitmap: decodeRoaring(r.bitmap),
    writeProfile: profileEntries(r.writeProfile),
  });
  assert.deepEqual(plain(out[0]!), {
    volume: 0,
    startS: 0,
    writes: 3,
    writeBytes: 204800,
    reads: 1,
    readBytes: 4096,
    changedTracks: 4,
    bitmap: [0, 5, 6, 7],
    writeProfile: [
      [1, 4096],
      [2, 4096],
      [3, 196608],
    ],
  });
  assert.deepEqual(plain(out[1]!), {
    volume: 1,
    startS: 0,
    writes: 1,
    writeBytes: 0,
    reads: 0,
    readBytes: 0,
    changedTracks: 0,
    bitmap: [],
    writeProfile: [],
  });
});

test('flags are cleared for the next interval', () => {
  const out = track([
    [0, 10, 0, 512, true],
    [0, 70, 0, 512, true],
    [0, 130, 65536, 512, true],
  ]);
  assert.deepEqual(
    out.map((r) => [r.startS, r.changedTracks, decodeRoaring(r.bitmap)]),
    [
      [0, 1, [0]],
      [60, 1, [0]],
      [120, 1, [1]],
    ],
  );
});

test('3390 tracks: a write crossing a 56,664-byte boundary touches two tracks', () => {
  const out = track([[0, 0, 56664 - 100, 200, true]], { trackBytes: 56664 });
  assert.deepEqual(decodeRoaring(out[0]!.bitmap), [0, 1]);
});

test('out-of-order input gives exactly the sorted-input result, whatever the lateness window', () => {
  const rand = prng(9);
  const records: Rec[] = [];
  for (let i = 0; i < 5000; i++)
    records.push([
      Math.floor(rand() * 3),
      Math.floor(rand() * 900),
      Math.floor(rand() * 2e8),
      1 + Math.floor(rand() * 300000),
      rand() < 0.8,
    ]);
  const sorted = [...records].sort((a, b) => a[1] - b[1]);
  const expected = merged(track(sorted));
  for (const late of [0, 1, 2, 20])
    assert.deepEqual(merged(track(records, { lateIntervals: late })), expected, `lateIntervals ${late}`);
  // Sorted input closes each (volume, interval) exactly once.
  const once = track(sorted);
  assert.equal(new Set(once.map((r) => `${r.startS}/${r.volume}`)).size, once.length);
});

test('a record beyond 2^32 tracks is refused', () => {
  assert.throws(() => track([[0, 0, 2 ** 32 * 512, 512, true]], { trackBytes: 512 }), /beyond the 2\^32 tracks/);
});
