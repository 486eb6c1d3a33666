import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MeasuredCompression } from '../../src/report/measured-compression.js';

const sample = (
  volume: string, startS: number, rawBytes: number, compressedBytes: number, zeroTracks = 0, dupTracks = 0,
) => ({
  runId: 1, volume, startS, tracksSampled: rawBytes / 65_536, rawBytes, compressedBytes, zeroTracks, dupTracks,
});

const SAMPLES = [
  sample('a', 0, 4 * 65_536, 65_536, 2, 1), // 4:1
  sample('a', 60, 2 * 65_536, 2 * 65_536), // 1:1
  sample('b', 0, 65_536, 32_768), // 2:1
  { ...sample('b', 0, 65_536, 16_384, 1, 0), runId: 2 }, // another run's sample of the same interval: pooled
];

test('measured compression: per-interval ratios, pooled across runs, default where none was sampled', () => {
  const m = new MeasuredCompression(SAMPLES, 1.5);
  assert.equal(m.measuredRatio('a', 0), 4);
  assert.equal(m.measuredRatio('a', 60), 1);
  assert.equal(m.measuredRatio('b', 0), (2 * 65_536) / (32_768 + 16_384)); // 131072 / 49152
  assert.equal(m.measuredRatio('a', 120), null);
  assert.equal(m.ratioAt('a', 120), 1.5);
});

test('measured compression: the effective ratio weights intervals by changed tracks, counting fallbacks', () => {
  const m = new MeasuredCompression(SAMPLES);
  const intervals = [
    { volume: 'a', startS: 0, changedTracks: 100 }, // 100 / 4 = 25 on the wire
    { volume: 'a', startS: 60, changedTracks: 50 }, // 50 / 1 = 50
    { volume: 'a', startS: 120, changedTracks: 30 }, // no sample: 30 / 1 = 30
  ];
  // Hand-computed: 180 changed tracks, 105 sent.
  assert.deepEqual(m.effective(intervals), { ratio: 180 / 105, measuredIntervals: 2, fallbackIntervals: 1 });
  assert.deepEqual(m.effective([]), { ratio: 1, measuredIntervals: 0, fallbackIntervals: 0 });
  assert.deepEqual(m.summaryOf('a', [...intervals, { volume: 'b', startS: 0, changedTracks: 9 }]), {
    ratio: 180 / 105, zeroShare: 2 / 6, dedupShare: 1 / 6, tracksSampled: 6,
  });
  assert.deepEqual(m.summaryOf('c', []), { ratio: 1, zeroShare: 0, dedupShare: 0, tracksSampled: 0 });
  assert.equal(m.assumption(m.effective(intervals)),
    'compression measured (deflate level 1 on sampled changed tracks): 1.71:1 effective; ' +
    '2 intervals measured, 1 without samples at 1:1');
  assert.throws(() => new MeasuredCompression([], 0), /default ratio must be above 0/);
});
