import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { decodeRoaring, serializeRoaring } from '../../src/bitmap/roaring.js';
import { PostgresStore } from '../../src/store/postgres.js';
import { eachCount } from '../../src/store/rollup.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { IntervalRow, Store } from '../../src/store/store.js';
import { encodeProfile } from '../../src/store/write-profile.js';
import { freshDatabase, postgresUnavailable } from '../support/postgres.js';
import { cleanUp } from '../support/cleanup.js';
import { tempDir } from '../helpers.js';

/**
 * Chunks keep their per-interval counts, from which the hour rollups of chunks tiling an hour are
 * built without reading the packed intervals. A store created before that has no `counts` column:
 * opening it to write adds the column (null in its chunks), and its rollups stay exact, computed
 * from the packed intervals of those chunks.
 */
const missing = await postgresUnavailable();
after(cleanUp);
const dir = tempDir();

function row(startS: number, tracks: number[]): IntervalRow {
  return {
    volume: 'a',
    startS,
    writes: tracks.length,
    writeBytes: 4096 * tracks.length,
    reads: 0,
    readBytes: 0,
    changedTracks: tracks.length,
    bitmap: serializeRoaring(Uint32Array.from(tracks)),
    writeProfile: encodeProfile(Float64Array.of(0, 4096 * tracks.length)),
    partial: false,
  };
}

/** Every rollup of volume a: level, period, cells, writes, tracks of the OR, their count, per-cell counts. */
async function rollupsOf(store: Store): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const levelS of [3600, 86_400]) {
    for await (const page of store.scanRollups({ volume: 'a', levelS, fromS: 0, toS: 2 * 86_400, pageRows: 10 })) {
      for (const r of page) {
        const counts: [number, number][] = [];
        eachCount(r, (s, n) => counts.push([s, n]));
        out.push([levelS, r.periodS, r.cells, r.writes, decodeRoaring(r.orBitmap).join(','), r.changedTracks, counts]);
      }
    }
  }
  return out;
}

// Hand-computed: run 1 holds cells 0 {1,2}, 60 {2,3} (hour 0) and 3600 {7} (hour 1); run 2 adds 7200 {9}.
const FIRST = [
  [
    3600,
    0,
    2,
    4,
    '1,2,3',
    3,
    [
      [0, 2],
      [60, 2],
    ],
  ],
  [3600, 3600, 1, 1, '7', 1, [[3600, 1]]],
  [
    86_400,
    0,
    3,
    5,
    '1,2,3,7',
    4,
    [
      [0, 2],
      [60, 2],
      [3600, 1],
    ],
  ],
];
const BOTH = [
  FIRST[0],
  FIRST[1],
  [3600, 7200, 1, 1, '9', 1, [[7200, 1]]],
  [
    86_400,
    0,
    4,
    6,
    '1,2,3,7,9',
    5,
    [
      [0, 2],
      [60, 2],
      [3600, 1],
      [7200, 1],
    ],
  ],
];

async function writeRun(store: Store, rows: IntervalRow[]): Promise<void> {
  const id = await store.beginRun('h', [], false);
  await store.writeIntervals(id, rows);
  await store.finishRun(id, { records: rows.length, skipped: 0 }, [], []);
}

test('sqlite: a store whose chunks predate their counts gains the column and keeps exact rollups', async () => {
  const path = join(dir, 'old-chunks.db');
  const store = new SqliteStore(path);
  await store.useSettings({ intervalS: 60, trackBytes: 65536 });
  await writeRun(store, [row(0, [1, 2]), row(60, [2, 3]), row(3600, [7])]);
  assert.deepEqual(await rollupsOf(store), FIRST);
  await store.close();
  // As an earlier churnlink left it: no counts column.
  const raw = new Database(path);
  raw.exec('ALTER TABLE chunks DROP COLUMN counts');
  raw.close();

  const reopened = new SqliteStore(path);
  try {
    const check = new Database(path, { readonly: true });
    const counts = check.prepare('SELECT counts FROM chunks').pluck().all();
    check.close();
    assert.deepEqual(counts, [null, null]);
    // Day 0 is recomputed: hours 0 and 1 from chunks without counts, hour 2 from one with them.
    await writeRun(reopened, [row(7200, [9])]);
    assert.deepEqual(await rollupsOf(reopened), BOTH);
  } finally {
    await reopened.close();
  }
});

test(
  'postgres: a store whose chunks predate their counts gains the column and keeps exact rollups',
  {
    skip: missing,
  },
  async () => {
    const url = await freshDatabase('old-chunks');
    const store = await PostgresStore.open(url);
    await store.useSettings({ intervalS: 60, trackBytes: 65536 });
    await writeRun(store, [row(0, [1, 2]), row(60, [2, 3]), row(3600, [7])]);
    assert.deepEqual(await rollupsOf(store), FIRST);
    await store.close();
    const raw = new pg.Client(url);
    await raw.connect();
    try {
      await raw.query('ALTER TABLE churnlink_chunks DROP COLUMN counts');
      const reopened = await PostgresStore.open(url);
      try {
        const { rows } = await raw.query('SELECT counts FROM churnlink_chunks');
        assert.deepEqual(
          rows.map((r) => r.counts),
          [null, null],
        );
        await writeRun(reopened, [row(7200, [9])]);
        assert.deepEqual(await rollupsOf(reopened), BOTH);
      } finally {
        await reopened.close();
      }
    } finally {
      await raw.end();
    }
  },
);
