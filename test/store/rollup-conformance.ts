import { test as nodeTest } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeRoaring, serializeRoaring } from '../../src/bitmap/roaring.js';
import { EMPTY_SCOPE, type Scope } from '../../src/scope/scope.js';
import { encodeProfile } from '../../src/store/write-profile.js';
import { memoryCellSource, storeCellSource, type Cell, type CellMap } from '../../src/report/cells.js';
import { computeChurn, type ChurnRow } from '../../src/report/churn.js';
import { scanModels } from '../../src/report/model-scan.js';
import { eachCount } from '../../src/store/rollup.js';
import type { IntervalRow, Store } from '../../src/store/store.js';

/**
 * The hour and day rollups of a store (store/rollup.ts) against the fine cells written in the
 * test, on random stores: several runs (complete, still running, live ones committing interval
 * by interval with late and partial intervals, replaced and aborted ones), random intervals —
 * chunks of 60 intervals spanning 1 min, half an hour, 45 min (across hours), an hour, 5 h or
 * 20 h — random windows and buckets. Cells spread over 3 days (mostly one cell per chunk) or crowded into 3 hours (full
 * chunks, several runs holding the same chunk): the rollups take a chunk's stored rollup as its
 * share of an hour when it lies inside one hour and no other visible run has that chunk, and
 * merge the cells otherwise; both paths are held to the cells.
 */
interface Truth {
  volume: string;
  startS: number;
  tracks: Set<number>;
  writes: number;
  /** Rows merged into the cell (each row reads 1 time, 512 B). */
  rows: number;
}

export function rollupConformance(
  name: string,
  open: () => Promise<{ store: Store }>,
  skip: string | false = false,
): void {
  const test = (title: string, fn: () => Promise<void>): void => void nodeTest(title, { skip }, fn);

  const cell = fc.record({
    volume: fc.constantFrom('a', 'b', 'c'),
    // Up to 3 days: hours and days with several cells, some cells of several runs.
    // An interval slot: near the start (cells sharing chunks and hours) or anywhere in the spread
    // (taken modulo the slots; a fraction drawn by fc.double clusters at 0 and 1).
    slot: fc.oneof(fc.integer({ min: 0, max: 150 }), fc.nat()),
    tracks: fc.uniqueArray(fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 65_530, max: 65_545 })), {
      maxLength: 5,
    }),
    writes: fc.integer({ min: 0, max: 9 }),
    partial: fc.boolean(),
  });
  const run = fc.record({
    kind: fc.constantFrom('complete', 'complete', 'running', 'live', 'live-aborted', 'complete-aborted'),
    replaces: fc.option(fc.nat(2), { nil: undefined, freq: 2 }),
    cells: fc.array(cell, { minLength: 1, maxLength: 10 }),
  });

  test(`${name}: hour and day rollups and the reports they answer equal the fine cells (random stores)`, async () => {
    const spec = fc.record({
      intervalS: fc.constantFrom(1, 30, 45, 60, 60, 300, 1200),
      spreadS: fc.constantFrom(3 * 86_400, 3 * 3600),
      runs: fc.array(run, { minLength: 1, maxLength: 4 }),
      window: fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })),
      per: fc.constantFrom(null, 3600, 7200, 86_400, 1800),
    });
    await fc.assert(
      fc.asyncProperty(spec, async ({ intervalS, spreadS, runs, window, per }) => {
        const { store } = await open();
        try {
          await store.useSettings({ intervalS, trackBytes: 65536 });
          const slots = Math.floor(spreadS / intervalS);
          // The test's own account of every run's merged cells, and which runs are visible.
          const written = new Map<number, Map<string, Truth>>();
          const visible = new Set<number>();
          const ids: number[] = [];
          for (const r of runs) {
            const live = r.kind.startsWith('live');
            const id = await store.beginRun('h', [], live);
            ids.push(id);
            const mine = new Map<string, Truth>();
            written.set(id, mine);
            if (live) visible.add(id);
            const rows = r.cells.map((c) => {
              const startS = (c.slot % slots) * intervalS;
              const k = `${c.volume}@${startS}`;
              const m = mine.get(k) ?? { volume: c.volume, startS, tracks: new Set<number>(), writes: 0, rows: 0 };
              mine.set(k, m);
              c.tracks.forEach((t) => m.tracks.add(t));
              m.writes += c.writes;
              m.rows += 1;
              return rowOf(c.volume, startS, c.tracks, c.writes, c.partial);
            });
            // A live run commits interval by interval, in the order generated (late ones included).
            if (live) for (const row of rows) await store.writeIntervals(id, [row]);
            else await store.writeIntervals(id, rows);
            const old = r.replaces === undefined ? undefined : ids[r.replaces];
            const replaces = old !== undefined && old !== id && written.has(old) ? [old] : [];
            if (r.kind === 'complete' || r.kind === 'complete-aborted') {
              await store.finishRun(id, { records: 1, skipped: 0 }, replaces, []);
              for (const o of replaces) {
                written.delete(o);
                visible.delete(o);
              }
              visible.add(id);
            }
            if (r.kind.endsWith('-aborted')) {
              await store.abortRun(id);
              written.delete(id);
              visible.delete(id);
            }
          }
          // Visible cells, merged across runs: the truth every rollup and report is held to.
          const cells = new Map<string, Truth>();
          for (const id of visible) {
            for (const [k, c] of written.get(id) ?? []) {
              const m = cells.get(k) ?? { ...c, tracks: new Set<number>(), writes: 0, rows: 0 };
              cells.set(k, m);
              c.tracks.forEach((t) => m.tracks.add(t));
              m.writes += c.writes;
              m.rows += c.rows;
            }
          }

          // 1. Each stored rollup is the merge of its period's visible cells; every such period has one.
          const levels = await store.rollupLevels();
          // A store left without any run forgets its settings (abortRun), and keeps no rollup.
          const settled = (await store.getSettings()) !== null;
          assert.deepEqual(levels, settled ? [3600, 86_400].filter((l) => l > intervalS) : []);
          if (!settled) return;
          for (const levelS of levels) {
            for (const volume of ['a', 'b', 'c']) {
              const got: unknown[] = [];
              for await (const page of store.scanRollups({ volume, levelS, fromS: 0, toS: 4 * 86_400, pageRows: 2 })) {
                for (const r of page) {
                  const counts: [number, number][] = [];
                  eachCount(r, (s, n) => counts.push([s, n]));
                  got.push([
                    r.periodS,
                    r.cells,
                    r.writes,
                    decodeRoaring(r.orBitmap).join(','),
                    r.changedTracks,
                    counts,
                  ]);
                }
              }
              const periods = new Map<number, Truth[]>();
              for (const c of cells.values()) {
                if (c.volume !== volume) continue;
                const p = Math.floor(c.startS / levelS) * levelS;
                periods.set(p, [...(periods.get(p) ?? []), c]);
              }
              const expected = [...periods]
                .sort((x, y) => x[0] - y[0])
                .map(([p, list]) => {
                  list.sort((x, y) => x.startS - y.startS);
                  const union = new Set<number>();
                  list.forEach((c) => c.tracks.forEach((t) => union.add(t)));
                  const or = [...union].sort((x, y) => x - y);
                  return [
                    p,
                    list.length,
                    list.reduce((n, c) => n + c.writes, 0),
                    or.join(','),
                    or.length,
                    list.map((c) => [c.startS, c.tracks.size]),
                  ];
                });
              assert.deepEqual(got, expected, `level ${levelS} volume ${volume}`);
            }
          }

          // 2. Reports through the rollups equal the same reports over the fine cells alone.
          const [u, v] = window;
          const fromS = Math.floor(Math.min(u, v) * 3 * 86_400);
          const toS = Math.max(fromS + 1, Math.ceil(Math.max(u, v) * 3 * 86_400));
          const memory: CellMap = new Map();
          for (const c of cells.values()) {
            let byStart = memory.get(c.volume);
            if (byStart === undefined) memory.set(c.volume, (byStart = new Map()));
            const row = rowOf(c.volume, c.startS, [...c.tracks], c.writes, false);
            const counts: Cell = { ...row, reads: c.rows, readBytes: 512 * c.rows };
            byStart.set(c.startS, counts);
          }
          const groups = [
            { name: 'ab', volumes: ['a', 'b'] },
            { name: 'all', volumes: ['*'] },
          ];
          const scope: Scope = { ...EMPTY_SCOPE, groups };
          const ctx = { intervalS, trackBytes: 65536, scope, capacityBytes: () => null };
          const fromStore = await storeCellSource(store, () => true);
          const fromCells = memoryCellSource(memory);
          const bucketS = per !== null && per % intervalS === 0 ? per : null;
          for (const by of ['volume', 'group'] as const) {
            for (const range of [null, { fromS, toS }]) {
              const request = { by, per: bucketS, range, datasets: null, percentile: 90 };
              const got = await reportOrError(() => computeChurn(fromStore, request, ctx));
              const want = await reportOrError(() => computeChurn(fromCells, request, ctx));
              assert.deepEqual(got, want, `${by} per ${bucketS} range ${JSON.stringify(range)}`);
              if (range === null) {
                // Volumes folded on three threads (two workers with their own connections) give the same rows.
                const threaded = await reportOrError(() => computeChurn(fromStore, { ...request, threads: 3 }, ctx));
                assert.deepEqual(threaded, want, `${by} per ${bucketS} on 3 threads`);
              }
              if (range === null && bucketS === null && by === 'volume' && Array.isArray(got)) {
                // And the whole-window figures against the cells directly.
                assert.deepEqual(
                  got.map((r) => [r.name, r.changedTracks, r.writes]),
                  ['a', 'b', 'c'].flatMap((vol) => {
                    const mine = [...cells.values()].filter((c) => c.volume === vol);
                    if (mine.length === 0) return [];
                    const union = new Set<number>();
                    mine.forEach((c) => c.tracks.forEach((t) => union.add(t)));
                    return [[vol, union.size, mine.reduce((n, c) => n + c.writes, 0)]];
                  }),
                );
              }
            }
          }
          // 3. The models (periodic and asynchronous spans of whole hours and days from the rollups).
          const spans = await fromStore.spans(null, null);
          const first = Math.min(...spans.map((x) => x.firstS));
          const end = Math.max(...spans.map((x) => x.lastS)) + intervalS;
          for (const [cycleS, periodS] of [
            [intervalS, 3600],
            [3600, 86_400],
            [7200, 2 * 86_400],
          ]) {
            const params = { overhead: 0, compression: 1, efficiency: 1 };
            const options = { syncWindowS: 2, cycleS: cycleS!, periodS: periodS!, params };
            for (const [a, b] of [
              [first, end],
              [fromS, toS],
            ]) {
              const request = { ...options, intervalS, trackBytes: 65536, fromS: a!, toS: b! };
              assert.deepEqual(
                await scanModels(fromStore, spans, request),
                await scanModels(fromCells, spans, request),
                `models ${cycleS}/${periodS} ${a}-${b}`,
              );
            }
          }
        } finally {
          await store.close();
        }
      }),
      { numRuns: 40 },
    );
  });
}

function rowOf(
  volume: string,
  startS: number,
  tracks: readonly number[],
  writes: number,
  partial: boolean,
): IntervalRow {
  return {
    volume,
    startS,
    writes,
    writeBytes: writes * 4096,
    reads: 1,
    readBytes: 512,
    changedTracks: tracks.length,
    bitmap: serializeRoaring(Uint32Array.from(tracks).sort()),
    writeProfile: encodeProfile(Float64Array.of(0, writes * 4096)),
    partial,
  };
}

async function reportOrError(run: () => Promise<ChurnRow[]>): Promise<ChurnRow[] | string> {
  try {
    return await run();
  } catch (err) {
    return (err as Error).message;
  }
}
