import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import fc from 'fast-check';
import { serializeRoaring } from '../../src/bitmap/roaring.js';
import { encodeProfile } from '../../src/store/write-profile.js';
import { cellsFromRows, storeCellSource, type CellSource } from '../../src/report/cells.js';
import { cycleLengthTable } from '../../src/report/cycle-length.js';
import { outageReport } from '../../src/report/outage.js';
import { planLink } from '../../src/report/plan.js';
import { simulate } from '../../src/report/simulate.js';
import { openChanges, StreamedChanges } from '../../src/report/streamed-changes.js';
import { Timeline } from '../../src/report/timeline.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { IntervalRow } from '../../src/store/store.js';
import { tempDir } from '../helpers.js';

const I = 60;
const T = 65_536;
const settings = { intervalS: I, trackBytes: T };
const params = { overhead: 0.1, compression: 1.5, efficiency: 0.9, growth: 0.2 };

/** A row of `volume` at interval k with the given tracks (written bytes: one write per track). */
function rowOf(volume: string, k: number, tracks: number[]): IntervalRow {
  const sorted = Uint32Array.from(new Set(tracks)).sort();
  return {
    volume,
    startS: k * I,
    writes: sorted.length,
    writeBytes: sorted.length * 4096,
    reads: 0,
    readBytes: 0,
    changedTracks: sorted.length,
    bitmap: serializeRoaring(sorted),
    writeProfile: encodeProfile(new Float64Array(I)),
  };
}

/** The same cells in pages of `size` cells (cells of one start may end one page and begin the next). */
function repaged(source: CellSource, size: number): CellSource {
  return {
    ...source,
    async *cells(volumes, fromS, toS, withProfiles) {
      for await (const page of source.cells(volumes, fromS, toS, withProfiles)) {
        for (let i = 0; i < page.length; i += size) yield page.slice(i, i + size);
      }
    },
  };
}

// Tracks: mostly a few low ones (rewrites fold), sometimes a run across two roaring containers.
const tracksArb = fc.oneof(
  { weight: 4, arbitrary: fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 6 }) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 65_000, max: 66_000 }).map((a) => Array.from({ length: 700 }, (_, i) => a + i)),
  },
);
const cellArb = fc.record({
  run: fc.integer({ min: 0, max: 2 }),
  volume: fc.constantFrom('a', 'b', 'c'),
  k: fc.integer({ min: 0, max: 35 }),
  tracks: tracksArb,
});

async function storeOf(cells: { run: number; volume: string; k: number; tracks: number[] }[]): Promise<SqliteStore> {
  const store = new SqliteStore(join(tempDir(), 'streamed.db'));
  await store.useSettings(settings);
  const runs = new Map<number, number>();
  for (const c of cells) if (!runs.has(c.run)) runs.set(c.run, await store.beginRun(`h${c.run}`, [], true));
  for (const [run, id] of runs) {
    // One row per (volume, interval) per run: the last one drawn.
    const rows = new Map<string, IntervalRow>();
    for (const c of cells) if (c.run === run) rows.set(`${c.volume}@${c.k}`, rowOf(c.volume, c.k, c.tracks));
    await store.writeIntervals(id, [...rows.values()]);
  }
  return store;
}

test('streamed changes: simulate, cycles, outages and plan equal the packed timeline of the fine cells', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(cellArb, { minLength: 1, maxLength: 60 }),
      fc.integer({ min: 1, max: 7 }), // page size
      fc.integer({ min: 1, max: 4 }), // cycle in intervals
      fc.integer({ min: 2_000, max: 200_000 }), // link bit/s: from hopelessly slow to ample
      fc.option(fc.record({ from: fc.integer({ min: 0, max: 2400 }), len: fc.integer({ min: 1, max: 900 }) })),
      async (cells, pageCells, cycleIntervals, linkBps, outage) => {
        const store = await storeOf(cells);
        try {
          const source = repaged(await storeCellSource(store, () => true), pageCells);
          const streamed = await openChanges(source, settings, null, null, 0);
          assert.ok(streamed instanceof StreamedChanges);
          const rows: IntervalRow[] = [];
          for await (const page of store.scanIntervals({})) rows.push(...page);
          const timeline = new Timeline(
            cellsFromRows(rows, () => true),
            I,
            T,
            streamed.firstS,
            streamed.endS,
          );
          const cycleS = cycleIntervals * I;
          const outages = outage === null ? [] : [{ fromS: outage.from, toS: outage.from + outage.len }];
          const options = { cycleS, linkBps, params, outages, targetS: 2 * cycleS };
          const got = await simulate(streamed, options);
          assert.deepEqual(got, await simulate(timeline, options));
          assert.deepEqual(
            await simulate(streamed, { ...options, backlog: false }),
            await simulate(timeline, { ...options, backlog: false }),
          );
          assert.deepEqual(
            await cycleLengthTable(streamed, 4 * I, params),
            await cycleLengthTable(timeline, 4 * I, params),
          );
          for (const o of outages) {
            assert.deepEqual(
              await outageReport(o, streamed, got, 2 * cycleS),
              await outageReport(o, timeline, got, 2 * cycleS),
            );
          }
          assert.equal(streamed.writtenBytes(), timeline.writtenBytes());
          const simulation = { cycleS, params, outages };
          const request = { targetRpoS: 2 * cycleS, percentile: 90, pathBps: 50_000, simulation };
          const settle = (p: Promise<unknown>) =>
            p.then(
              (v) => ({ v }),
              (e: Error) => ({ e: e.message }),
            );
          assert.deepEqual(await settle(planLink(streamed, request)), await settle(planLink(timeline, request)));
          await streamed.close();
          // Within the budget the same window is held packed: the reference above.
          const packed = await openChanges(source, settings, null);
          assert.ok(packed instanceof Timeline);
          assert.deepEqual(await simulate(packed, options), got);
        } finally {
          await store.close();
        }
      },
    ),
    { numRuns: 40 },
  );
});
