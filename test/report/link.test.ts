import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bandwidthPerPathBps,
  pathsNeeded,
  requiredBandwidthBps,
  resyncSeconds,
  wireBytes,
} from '../../src/report/link.js';
import { sizeLink } from '../../src/report/sizing.js';
import { percentile, summarize } from '../../src/report/percentile.js';

const params = { overhead: 0.25, compression: 2, efficiency: 0.5 };

test('link formulas: D = bytes (1 + overhead) / compression; 8 D / (R efficiency); paths; resync time', () => {
  assert.equal(wireBytes(1e9, params), 6.25e8);
  assert.equal(requiredBandwidthBps(1e9, 100, params), 1e8);
  assert.equal(pathsNeeded(1e8, 30e6), 4);
  assert.equal(pathsNeeded(300e6, 100e6), 3);
  assert.equal(pathsNeeded(0, 100e6), 1);
  assert.equal(bandwidthPerPathBps(1e8, 4), 25e6);
  assert.equal(resyncSeconds(1e9, { paths: 2, pathBps: 100e6 }, params), 50);
});

test('sizing gives only the figures whose inputs were given', () => {
  assert.deepEqual(sizeLink(1e9, { resyncS: 100, pathBps: 30e6, link: { paths: 2, pathBps: 100e6 }, params }), {
    requiredBandwidthBps: 1e8,
    pathBps: 30e6,
    paths: 4,
    requiredPerPathBps: 25e6,
    resyncSeconds: 50,
  });
  assert.deepEqual(sizeLink(1e9, { resyncS: null, pathBps: null, link: null, params }), {});
});

test('nearest-rank percentiles', () => {
  const sorted = Float64Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(sorted, 50), 50);
  assert.equal(percentile(sorted, 95), 95);
  assert.equal(percentile(sorted, 99), 99);
  assert.equal(percentile(Float64Array.of(7), 99), 7);
  assert.deepEqual(summarize([5, 1, 3]), { intervals: 3, peak: 5, p50: 3, p95: 5, p99: 5, mean: 3 });
  assert.deepEqual(summarize([]), { intervals: 0, peak: 0, p50: 0, p95: 0, p99: 0, mean: 0 });
});
