import { test as nodeTest } from 'node:test';
import assert from 'node:assert/strict';
import type { IntervalRow, SourceInfo, Store } from '../../src/store/store.js';
import { serializeRoaring, decodeRoaring } from '../../src/bitmap/roaring.js';
import { unpackChunk } from '../../src/store/chunk.js';
import { UsageError } from '../../src/errors.js';
import { encodeProfile, profileEntries } from '../../src/store/write-profile.js';
import fc from 'fast-check';
import { storeCellSource } from '../../src/report/cells.js';
import { computeChurn } from '../../src/report/churn.js';
import { EMPTY_SCOPE } from '../../src/scope/scope.js';
import { scanModels } from '../../src/report/model-scan.js';
import { compareModels } from '../../src/report/models.js';
import { loadTimeline } from '../../src/report/selection.js';

const source = (path: string, fingerprint: string): SourceInfo => ({ path, fingerprint, bytes: 100, format: 'msr' });

const row = (volume: string, startS: number, tracks: number[], writes = tracks.length): IntervalRow => ({
  volume,
  startS,
  writes,
  writeBytes: writes * 4096,
  reads: 1,
  readBytes: 512,
  changedTracks: tracks.length,
  bitmap: serializeRoaring(Uint32Array.from(tracks).sort()),
  writeProfile: encodeProfile(Float64Array.of(0, writes * 4096)),
});

const plain = (rows: IntervalRow[]) =>
  rows.map((r) => ({
    ...r,
    bitmap: decodeRoaring(r.bitmap),
    writeProfile: profileEntries(r.writeProfile),
    partial: r.partial === true,
  }));

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
    await assert.rejects(
      store.useSettings({ intervalS: 60, trackBytes: 65536 }),
      (e: unknown) => e instanceof UsageError && /holds 300 s intervals of 65536 B tracks/.test(e.message),
    );
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
    assert.deepEqual(
      (await again.findRunsBySource('fp-a')).map((r) => r.id),
      [run],
    );
    await again.close();
  });

  test(`${name}: runSpans gives each run's first and last interval start, across chunks and volumes`, async () => {
    const { store } = await open();
    await store.useSettings({ intervalS: 60, trackBytes: 65536 });
    const a = await store.beginRun('h', [source('a.csv', 'fp-a')]);
    // 1,000,000 intervals in: chunks of any size in use put it in another chunk than 0 and 60.
    await store.writeIntervals(a, [row('v1', 60, [1]), row('v2', 0, [2]), row('v1', 60_000_000, [3])]);
    await store.finishRun(a, { records: 3, skipped: 0 }, [], [source('a.csv', 'fp-a')]);
    const empty = await store.beginRun('h', [source('b.csv', 'fp-b')]);
    await store.finishRun(empty, { records: 0, skipped: 0 }, [], [source('b.csv', 'fp-b')]);
    const running = await store.beginRun('h', [source('c.csv', 'fp-c')]);
    await store.writeIntervals(running, [row('v3', 600, [4])]);
    assert.deepEqual(await store.runSpans(), [
      { runId: a, firstS: 0, lastS: 60_000_000 },
      { runId: running, firstS: 600, lastS: 600 },
    ]);
    await store.close();
  });

  test(`${name}: the same (volume, interval) written twice in a run is merged exactly`, async () => {
    const { store } = await open();
    await store.useSettings({ intervalS: 60, trackBytes: 65536 });
    const run = await store.beginRun('h', [source('b.csv', 'fp-b')]);
    await store.writeIntervals(run, [row('v1', 0, [1, 2, 3], 5)]);
    await store.writeIntervals(run, [row('v1', 0, [3, 4, 70000], 2)]);
    await store.finishRun(run, { records: 7, skipped: 0 }, [], [source('b.csv', 'fp-b')]);
    const [merged] = plain(await store.readIntervals({}));
    assert.deepEqual(merged, {
      volume: 'v1',
      startS: 0,
      writes: 7,
      writeBytes: 7 * 4096,
      reads: 2,
      readBytes: 1024,
      changedTracks: 5,
      bitmap: [1, 2, 3, 4, 70000],
      writeProfile: [[1, 7 * 4096]],
      partial: false,
    });
    await store.close();
  });

  test(`${name}: a numbered batch is written at most once`, async () => {
    const { store } = await open();
    await store.useSettings({ intervalS: 60, trackBytes: 65536 });
    const run = await store.beginRun('h', [], true);
    await store.writeIntervals(run, [row('v1', 0, [1, 2])], 1);
    await store.writeIntervals(run, [row('v1', 0, [1, 2])], 1); // resent after a lost acknowledgement
    await store.writeIntervals(run, [row('v1', 0, [3])], 2);
    assert.deepEqual(
      plain(await store.readIntervals({})).map((r) => [r.writes, r.bitmap]),
      [[3, [1, 2, 3]]],
    );
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
    assert.deepEqual(
      (await store.listRuns()).map((r) => r.id),
      [first],
    );
    assert.deepEqual(plain(await store.readIntervals({})), plain([row('v1', 0, [1])]));
    const second = await store.beginRun('h', [source('c.csv', 'fp-c')]);
    await store.writeIntervals(second, [row('v1', 0, [9])]);
    await store.finishRun(second, { records: 1, skipped: 0 }, [first], [source('c.csv', 'fp-c')]);
    assert.deepEqual(
      (await store.listRuns()).map((r) => r.id),
      [second],
    );
    assert.deepEqual(plain(await store.readIntervals({})), plain([row('v1', 0, [9])]));
    await store.close();
  });

  test(`${name}: a live run's closed intervals are visible as they commit, partial ones flagged`, async () => {
    const { store } = await open();
    await store.useSettings({ intervalS: 60, trackBytes: 65536 });
    const live = await store.beginRun('host2', [], true);
    await store.writeIntervals(live, [row('sdb', 60, [5, 6])]);
    await store.writeIntervals(live, [{ ...row('sdb', 120, [7]), partial: true }]);
    assert.deepEqual(
      plain(await store.readIntervals({})),
      plain([row('sdb', 60, [5, 6]), { ...row('sdb', 120, [7]), partial: true }]),
    );
    assert.equal((await store.listRuns())[0]!.status, 'live');
    await store.close();
  });

  test(`${name}: a store without settings scans empty, windowed or not`, async () => {
    const { store } = await open();
    assert.deepEqual(await store.readIntervals({ fromS: 60, toS: 600 }), []);
    assert.deepEqual(await store.volumeSpans({ fromS: 60 }), []);
    for await (const page of store.scanIntervals({ fromS: 60 })) assert.fail(`unexpected page ${page.length}`);
    await store.close();
  });

  test(`${name}: volumes keep capacities; the scope text round-trips`, async () => {
    const { store } = await open();
    await store.putVolumes([
      { name: 'v1', capacityBytes: 1 << 30 },
      { name: 'v2', capacityBytes: null },
    ]);
    assert.deepEqual(await store.listVolumes(), [
      { name: 'v1', capacityBytes: 1 << 30 },
      { name: 'v2', capacityBytes: null },
    ]);
    assert.equal(await store.getScope(), null);
    await store.putScope('{"groups":[]}');
    assert.equal(await store.getScope(), '{"groups":[]}');
    await store.close();
  });

  test(`${name}: a window with fractional-second bounds selects the whole starts inside it`, async () => {
    const { store } = await open();
    try {
      await store.useSettings({ intervalS: 60, trackBytes: 65536 });
      const run = await store.beginRun('h', [source('w.csv', 'fp-w')]);
      await store.writeIntervals(
        run,
        [0, 60, 120, 3600, 3660].map((s) => row('v', s, [s])),
      );
      await store.finishRun(run, { records: 5, skipped: 0 }, [], [source('w.csv', 'fp-w')]);
      // [59.5, 3600.5) holds the starts 60, 120 and 3600 (by hand), and the hour rollup of 3600.
      const [fromS, toS] = [59.5, 3600.5];
      const starts = (rows: IntervalRow[]): number[] => rows.map((r) => r.startS);
      assert.deepEqual(starts(await store.readIntervals({ fromS, toS })), [60, 120, 3600]);
      const scanned: number[] = [];
      for await (const page of store.scanIntervals({ fromS, toS })) scanned.push(...starts(page));
      assert.deepEqual(scanned, [60, 120, 3600]);
      const chunked: number[] = [];
      for await (const page of store.scanChunks({ fromS, toS }))
        for (const c of page) chunked.push(...starts(c.intervals));
      assert.deepEqual(chunked, [60, 120, 3600]);
      assert.deepEqual(await store.volumeSpans({ fromS, toS }), [{ volume: 'v', firstS: 60, lastS: 3600 }]);
      const raw: number[] = [];
      for await (const page of store.scanChunkData!('v', fromS, toS)) {
        for (const c of page) raw.push(...starts(unpackChunk('v', c.chunkS, c.data, fromS, toS)));
      }
      assert.deepEqual(raw, [60, 120, 3600]);
      const hours: number[] = [];
      for await (const page of store.scanRollups({ volume: 'v', levelS: 3600, fromS, toS })) {
        hours.push(...page.map((r) => r.periodS));
      }
      assert.deepEqual(hours, [3600]);
      assert.deepEqual(await store.readCompressionSamples({ fromS, toS }), []);
    } finally {
      await store.close();
    }
  });

  test(`${name}: scanChunkData pages a volume's chunks of the visible runs, packed as the fine rows`, async () => {
    const { store } = await open();
    try {
      await store.useSettings({ intervalS: 60, trackBytes: 65536 });
      // 70 chunks (one interval at each chunk's second minute) in two complete runs and one running:
      // 140 visible chunk rows, more than two pages of 64.
      for (const [i, complete] of [
        [0, true],
        [1, true],
        [2, false],
      ] as const) {
        const id = await store.beginRun('h', [source(`c${i}`, `cp${i}`)]);
        const rows = Array.from({ length: 70 }, (_, k) => row('v', k * 3600 + 60 + i * 60, [k, 1000 + i]));
        await store.writeIntervals(id, [...rows, row('w', 60, [5])]);
        if (complete) await store.finishRun(id, { records: 1, skipped: 0 }, [], [source(`c${i}`, `cp${i}`)]);
      }
      assert.ok(store.scanChunkData !== undefined);
      for (const [fromS, toS] of [
        [0, 70 * 3600],
        [3600 + 61, 10 * 3600 + 60],
        [-1e12, 1e12],
      ]) {
        const got: string[] = [];
        let last = -Infinity;
        for await (const page of store.scanChunkData!('v', fromS!, toS!)) {
          assert.ok(page.length > 0 && page.length <= 64);
          for (const c of page) {
            const order = c.chunkS * 1e6 + c.runId;
            assert.ok(order > last, 'ascending by chunk then run');
            last = order;
            const starts = unpackChunk('v', c.chunkS, c.data).map((r) => r.startS);
            assert.deepEqual([c.firstS, c.lastS], [Math.min(...starts), Math.max(...starts)]);
            for (const r of unpackChunk('v', c.chunkS, c.data, fromS, toS)) {
              got.push(`${r.startS}/${decodeRoaring(r.bitmap).join(' ')}/${r.changedTracks}`);
            }
          }
        }
        const fine = (await store.readIntervals({ fromS, toS }))
          .filter((r) => r.volume === 'v')
          .map((r) => `${r.startS}/${decodeRoaring(r.bitmap).join(' ')}/${r.changedTracks}`);
        assert.deepEqual(got, fine, `[${fromS}, ${toS})`);
      }
      const none: unknown[] = [];
      for await (const page of store.scanChunkData!('nobody', 0, 1e9)) none.push(page);
      assert.deepEqual(none, []);
    } finally {
      await store.close();
    }
  });

  test(`${name}: scans, spans and streamed reports give exactly what the fine rows give (random stores)`, async () => {
    const cell = fc.record({
      volume: fc.constantFrom('a', 'b', 'c'),
      slot: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.constant(100_000)),
      tracks: fc.uniqueArray(fc.integer({ min: 0, max: 70_000 }), { maxLength: 6 }),
    });
    const runs = fc.array(
      fc.record({ complete: fc.boolean(), cells: fc.array(cell, { minLength: 1, maxLength: 8 }) }),
      { minLength: 1, maxLength: 3 },
    );
    // A window in interval starts, its ends anywhere on the 60-s grid (or off it) over the cells' slots.
    const spanWindow = fc
      .tuple(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 1, max: 400 }))
      .map(([from, length]) => [from, from + length] as [number, number]);
    await fc.assert(
      fc.asyncProperty(runs, fc.integer({ min: 1, max: 4 }), spanWindow, async (spec, pageRows, window) => {
        const { store } = await open();
        try {
          await store.useSettings({ intervalS: 60, trackBytes: 65536 });
          for (const [i, r] of spec.entries()) {
            const id = await store.beginRun('h', [source(`f${i}`, `fp${i}`)]);
            await store.writeIntervals(
              id,
              r.cells.map((c) => row(c.volume, c.slot * 60, c.tracks)),
            );
            if (r.complete) await store.finishRun(id, { records: 1, skipped: 0 }, [], [source(`f${i}`, `fp${i}`)]);
          }
          // The fine rows, and from them, independently: each (volume, interval)'s tracks and writes.
          const fine = await store.readIntervals({});
          const key = (r: IntervalRow) => `${r.startS}/${r.volume}/${r.writes}/${decodeRoaring(r.bitmap).join(' ')}`;
          const seen: string[] = [];
          let last = '';
          for await (const page of store.scanIntervals({ pageRows })) {
            assert.ok(page.length > 0);
            assert.notEqual(`${page[0]!.startS}/${page[0]!.volume}`, last, 'a cell straddles two pages');
            last = `${page[page.length - 1]!.startS}/${page[page.length - 1]!.volume}`;
            seen.push(...page.map(key));
          }
          assert.deepEqual(seen.sort(), fine.map(key).sort());
          const some: string[] = [];
          for await (const page of store.scanIntervals({ fromS: 60, toS: 300, volumes: ['a', 'c', 'zz'], pageRows }))
            some.push(...page.map(key));
          assert.deepEqual(
            some.sort(),
            fine
              .filter((r) => r.startS >= 60 && r.startS < 300 && r.volume !== 'b')
              .map(key)
              .sort(),
          );

          const cells = new Map<string, { tracks: Set<number>; writes: number }>();
          for (const r of fine) {
            const k = `${r.volume}@${r.startS}`;
            const c = cells.get(k) ?? { tracks: new Set<number>(), writes: 0 };
            cells.set(k, c);
            for (const t of decodeRoaring(r.bitmap)) c.tracks.add(t);
            c.writes += r.writes;
          }
          const volumes = [...new Set(fine.map((r) => r.volume))].sort();
          const starts = (v: string) => fine.filter((r) => r.volume === v).map((r) => r.startS);
          assert.deepEqual(
            await store.volumeSpans({}),
            volumes.map((v) => ({ volume: v, firstS: Math.min(...starts(v)), lastS: Math.max(...starts(v)) })),
          );
          // Windows cutting chunks (a chunk holds 60 intervals of 60 s), on every side of the cells.
          for (const [fromS, toS] of [
            window,
            [60, 240],
            [120, 6_000_000],
            [0, 61],
            [300, 360],
            [6_000_000, 6_000_060],
          ]) {
            const inside = (v: string) => starts(v).filter((s) => s >= fromS! && s < toS!);
            assert.deepEqual(
              await store.volumeSpans({ fromS, toS }),
              volumes
                .filter((v) => inside(v).length > 0)
                .map((v) => ({ volume: v, firstS: Math.min(...inside(v)), lastS: Math.max(...inside(v)) })),
              `spans in [${fromS}, ${toS})`,
            );
          }

          const ctx = { intervalS: 60, trackBytes: 65536, scope: EMPTY_SCOPE, capacityBytes: () => null };
          const cellSource = await storeCellSource(store, () => true);
          const whole = await computeChurn(cellSource, { by: 'volume', per: null, range: null, datasets: null }, ctx);
          assert.deepEqual(
            whole.map((r) => [r.name, r.changedTracks, r.writes]),
            volumes.map((v) => {
              const union = new Set<number>();
              let writes = 0;
              for (const [k, c] of cells)
                if (k.startsWith(`${v}@`)) {
                  c.tracks.forEach((t) => union.add(t));
                  writes += c.writes;
                }
              return [v, union.size, writes];
            }),
          );
          const hour = await computeChurn(
            cellSource,
            { by: 'volume', per: 'interval', range: { fromS: 0, toS: 360 }, datasets: null, sparse: true },
            ctx,
          );
          const expected = [...cells]
            .filter(([k, c]) => Number(k.split('@')[1]) < 360 && c.writes > 0)
            .map(([k, c]) => [Number(k.split('@')[1]), k.split('@')[0]!, c.tracks.size, c.writes] as const)
            .sort((x, y) => x[0] - y[0] || (x[1] < y[1] ? -1 : 1));
          // Models from a scan with rollups equal models from the packed timeline of fine cells.
          if (volumes.length > 0) {
            const settings = { intervalS: 60, trackBytes: 65536 };
            const timeline = await loadTimeline(cellSource, settings, null);
            const spans = await cellSource.spans(null, null);
            for (const [cycleS, periodS] of [
              [60, 3600],
              [120, 600],
            ] as const) {
              const options = {
                syncWindowS: 2,
                cycleS,
                periodS,
                params: { overhead: 0, compression: 1, efficiency: 1 },
              };
              assert.deepEqual(
                await scanModels(cellSource, spans, {
                  intervalS: 60,
                  trackBytes: 65536,
                  fromS: timeline.firstS,
                  toS: timeline.endS,
                  ...options,
                }),
                compareModels(timeline, options),
              );
            }
          }
          assert.deepEqual(
            hour.filter((r) => r.writes! > 0).map((r) => [r.startS, r.name, r.changedTracks, r.writes]),
            expected,
          );
        } finally {
          await store.close();
        }
      }),
      { numRuns: 12 },
    );
  });
}
