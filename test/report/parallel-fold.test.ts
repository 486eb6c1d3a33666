import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { storeCellSource } from '../../src/report/cells.js';
import { computeChurn } from '../../src/report/churn.js';
import { EMPTY_SCOPE, type Scope } from '../../src/scope/scope.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { IntervalRow } from '../../src/store/store.js';
import { tempDir } from '../helpers.js';
import { writeCell as row } from '../support/cells.js';

// Reports folded on several threads (src/report/parallel-fold.ts): each worker opens the store
// again and folds its share of the volumes; the figures are merged. Thread k folds volume k first,
// so with as many volumes as threads every worker contributes.
const TRACK = 65_536;
async function storeOf(rows: IntervalRow[]): Promise<SqliteStore> {
  const store = new SqliteStore(join(tempDir(), 'fold.db'));
  await store.useSettings({ intervalS: 60, trackBytes: TRACK });
  const run = await store.beginRun('h', []);
  await store.writeIntervals(run, rows);
  await store.finishRun(run, { records: rows.length, skipped: 0 }, [], []);
  return store;
}

test('data sets folded on three threads: exact per-extent unions, by hand', async () => {
  // v1 writes tracks 0-3 then 2-5; v2 writes 10, 11 then 11, 12; v3 writes 100 (outside every extent).
  const store = await storeOf([
    row('v1', 0, [0, 1, 2, 3]),
    row('v1', 60, [2, 3, 4, 5]),
    row('v2', 0, [10, 11]),
    row('v2', 60, [11, 12]),
    row('v3', 60, [100]),
  ]);
  try {
    const scope: Scope = {
      ...EMPTY_SCOPE,
      datasets: [
        // d1: v1 tracks 0-2 and v2 track 12; d2: v1 tracks 4-9.
        {
          name: 'd1',
          extents: [
            { volume: 'v1', offsetBytes: 0, lengthBytes: 3 * TRACK },
            { volume: 'v2', offsetBytes: 12 * TRACK, lengthBytes: TRACK },
          ],
        },
        { name: 'd2', extents: [{ volume: 'v1', offsetBytes: 4 * TRACK, lengthBytes: 6 * TRACK }] },
      ],
    };
    const ctx = { intervalS: 60, trackBytes: TRACK, scope, capacityBytes: () => null };
    const source = await storeCellSource(store, () => true);
    for (const threads of [1, 3]) {
      const rows = await computeChurn(source, { by: 'dataset', per: null, range: null, datasets: null, threads }, ctx);
      // d1: v1 {0,1,2} and v2 {12} = 4; d2: v1 {4,5} = 2; all: 6. Per interval: d1 3 then 1+1, d2 0 then 2.
      assert.deepEqual(
        rows.map((r) => [r.name, r.changedTracks, r.perInterval.peak]),
        [
          ['d1', 4, 3],
          ['d2', 2, 2],
          ['(all selected)', 6, 4],
        ],
        `threads ${threads}`,
      );
    }
    // Groups across threads: g holds v1 and v2 (folded on different threads), per 1 minute buckets of 2.
    const groups: Scope = { ...EMPTY_SCOPE, groups: [{ name: 'g', volumes: ['v1', 'v2'] }] };
    const gctx = { ...ctx, scope: groups };
    const rows = await computeChurn(source, { by: 'group', per: 120, range: null, datasets: null, threads: 3 }, gctx);
    // g: v1 6 tracks + v2 3 tracks = 9; its intervals 4+2 then 4+2; (ungrouped): v3, 1.
    assert.deepEqual(
      rows.map((r) => [r.name, r.changedTracks, r.writes, r.perInterval.peak, r.perInterval.p50]),
      [
        ['g', 9, 12, 6, 6],
        ['(ungrouped)', 1, 1, 1, 0],
      ],
    );
  } finally {
    await store.close();
  }
});

test('a worker that cannot open the store fails the report with its reason (no hang)', async () => {
  const store = await storeOf([row('v1', 0, [1]), row('v2', 0, [2]), row('v3', 0, [3])]);
  try {
    const real = await storeCellSource(store, () => true);
    const missing = join(tempDir(), 'gone.db');
    const source = { ...real, reopenSpec: () => missing };
    const ctx = { intervalS: 60, trackBytes: TRACK, scope: EMPTY_SCOPE, capacityBytes: () => null };
    await assert.rejects(
      computeChurn(source, { by: 'volume', per: null, range: null, datasets: null, threads: 2 }, ctx),
      (err: Error) => err.message.includes(`store ${missing} does not exist`),
    );
  } finally {
    await store.close();
  }
});
