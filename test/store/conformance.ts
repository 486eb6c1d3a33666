import { test as nodeTest } from 'node:test';
import assert from 'node:assert/strict';
import type { IntervalRow, SourceInfo, Store } from '../../src/store/store.js';
import { serializeRoaring, decodeRoaring } from '../../src/bitmap/roaring.js';
import { UsageError } from '../../src/errors.js';
import { encodeProfile, profileEntries } from '../../src/collect/write-profile.js';

const source = (path: string, fingerprint: string): SourceInfo => ({ path, fingerprint, bytes: 100, format: 'msr' });

const row = (volume: string, startS: number, tracks: number[], writes = tracks.length): IntervalRow => ({
  volume, startS, writes, writeBytes: writes * 4096, reads: 1, readBytes: 512, changedTracks: tracks.length, bitmap: serializeRoaring(Uint32Array.from(tracks)),
  writeProfile: encodeProfile(Float64Array.of(0, writes * 4096)),
});

const plain = (rows: IntervalRow[]) => rows.map((r) => ({ ...r, bitmap: decodeRoaring(r.bitmap), writeProfile: profileEntries(r.writeProfile), partial: r.partial === true }));

/**
 * The conformance suite every Store implementation must pass. `open` gives a fresh, empty
 * store each call; `reopen` opens the same store again (restart). `skip` (a reason) registers
 * every test as skipped with that reason, so a store that cannot run here shows up as skipped.
 */
export function storeConformance(
  name: string,
  open: () => Promise<{ store: Store; reopen: () => Promise<Store> }>,
  skip: string | false = false,
): void {
  const test = (title: string, fn: () => Promise<void>): void => void nodeTest(title, { skip }, fn);
  test(`${name}: settings are recorded once and mismatches refused`, async () => {
    const { store, reopen } = await open();
    assert.equal(await store.getSettings(), null);
    await store.useSettings({ intervalS: 300, trackBytes: 65536 });
    await store.useSettings({ intervalS: 300, trackBytes: 65536 });
    await assert.rejects(store.useSettings({ intervalS: 60, trackBytes: 65536 }), (e: unknown) => e instanceof UsageError && /holds 300 s intervals of 65536 B tracks/.test(e.message));
    await assert.rejects(store.useSettings({ intervalS: 300, trackBytes: 56664 }), UsageError);
    await store.close();
    const again = await reopen();
    assert.deepEqual(await again.getSettings(), { intervalS: 300, trackBytes: 65536 });
    await again.close();
  });

  test(`${name}: a running run is invisible; finishing makes it visible; survives reopening`, async () => {
    const { store, reopen } = await open();
    await store.useSettings({ intervalS: 60, trackBytes: 65536 });
    const run = await store.beginRun('host1', [source('a.csv', 'fp-a')]);
    await store.writeIntervals(run, [row('v1', 0, [1, 2, 3]), row('v2', 0, [7])]);
    assert.deepEqual(await store.readIntervals({}), []);
    await store.writeIntervals(run, [row('v1', 60, [3])]);
    await store.finishRun(run, { records: 10, skipped: 1 }, [], [source('a.csv', 'fp-a')]);
    const expected = [row('v1', 0, [1, 2, 3]), row('v2', 0, [7]), row('v1', 60, [3])];
    assert.deepEqual(plain(await store.readIntervals({})), plain(expected));
    assert.deepEqual(plain(await store.readIntervals({ fromS: 60 })), plain(expected.slice(2)));
    assert.deepEqual(plain(await store.readIntervals({ toS: 60 })), plain(expected.slice(0, 2)));
    await store.close();
    const again = await reopen();
    assert.deepEqual(plain(await again.readIntervals({})), plain(expected));
    const [info] = await again.listRuns();
    assert.equal(info!.status, 'complete');
    assert.equal(info!.records, 10);
    assert.equal(info!.skipped, 1);
    assert.deepEqual(info!.sources, [source('a.csv', 'fp-a')]);
    assert.deepEqual((await again.findRunsBySource('fp-a')).map((r) => r.id), [run]);
    await again.close();
  });

  test(`${name}: the same (volume, interval) written twice in a run is merged exactly`, async () => {
    const { store } = await open();
    await store.useSettings({ intervalS: 60, trackBytes: 65536 });
    const run = await store.beginRun('h', [source('b.csv', 'fp-b')]);
    await store.writeIntervals(run, [row('v1', 0, [1, 2, 3], 5)]);
    await store.writeIntervals(run, [row('v1', 0, [3, 4, 70000], 2)]);
    await store.finishRun(run, { records: 7, skipped: 0 }, [], [source('b.csv', 'fp-b')]);
    const [merged] = plain(await store.readIntervals({}));
    assert.deepEqual(merged, { volume: 'v1', startS: 0, writes: 7, writeBytes: 7 * 4096, reads: 2, readBytes: 1024, changedTracks: 5, bitmap: [1, 2, 3, 4, 70000], writeProfile: [[1, 7 * 4096]], partial: false });
    await store.close();
  });

  test(`${name}: a numbered batch is written at most once`, async () => {
    const { store } = await open();
    await store.useSettings({ intervalS: 60, trackBytes: 65536 });
    const run = await store.beginRun('h', [], true);
    await store.writeIntervals(run, [row('v1', 0, [1, 2])], 1);
    await store.writeIntervals(run, [row('v1', 0, [1, 2])], 1); // resent after a lost acknowledgement
    await store.writeIntervals(run, [row('v1', 0, [3])], 2);
    assert.deepEqual(plain(await store.readIntervals({})).map((r) => [r.writes, r.bitmap]), [[3, [1, 2, 3]]]);
    await store.close();
  });

  test(`${name}: aborting removes everything a run wrote; replacing deletes the old run atomically`, async () => {
    const { store } = await open();
    await store.useSettings({ intervalS: 60, trackBytes: 65536 });
    const first = await store.beginRun('h', [source('c.csv', 'fp-c')]);
    await store.writeIntervals(first, [row('v1', 0, [1])]);
    await store.finishRun(first, { records: 1, skipped: 0 }, [], [source('c.csv', 'fp-c')]);
    const bad = await store.beginRun('h', [source('d.csv', 'fp-d')]);
    await store.writeIntervals(bad, [row('v1', 0, [2])]);
    await store.abortRun(bad);
    assert.deepEqual((await store.listRuns()).map((r) => r.id), [first]);
    assert.deepEqual(plain(await store.readIntervals({})), plain([row('v1', 0, [1])]));
    const second = await store.beginRun('h', [source('c.csv', 'fp-c')]);
    await store.writeIntervals(second, [row('v1', 0, [9])]);
    await store.finishRun(second, { records: 1, skipped: 0 }, [first], [source('c.csv', 'fp-c')]);
    assert.deepEqual((await store.listRuns()).map((r) => r.id), [second]);
    assert.deepEqual(plain(await store.readIntervals({})), plain([row('v1', 0, [9])]));
    await store.close();
  });

  test(`${name}: a live run's closed intervals are visible as they commit, partial ones flagged`, async () => {
    const { store } = await open();
    await store.useSettings({ intervalS: 60, trackBytes: 65536 });
    const live = await store.beginRun('host2', [], true);
    await store.writeIntervals(live, [row('sdb', 60, [5, 6])]);
    await store.writeIntervals(live, [{ ...row('sdb', 120, [7]), partial: true }]);
    assert.deepEqual(plain(await store.readIntervals({})), plain([row('sdb', 60, [5, 6]), { ...row('sdb', 120, [7]), partial: true }]));
    assert.equal((await store.listRuns())[0]!.status, 'live');
    await store.close();
  });

  test(`${name}: volumes keep capacities; the scope text round-trips`, async () => {
    const { store } = await open();
    await store.putVolumes([{ name: 'v1', capacityBytes: 1 << 30 }, { name: 'v2', capacityBytes: null }]);
    assert.deepEqual(await store.listVolumes(), [{ name: 'v1', capacityBytes: 1 << 30 }, { name: 'v2', capacityBytes: null }]);
    assert.equal(await store.getScope(), null);
    await store.putScope('{"groups":[]}');
    assert.equal(await store.getScope(), '{"groups":[]}');
    await store.close();
  });
}
