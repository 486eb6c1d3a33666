import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { serializeRoaring } from '../../src/bitmap/roaring.js';
import { linkParamsOrMeasured, measuredLink } from '../../src/cli/measured-compression.js';
import { loadCells } from '../../src/cli/store-access.js';
import { EMPTY_SCOPE } from '../../src/collect/scope.js';
import { UsageError } from '../../src/errors.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { tempDir } from '../helpers.js';

const row = (volume: string, startS: number, tracks: number[]) => ({
  volume, startS, writes: tracks.length, writeBytes: tracks.length * 65_536, reads: 0, readBytes: 0,
  changedTracks: tracks.length, bitmap: serializeRoaring(Uint32Array.from(tracks)), writeProfile: new Uint8Array(),
});

test('--compression measured: flags', () => {
  assert.deepEqual(linkParamsOrMeasured({ compression: 'measured' }),
    { params: { overhead: 0, compression: 1, efficiency: 1 }, measured: true });
  assert.equal(linkParamsOrMeasured({ compression: 'measured', 'compression-default': '2:1' }).params.compression, 2);
  assert.deepEqual(linkParamsOrMeasured({ compression: '3' }),
    { params: { overhead: 0, compression: 3, efficiency: 1 }, measured: false });
  assert.throws(() => linkParamsOrMeasured({ 'compression-default': '2' }),
    (e: unknown) => e instanceof UsageError && /goes with --compression measured/.test(e.message));
});

test('--compression measured: the effective ratio and per-volume summaries from a real store', async () => {
  const store = new SqliteStore(join(tempDir(), 'measured.db'));
  try {
    await store.useSettings({ intervalS: 60, trackBytes: 65_536 });
    const run = await store.beginRun('h', [], true);
    await store.writeIntervals(run, [row('h/a', 0, [1, 2, 3, 4]), row('h/a', 60, [5, 6]), row('h/b', 0, [7])]);
    await store.writeCompressionSamples([
      { runId: run, volume: 'h/a', startS: 0, tracksSampled: 4, rawBytes: 4 * 65_536, compressedBytes: 65_536,
        zeroTracks: 2, dupTracks: 1 },
      { runId: run, volume: 'h/b', startS: 0, tracksSampled: 1, rawBytes: 65_536, compressedBytes: 32_768,
        zeroTracks: 0, dupTracks: 0 },
    ]);
    const cells = await loadCells(store, { intervalS: 60, trackBytes: 65_536 }, EMPTY_SCOPE, null, null);
    const m = await measuredLink(store, cells, { overhead: 0.1, compression: 1, efficiency: 0.9 }, 60);
    // Hand-computed: h/a@0 4 tracks at 4:1 -> 1; h/a@60 2 tracks, no sample, 1:1 -> 2; h/b@0 1 track at 2:1 -> 0.5.
    assert.deepEqual(m.effective, { ratio: 7 / 3.5, measuredIntervals: 2, fallbackIntervals: 1 });
    assert.deepEqual(m.params, { overhead: 0.1, compression: 2, efficiency: 0.9 });
    assert.deepEqual(Object.fromEntries(m.perVolume), {
      'h/a': { ratio: 6 / 3, zeroShare: 0.5, dedupShare: 0.25, tracksSampled: 4 },
      'h/b': { ratio: 2, zeroShare: 0, dedupShare: 0, tracksSampled: 1 },
    });
    assert.equal(m.ratioAt('h/a', 60), 1);
    assert.equal(m.assumption, 'compression measured (deflate level 1 on sampled changed tracks): 2:1 effective; ' +
      '2 intervals measured, 1 without samples at 1:1');
  } finally {
    await store.close();
  }
});
