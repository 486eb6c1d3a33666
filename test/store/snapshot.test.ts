import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { storeCellSource } from '../../src/report/cells.js';
import { planChurn, streamChurn, type ChurnRequest, type ChurnRow } from '../../src/report/churn.js';
import { EMPTY_SCOPE } from '../../src/scope/scope.js';
import { openStore } from '../../src/store/open.js';
import { PostgresStore } from '../../src/store/postgres.js';
import { SnapshotMoved } from '../../src/store/snapshot.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { IntervalRow, Store } from '../../src/store/store.js';
import { cleanUp } from '../support/cleanup.js';
import { freshDatabase, postgresUnavailable } from '../support/postgres.js';
import { tempDir } from '../helpers.js';
import { writeCell as cell } from '../support/cells.js';

// A reading store reads ONE state of the store from its opening to its close (store/snapshot.ts):
// a run completed by another connection while a report reads is in none of the report's rows, on
// the reading connection and on the reading threads (which open their own connections). Each test
// interleaves deterministically: open the reader, read part (or nothing), commit through a writer,
// read the rest. The expected answer comes from a second store that never got the later run.
const missing = await postgresUnavailable();
after(cleanUp);

const INTERVAL_S = 60;
const TRACK = 65_536;
/** Enough intervals that a streamed report reads several pages (SCAN_PAGE_ROWS = 2000). */
const INTERVALS = 1200;

/** Run A: v1 and v2 write track k % 7 (v2: 100 + k % 5) in interval k. */
const runA = (): IntervalRow[] => {
  const rows: IntervalRow[] = [];
  for (let k = 0; k < INTERVALS; k++) {
    rows.push(cell('v1', k * INTERVAL_S, [k % 7]));
    rows.push(cell('v2', k * INTERVAL_S, [100 + (k % 5)]));
  }
  return rows;
};

/** Run B (committed while the report reads): other tracks in every interval of v1 and v2, and a new volume v3. */
const runB = (): IntervalRow[] => {
  const rows: IntervalRow[] = [];
  for (let k = 0; k < INTERVALS; k++) {
    rows.push(cell('v1', k * INTERVAL_S, [50, 51]));
    rows.push(cell('v2', k * INTERVAL_S, [200]));
    rows.push(cell('v3', k * INTERVAL_S, [1]));
  }
  return rows;
};

async function commitRun(store: Store, rows: IntervalRow[]): Promise<void> {
  const run = await store.beginRun('h', [], false, { settings: { intervalS: INTERVAL_S, trackBytes: TRACK } });
  await store.writeIntervals(run, rows);
  await store.finishRun(run, { records: rows.length, skipped: 0 }, [], []);
}

interface Backend {
  name: string;
  skip: string | false;
  /** A new empty store: its location and a writer on it. */
  fresh(): Promise<{ spec: string; writer: Store }>;
}

const backends: Backend[] = [
  {
    name: 'sqlite',
    skip: false,
    fresh: async () => {
      const spec = join(tempDir(), 'snap.db');
      return { spec, writer: new SqliteStore(spec) };
    },
  },
  {
    name: 'postgres',
    skip: missing,
    fresh: async () => {
      const spec = await freshDatabase('snapshot');
      return { spec, writer: await PostgresStore.open(spec) };
    },
  },
];

const ctx = { intervalS: INTERVAL_S, trackBytes: TRACK, scope: EMPTY_SCOPE, capacityBytes: () => null };
const flat = (rows: ChurnRow[]): unknown[] =>
  rows.map((r) => [r.startS, r.name, r.changedTracks, r.writes, r.perInterval.peak]);

/** The report of a store holding run A only (another store: the independent answer). */
async function beforeReport(backend: Backend, request: ChurnRequest): Promise<ChurnRow[]> {
  const { spec, writer } = await backend.fresh();
  await commitRun(writer, runA());
  await writer.close();
  const reader = await openStore(spec, { mustExist: true });
  try {
    const source = await storeCellSource(reader, () => true);
    const rows: ChurnRow[] = [];
    for await (const row of streamChurn(source, await planChurn(source, { ...request, threads: 1 }, ctx))) {
      rows.push(row);
    }
    return rows;
  } finally {
    await reader.close();
  }
}

for (const backend of backends) {
  test(
    `${backend.name}: a scan reads the state of its store's opening, not a run committed between its pages`,
    {
      skip: backend.skip,
    },
    async () => {
      const { spec, writer } = await backend.fresh();
      await commitRun(writer, runA());
      const reader = await openStore(spec, { mustExist: true });
      try {
        const rows: [string, number, number][] = [];
        let committed = false;
        for await (const page of reader.scanIntervals({ pageRows: 2 })) {
          for (const r of page) rows.push([r.volume, r.startS, r.changedTracks]);
          if (!committed) {
            await commitRun(writer, runB());
            committed = true;
          }
        }
        // Run A alone, by hand: one track per (volume, interval), v1 and v2 only.
        const expected: [string, number, number][] = [];
        for (let k = 0; k < INTERVALS; k++) expected.push(['v1', k * 60, 1], ['v2', k * 60, 1]);
        assert.equal(rows.length, expected.length);
        assert.deepEqual(rows, expected);
        assert.deepEqual(
          (await reader.listVolumes()).map((v) => v.name),
          ['v1', 'v2'],
        );
      } finally {
        await reader.close();
      }
      // The writer's commit is there for a reader opened after it.
      const later = await openStore(spec, { mustExist: true });
      try {
        assert.deepEqual(
          (await later.volumeSpans({})).map((v) => v.volume),
          ['v1', 'v2', 'v3'],
        );
      } finally {
        await later.close();
        await writer.close();
      }
    },
  );

  test(
    `${backend.name}: a per-interval report streamed while a run completes gives the state before it`,
    {
      skip: backend.skip,
    },
    async () => {
      const request: ChurnRequest = { by: 'volume', per: 'interval', range: null, datasets: null };
      const expected = flat(await beforeReport(backend, request));
      // Run A alone: 2 volumes x INTERVALS rows of one track each.
      assert.equal(expected.length, 2 * INTERVALS);
      const { spec, writer } = await backend.fresh();
      await commitRun(writer, runA());
      const reader = await openStore(spec, { mustExist: true });
      try {
        const source = await storeCellSource(reader, () => true);
        const rows: ChurnRow[] = [];
        let committed = false;
        for await (const row of streamChurn(source, await planChurn(source, request, ctx))) {
          rows.push(row);
          if (!committed) {
            await commitRun(writer, runB());
            committed = true;
          }
        }
        assert.deepEqual(flat(rows), expected);
      } finally {
        await reader.close();
        await writer.close();
      }
    },
  );

  for (const threads of [1, 2]) {
    test(
      `${backend.name}: a report on ${threads} thread(s) begun before a run completes gives the state before it`,
      {
        skip: backend.skip,
      },
      async () => {
        // Buckets of two intervals: folded volume by volume, by worker threads with their own connections.
        const request: ChurnRequest = { by: 'volume', per: 2 * INTERVAL_S, range: null, datasets: null, threads };
        const expected = flat(await beforeReport(backend, request));
        // By hand for the first bucket of v1: tracks 0 and 1, two writes, peak 1.
        assert.deepEqual(expected[0], [0, 'v1', 2, 2, 1]);
        const { spec, writer } = await backend.fresh();
        await commitRun(writer, runA());
        const reader = await openStore(spec, { mustExist: true });
        try {
          await commitRun(writer, runB());
          const source = await storeCellSource(reader, () => true);
          const rows: ChurnRow[] = [];
          for await (const row of streamChurn(source, await planChurn(source, request, ctx))) rows.push(row);
          assert.deepEqual(flat(rows), expected);
        } finally {
          await reader.close();
          await writer.close();
        }
      },
    );
  }
}

// SQLite connections cannot share a snapshot: a reading thread opens the store again with the
// generation the command reads, and refuses when a commit that readers see came in between.
const sqliteChanges: [string, (w: SqliteStore) => Promise<void>][] = [
  ['a complete run', (w) => commitRun(w, [cell('v1', 0, [9])])],
  ['a live run begun', async (w) => void (await w.beginRun('h', [], true))],
  ['a file run begun (listed by runs)', async (w) => void (await w.beginRun('h', []))],
  [
    'a live commit',
    async (w) => {
      const live = (await w.listRuns()).find((r) => r.status === 'live')!;
      await w.writeIntervals(live.id, [cell('v2', 60, [3])]);
    },
  ],
  ['an aborted run', async (w) => w.abortRun((await w.listRuns()).find((r) => r.status === 'live')!.id)],
  ['a capacity', (w) => w.putVolumes([{ name: 'v1', capacityBytes: 1 << 30 }])],
  ['a scope', (w) => w.putScope('{"groups":[]}')],
  [
    'compression samples',
    (w) =>
      w.writeCompressionSamples([
        {
          runId: 1,
          volume: 'v1',
          startS: 0,
          tracksSampled: 1,
          rawBytes: TRACK,
          compressedBytes: 9,
          zeroTracks: 0,
          dupTracks: 0,
        },
      ]),
  ],
];

const generationTitle =
  'sqlite: a reading thread opens the state the command reads, and refuses after any change readers see';
test(generationTitle, async () => {
  const spec = join(tempDir(), 'gen.db');
  const writer = new SqliteStore(spec);
  await commitRun(writer, runA().slice(0, 4));
  try {
    for (const [what, change] of sqliteChanges) {
      const reader = await openStore(spec, { mustExist: true });
      try {
        const again = reader.reopenSpec!();
        assert.notEqual(again, spec, 'the spec carries the generation');
        // Nothing changed: the thread opens and reads what the command reads.
        const same = await openStore(again, { mustExist: true });
        assert.deepEqual(await same.listRuns(), await reader.listRuns());
        await same.close();
        await change(writer);
        await assert.rejects(openStore(again, { mustExist: true }), SnapshotMoved, what);
      } finally {
        await reader.close();
      }
    }
    // A file run's interval commits are invisible: they change nothing a reader sees.
    const reader = await openStore(spec, { mustExist: true });
    try {
      const running = (await writer.listRuns()).find((r) => r.status === 'running')!;
      await writer.writeIntervals(running.id, [cell('v1', 120, [4])]);
      await (await openStore(reader.reopenSpec!(), { mustExist: true })).close();
    } finally {
      await reader.close();
    }
  } finally {
    await writer.close();
  }
});

test('sqlite: a report on 2 threads with no change in between reads on both threads', async () => {
  // The worker reads its share (no fallback): its result equals the one-thread report's.
  const { spec, writer } = await backends[0]!.fresh();
  await commitRun(writer, runA());
  await writer.close();
  const request: ChurnRequest = { by: 'volume', per: 2 * INTERVAL_S, range: null, datasets: null, threads: 2 };
  const expected = flat(await beforeReport(backends[0]!, request));
  const reader = await openStore(spec, { mustExist: true });
  try {
    const source = await storeCellSource(reader, () => true);
    const rows: ChurnRow[] = [];
    for await (const row of streamChurn(source, await planChurn(source, request, ctx))) rows.push(row);
    assert.deepEqual(flat(rows), expected);
  } finally {
    await reader.close();
  }
});
