import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import fc from 'fast-check';
import { storeCellSource } from '../../src/report/cells.js';
import { openChanges, StreamedChanges } from '../../src/report/streamed-changes.js';
import { runTiles } from '../../src/report/tiled-runs.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { PostgresStore } from '../../src/store/postgres.js';
import type { Store } from '../../src/store/store.js';
import type { ChangedRanges } from '../../src/report/changes.js';
import { freshDatabase, postgresUnavailable } from '../support/postgres.js';
import { cleanUp } from '../support/cleanup.js';
import { tempDir } from '../helpers.js';
import { expectedChanges, I, ratioAt, rowsByRun, settings, T, type Drawn } from './drawn-cells.js';

const DAY_K = 1440;
const missing = await postgresUnavailable();
after(cleanUp);

// Intervals on and around hour and day boundaries, and anywhere in three days.
const kArb = fc.oneof(
  fc.integer({ min: 0, max: 3 * DAY_K - 1 }),
  fc
    .tuple(
      fc.constantFrom(60, 120, 1380, DAY_K, DAY_K + 60, 2 * DAY_K, 2 * DAY_K + 1380),
      fc.integer({ min: -2, max: 1 }),
    )
    .map(([b, d]) => b + d),
);
const tracksArb = fc.oneof(
  { weight: 5, arbitrary: fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 0, maxLength: 6 }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 65_400, max: 65_600 }), fc.integer({ min: 1, max: 300 }))
      .map(([a, n]) => Array.from({ length: n }, (_, i) => a + 2 * i)),
  },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 0, max: 3 }).map((a) => Array.from({ length: 4200 }, (_, i) => a + 2 * i)),
  },
);
const cellArb = fc.record({
  run: fc.integer({ min: 0, max: 1 }),
  volume: fc.constantFrom('a', 'b', 'c'),
  k: kArb,
  tracks: tracksArb,
});
// Runs as interval indexes: anywhere, or cutting hours and days a little inside or outside.
const edgeArb = fc.oneof(
  fc.integer({ min: 0, max: 3 * DAY_K }),
  fc
    .tuple(fc.constantFrom(0, 60, 1320, DAY_K, 2 * DAY_K, 3 * DAY_K), fc.integer({ min: -3, max: 3 }))
    .map(([b, d]) => Math.max(0, b + d)),
);

/** Two runs; run 1 is live (its rollups refreshed as it commits), run 0 complete. */
async function fill(store: Store, cells: Drawn[]): Promise<void> {
  await store.useSettings(settings);
  const byRun = rowsByRun(cells);
  for (const run of [0, 1]) {
    const rows = byRun.get(run) ?? [];
    if (rows.length === 0) continue;
    const id = await store.beginRun(`h${run}`, [], run === 1);
    await store.writeIntervals(id, rows);
    if (run === 0) await store.finishRun(id, { records: rows.length, skipped: 0 }, [], []);
  }
}

function tiledRunsProperty(name: string, open: () => Promise<Store>, skip: string | false): void {
  test(
    `${name}: runs holding whole hours and days, read from the rollups, equal sets of the drawn cells`,
    { skip },
    async () => {
      const numRuns = name === 'postgres' ? 10 : 80;
      let tiled = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(cellArb, { minLength: 1, maxLength: 60 }),
          fc.array(fc.tuple(edgeArb, edgeArb, fc.integer({ min: 0, max: 100 })), { minLength: 1, maxLength: 6 }),
          fc.boolean(),
          async (cells, runs, withRatios) => {
            const store = await open();
            try {
              await fill(store, cells);
              const source = await storeCellSource(store, () => true);
              const changes = await openChanges(source, settings, null, withRatios ? ratioAt : null, 0, null);
              assert.ok(changes instanceof StreamedChanges);
              const firstK = changes.firstS / I;
              const endK = changes.endS / I;
              for (const [a, b, markPercent] of runs) {
                const fromK = Math.max(firstK, Math.min(a, b));
                const toK = Math.min(endK, Math.max(a, b));
                if (toK <= fromK) continue;
                const markK = fromK + Math.floor(((toK - fromK) * markPercent) / 100);
                if (runTiles(source, fromK * I, toK * I) !== null) tiled++;
                const got = (await changes.changed(fromK * I, toK * I, markK * I)) as ChangedRanges;
                const at = `[${fromK}, ${toK}) mark ${markK}`;
                const whole = expectedChanges(cells, fromK, toK, withRatios);
                const prefix = expectedChanges(cells, fromK, markK, withRatios);
                assert.deepEqual(got.whole, { changedBytes: whole.changed, compressedBytes: whole.compressed }, at);
                assert.deepEqual(got.mark, { changedBytes: prefix.changed, compressedBytes: prefix.compressed }, at);
              }
              await changes.close();
            } finally {
              await store.close();
            }
          },
        ),
        { numRuns },
      );
      assert.ok(tiled >= numRuns / 2, `${tiled} runs tiled`); // the property did exercise the rollups
    },
  );
}

tiledRunsProperty('sqlite', async () => new SqliteStore(join(tempDir(), 'tiled.db')), false);
tiledRunsProperty('postgres', async () => PostgresStore.open(await freshDatabase('tiled')), missing);

test('a long run is answered from rollups: whole days and hours read, not their cells', async () => {
  // One volume, one cell a minute for three days: tracks 2k and 2k + 1 at minute k (all distinct).
  const store = new SqliteStore(join(tempDir(), 'days.db'));
  try {
    const cells: Drawn[] = Array.from({ length: 3 * DAY_K }, (_, k) => ({
      run: 0,
      volume: 'a',
      k: DAY_K + k,
      tracks: [2 * k, 2 * k + 1],
    }));
    await fill(store, cells);
    const source = await storeCellSource(store, () => true);
    let fineCells = 0;
    const counted = { ...source, chunkData: undefined, cells: countingCells(source, () => fineCells++) };
    const changes = await openChanges(counted, settings, null, null, 0, null);
    assert.ok(changes instanceof StreamedChanges);
    fineCells = 0; // the pass that opened the window read them all
    // From 00:58 on day 1 to 01:02 on day 3 (exclusive): 2 minutes, 23 h, a day, 1 h, 2 minutes.
    const fromK = DAY_K + 58;
    const toK = 3 * DAY_K + 62;
    const got = (await changes.changed(fromK * I, toK * I)) as ChangedRanges;
    assert.equal(got.whole.changedBytes, 2 * (toK - fromK) * T);
    assert.equal(changes.tiledReads, 1);
    assert.equal(fineCells, 4); // the two minutes at each edge
    await changes.close();
  } finally {
    await store.close();
  }
});

function countingCells(
  source: Awaited<ReturnType<typeof storeCellSource>>,
  onCell: () => void,
): Awaited<ReturnType<typeof storeCellSource>>['cells'] {
  return async function* (volumes, fromS, toS, withProfiles) {
    for await (const page of source.cells(volumes, fromS, toS, withProfiles)) {
      for (let i = 0; i < page.length; i++) onCell();
      yield page;
    }
  };
}
