import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import fc from 'fast-check';
import { storeCellSource } from '../../src/report/cells.js';
import { openChanges, StreamedChanges } from '../../src/report/streamed-changes.js';
import { Timeline } from '../../src/report/timeline.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { ChangedRanges } from '../../src/report/changes.js';
import { tempDir } from '../helpers.js';
import { expectedChanges, I, ratioAt, rowsByRun, settings, type Drawn } from './drawn-cells.js';

// Tracks: a few low ones (rewrites fold across intervals), sometimes hundreds across two containers.
const tracksArb = fc.oneof(
  { weight: 5, arbitrary: fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 0, maxLength: 5 }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 65_300, max: 65_600 }), fc.integer({ min: 1, max: 400 }), fc.integer({ min: 1, max: 3 }))
      .map(([a, n, step]) => Array.from({ length: n }, (_, i) => a + i * step)),
  },
  // A bitmap container: more than 4,096 values, no runs.
  {
    weight: 1,
    arbitrary: fc.integer({ min: 0, max: 3 }).map((a) => Array.from({ length: 4200 }, (_, i) => a + 2 * i)),
  },
);
const cellArb = fc.record({
  run: fc.integer({ min: 0, max: 1 }),
  volume: fc.constantFrom('a', 'b', 'c', 'd'),
  k: fc.integer({ min: 0, max: 40 }),
  tracks: tracksArb,
});

async function storeOf(cells: Drawn[]): Promise<SqliteStore> {
  const store = new SqliteStore(join(tempDir(), 'grid.db'));
  await store.useSettings(settings);
  for (const [run, rows] of rowsByRun(cells))
    await store.writeIntervals(await store.beginRun(`h${run}`, [], true), rows);
  return store;
}

test('cycle grid: every run of up to one cycle, and its marks, equal sets of the drawn cells', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(cellArb, { minLength: 1, maxLength: 80 }),
      fc.integer({ min: 1, max: 6 }), // cycle in intervals
      fc.boolean(), // measured ratios
      fc.boolean(), // held (Timeline) or streamed
      fc.boolean(), // the grid counted in the pass that opens the window, or asked afterwards
      fc.boolean(), // a second thread (a worker on its own connection) counts some volumes
      async (cells, cycleIntervals, withRatios, held, whenOpened, parallel) => {
        const store = await storeOf(cells);
        try {
          const source = await storeCellSource(store, () => true);
          const budget = held && !withRatios ? 1 << 30 : 0;
          const gridS = whenOpened ? cycleIntervals * I : null;
          const parallelMinCells = parallel ? 0 : Infinity;
          const ratios = withRatios ? ratioAt : null;
          const changes = await openChanges(source, settings, null, ratios, budget, gridS, parallelMinCells);
          assert.ok(held && !withRatios ? changes instanceof Timeline : changes instanceof StreamedChanges);
          if (!whenOpened || held) await changes.prepareCycles!(cycleIntervals * I);
          if (changes instanceof StreamedChanges) {
            // Within the grid nothing is read from the store.
            await changes.changed(changes.firstS, changes.firstS + cycleIntervals * I);
            assert.equal(changes.reads, 0);
            const volumes = new Set(cells.map((c) => c.volume)).size;
            // Two threads (not with ratios: their sums are not integers): the worker reads one volume or more.
            if (!parallel || withRatios || volumes < 2) assert.equal(changes.workerVolumes, 0);
            else assert.ok(changes.workerVolumes >= 1 && changes.workerVolumes <= volumes, `${changes.workerVolumes}`);
          }
          const firstK = changes.firstS / I;
          const endK = changes.endS / I;
          for (let from = firstK; from < endK; from++) {
            for (let len = 1; len <= cycleIntervals + 1; len++) {
              const to = Math.min(endK, from + len);
              const mark = from + Math.max(0, len - 2);
              const got = (await changes.changed(from * I, to * I, mark * I)) as ChangedRanges;
              const whole = expectedChanges(cells, from, to, withRatios);
              const prefix = expectedChanges(cells, from, mark, withRatios);
              const at = `[${from}, ${to}) mark ${mark}`;
              assert.deepEqual(got.whole, { changedBytes: whole.changed, compressedBytes: whole.compressed }, at);
              assert.deepEqual(got.mark, { changedBytes: prefix.changed, compressedBytes: prefix.compressed }, at);
            }
          }
          await changes.close();
        } finally {
          await store.close();
        }
      },
    ),
    { numRuns: 60 },
  );
});
