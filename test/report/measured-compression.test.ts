import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MeasuredCompression } from '../../src/report/measured-compression.js';

const sample = (
  volume: string,
  startS: number,
  rawBytes: number,
  compressedBytes: number,
  zeroTracks = 0,
  dupTracks = 0,
) => ({
  runId: 1,
  volume,
  startS,
  tracksSampled: rawBytes / 65_536,
  rawBytes,
  compressedBytes,
  zeroTracks,
  dupTracks,
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
  // Hand-computed: 180 changed tracks, 105 sent. 95 % range (compression-confidence.ts): deflate's worst case for
  // a 64 KiB track is R = (65536 + 16 + 4 + 7) / 65536; spread = (100R)²/4 + (50R)²/2 = 3750 R²;
  // ε = R·sqrt(ln(40)/2 · 3750) ≈ 83.20 tracks. High wire = min(105 + ε, 150R + 30) = 150R + 30 (every sampled
  // interval incompressible); low wire = max(105 − ε, 30) = 30 (the fallback's 30 tracks, measured ones at 0).
  const R = 65_563 / 65_536;
  const effective = m.effective(intervals);
  assert.equal(effective.ratio, 180 / 105);
  assert.deepEqual(effective.confidence, { level: 0.95, ratioLow: 180 / (150 * R + 30), ratioHigh: 6 });
  assert.deepEqual([effective.measuredIntervals, effective.fallbackIntervals], [2, 1]);
  assert.deepEqual(m.effective([]), {
    ratio: 1,
    confidence: { level: 0.95, ratioLow: 1, ratioHigh: 1 },
    measuredIntervals: 0,
    fallbackIntervals: 0,
  });
  const summaries = m.summaries(['a', 'c'], [...intervals, { volume: 'b', startS: 0, changedTracks: 9 }]);
  assert.deepEqual([...summaries.keys()], ['a', 'c']);
  assert.deepEqual(summaries.get('a'), {
    ratio: 180 / 105,
    confidence: effective.confidence,
    zeroShare: 2 / 6,
    dedupShare: 1 / 6,
    tracksSampled: 6,
  });
  assert.deepEqual(summaries.get('c'), {
    ratio: 1,
    confidence: { level: 0.95, ratioLow: 1, ratioHigh: 1 },
    zeroShare: 0,
    dedupShare: 0,
    tracksSampled: 0,
  });
  assert.equal(
    m.assumption(effective),
    'compression measured (deflate level 1 on sampled changed tracks): 1.71:1 effective ' +
      '(95 % confidence: 1–6:1); 2 intervals measured, 1 without samples at 1:1',
  );
  assert.throws(() => new MeasuredCompression([], 0), /default ratio must be above 0/);
});

test('measured compression: the confidence range narrows with the sample and is exact when every changed track was read', () => {
  // One interval, 64 of 10,000 changed tracks sampled, compressing 2:1; then the same ratio from all 10,000.
  const few = new MeasuredCompression([sample('v', 0, 64 * 65_536, 32 * 65_536)]);
  const all = new MeasuredCompression([sample('v', 0, 10_000 * 65_536, 5_000 * 65_536)]);
  const changed = [{ volume: 'v', startS: 0, changedTracks: 10_000 }];
  const R = 65_563 / 65_536;
  // ε = R·10,000·sqrt(ln(40)/2 / 64) tracks around the 5,000 sent: 0.5 ± 0.16983 of a track each (1,698.3 tracks).
  const epsilon = R * 10_000 * Math.sqrt(Math.log(40) / 2 / 64);
  const c = few.effective(changed).confidence;
  assert.equal(c.ratioLow, 10_000 / (5_000 + epsilon));
  assert.equal(c.ratioHigh, 10_000 / (5_000 - epsilon));
  assert.ok(Math.abs(c.ratioLow - 1.4929) < 1e-4 && Math.abs(c.ratioHigh! - 3.0288) < 1e-4);
  assert.deepEqual(all.effective(changed).confidence, { level: 0.95, ratioLow: 2, ratioHigh: 2 });
  // Mostly zeros: 64 tracks compressing 1000:1 cannot rule out far better ratios — no upper bound.
  const zeros = new MeasuredCompression([sample('v', 0, 64 * 65_536, 64 * 65.536)]);
  assert.equal(zeros.effective(changed).confidence.ratioHigh, null);
  assert.match(zeros.assumption(zeros.effective(changed)), /\(95 % confidence: at least 5\.85:1\)/);
});
