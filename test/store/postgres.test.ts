import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { PostgresStore } from '../../src/store/postgres.js';
import { UsageError } from '../../src/errors.js';
import { storeConformance } from './conformance.js';
import { rollupConformance } from './rollup-conformance.js';
import { freshDatabase, postgresUnavailable } from '../support/postgres.js';
import { cleanUp } from '../support/cleanup.js';
import pg from 'pg';
import { serializeRoaring } from '../../src/bitmap/roaring.js';
import { encodeProfile } from '../../src/store/write-profile.js';
import { runCli, tempDir } from '../helpers.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IntervalRow } from '../../src/store/store.js';
import { writeCell } from '../support/cells.js';

// No server: every test still shows, as skipped with the reason.
const missing = await postgresUnavailable();
after(cleanUp);
storeConformance(
  'postgres',
  async () => {
    const url = await freshDatabase('conformance');
    return { store: await PostgresStore.open(url), reopen: () => PostgresStore.open(url) };
  },
  missing,
);

/** One interval of `volume` at `startS`: one 4 KiB write to `track`. */
const cell = (volume: string, startS: number, track: number): IntervalRow => writeCell(volume, startS, [track]);

test('postgres: an unreachable server is a usage error naming the redacted URL', { skip: missing }, async () => {
  await assert.rejects(
    PostgresStore.open('postgres://someone:secret@127.0.0.1:1/x', { retryForS: 0 }),
    (e: unknown) =>
      e instanceof UsageError &&
      /cannot use PostgreSQL at postgres:\/\/someone:\*\*\*@127\.0\.0\.1:1\/x/.test(e.message),
  );
});

rollupConformance(
  'postgres',
  async () => ({ store: await PostgresStore.open(await freshDatabase('rollups')) }),
  missing,
);

const readOnlyTitle =
  'postgres: a role with only SELECT reads reports (no DDL, no write on open); ' + 'an older schema asks for migrate';
test(readOnlyTitle, { skip: missing }, async () => {
  const url = await freshDatabase('readonly');
  const store = await PostgresStore.open(url);
  await store.useSettings({ intervalS: 60, trackBytes: 65536 });
  const run = await store.beginRun('h', []);
  const tracks = [3, 4, 70_000];
  await store.writeIntervals(
    run,
    [0, 60, 3600].map((startS) => ({
      volume: 'v',
      startS,
      writes: 3,
      writeBytes: 12_288,
      reads: 0,
      readBytes: 0,
      changedTracks: 3,
      bitmap: serializeRoaring(Uint32Array.from(tracks)),
      writeProfile: encodeProfile(Float64Array.of(12_288)),
    })),
  );
  await store.finishRun(run, { records: 9, skipped: 0 }, [], []);
  await store.close();
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const reader = new URL(url);
  reader.username = 'churn_reader';
  try {
    await admin.query(`DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'churn_reader')
      THEN CREATE ROLE churn_reader LOGIN; END IF; END $$`);
    await admin.query('REVOKE CREATE ON SCHEMA public FROM PUBLIC');
    await admin.query('GRANT USAGE ON SCHEMA public TO churn_reader');
    await admin.query('GRANT SELECT ON ALL TABLES IN SCHEMA public TO churn_reader');
    const r = await runCli('report', '--store', reader.href, '--format', 'json');
    assert.equal(r.code, 0, r.stderr);
    const [row] = JSON.parse(r.stdout) as { volume: string; writes: number; changedTracks: number }[];
    assert.deepEqual([row!.volume, row!.writes, row!.changedTracks], ['v', 9, 3]);
    // The whole-window answer came from the day rollup the writer stored; the reader wrote nothing.
    const hours = await runCli('report', '--store', reader.href, '--per', '1h', '--format', 'csv');
    assert.equal(hours.code, 0, hours.stderr);
    assert.equal((await runCli('runs', '--store', reader.href)).code, 0);

    // A store of the previous schema (no rollups): the reader is told to migrate, nothing written.
    await admin.query('DROP TABLE churnlink_rollups');
    await admin.query("UPDATE churnlink_meta SET value = '5' WHERE key = 'schema_version'");
    const old = await runCli('report', '--store', reader.href);
    assert.equal(old.code, 2);
    assert.match(old.stderr, /written by an earlier churnlink \(schema 5\).*churnlink migrate/);
    const version = await admin.query("SELECT value FROM churnlink_meta WHERE key = 'schema_version'");
    assert.equal(version.rows[0].value, '5');
  } finally {
    await admin.end();
  }
});

test(
  'postgres: a new store compresses its blob columns with lz4; an existing store keeps its setting',
  { skip: missing },
  async () => {
    const url = await freshDatabase('lz4');
    const compressionOf = async (): Promise<string[]> => {
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        const { rows } = await admin.query(`SELECT c.relname || '.' || a.attname || '=' || a.attcompression::text AS s
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        WHERE c.relname IN ('churnlink_chunks', 'churnlink_rollups') AND a.atttypid = 'bytea'::regtype
        ORDER BY 1`);
        return rows.map((r: { s: string }) => r.s);
      } finally {
        await admin.end();
      }
    };
    const store = await PostgresStore.open(url);
    await store.close();
    const lz4 = [
      'churnlink_chunks.counts=l',
      'churnlink_chunks.data=l',
      'churnlink_chunks.or_bitmap=l',
      'churnlink_rollups.counts=l',
      'churnlink_rollups.or_bitmap=l',
    ];
    assert.deepEqual(await compressionOf(), lz4);
    // A store made before (default pglz, shown as ''): opening it again changes nothing.
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query('ALTER TABLE churnlink_chunks ALTER COLUMN data SET COMPRESSION default');
    } finally {
      await admin.end();
    }
    await (await PostgresStore.open(url)).close();
    assert.deepEqual(
      await compressionOf(),
      lz4.map((s) => (s === 'churnlink_chunks.data=l' ? 'churnlink_chunks.data=' : s)),
    );
  },
);

test(
  'postgres: two writes of one run in flight at once, into the same chunks, merge exactly (none is lost)',
  { skip: missing },
  async () => {
    const url = await freshDatabase('concurrent');
    const store = await PostgresStore.open(url);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await store.useSettings({ intervalS: 60, trackBytes: 65536 });
      const run = await store.beginRun('h', []);
      // Write 1: minutes 0..9 of v and w, track 1; write 2: minutes 5..14 of v, track 2, and v's
      // next chunk (3600 s). Both wait on the run's row until the admin lets them go together.
      const first = [...Array.from({ length: 10 }, (_, m) => cell('v', 60 * m, 1)), cell('w', 0, 1)];
      const second = [...Array.from({ length: 10 }, (_, m) => cell('v', 60 * (m + 5), 2)), cell('v', 3600, 2)];
      await store.writeIntervals(run, [cell('w', 60, 9), cell('v', 7200, 9)]); // volume ids known: both writes go straight to the run
      await admin.query('BEGIN');
      await admin.query('SELECT id FROM churnlink_runs WHERE id = $1 FOR UPDATE', [run]);
      const writes = [store.writeIntervals(run, first), store.writeIntervals(run, second)];
      const deadline = Date.now() + 30_000;
      for (;;) {
        await admin.query('SELECT pg_stat_clear_snapshot()'); // activity is read once per transaction otherwise
        const { rows } = await admin.query(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()",
        );
        if (rows[0].n === 2) break;
        assert.ok(Date.now() < deadline, 'the two writes never waited on the run');
        await new Promise((resolve) => setImmediate(resolve));
      }
      await admin.query('COMMIT');
      await Promise.all(writes);
      await store.finishRun(run, { records: 22, skipped: 0 }, [], []);
      const stored = await store.readIntervals({});
      const v = stored.filter((r) => r.volume === 'v').map((r) => [r.startS, r.writes, r.changedTracks]);
      // Minutes 0..4: track 1; 5..9: tracks 1 and 2, two writes; 10..14: track 2; then 3600.
      const expected = Array.from({ length: 15 }, (_, m) => [
        60 * m,
        m >= 5 && m < 10 ? 2 : 1,
        m >= 5 && m < 10 ? 2 : 1,
      ]);
      assert.deepEqual(v, [...expected, [3600, 1, 1], [7200, 1, 1]]);
      const w = stored.filter((r) => r.volume === 'w').map((r) => [r.startS, r.writes]);
      assert.deepEqual(w, [
        [0, 1],
        [60, 1],
      ]);
    } finally {
      await admin.query('ROLLBACK').catch(() => {});
      await admin.end();
      await store.close();
    }
  },
);

test(
  'postgres: volume spans in windows inside one chunk, between its intervals and across runs, are exact',
  { skip: missing },
  async () => {
    const store = await PostgresStore.open(await freshDatabase('spans'));
    try {
      await store.useSettings({ intervalS: 60, trackBytes: 65536 });
      // One chunk (minutes 0..59) of v: minutes 0 and 50 in run 1, minute 30 in run 2; w: minute 70.
      for (const starts of [[0, 50], [30]]) {
        const run = await store.beginRun('h', []);
        await store.writeIntervals(
          run,
          starts.map((m) => cell('v', 60 * m, 1)),
        );
        if (starts.length === 1) await store.writeIntervals(run, [cell('w', 60 * 70, 1)]);
        await store.finishRun(run, { records: 0, skipped: 0 }, [], []);
      }
      const spans = async (fromM?: number, toM?: number): Promise<[string, number, number][]> =>
        (
          await store.volumeSpans({
            ...(fromM === undefined ? {} : { fromS: 60 * fromM }),
            ...(toM === undefined ? {} : { toS: 60 * toM }),
          })
        ).map((s) => [s.volume, s.firstS / 60, s.lastS / 60]);
      assert.deepEqual(await spans(), [
        ['v', 0, 50],
        ['w', 70, 70],
      ]);
      assert.deepEqual(await spans(10, 20), []); // inside v's chunk, between its intervals
      assert.deepEqual(await spans(10, 40), [['v', 30, 30]]); // only run 2's cell
      assert.deepEqual(await spans(1, 65), [['v', 30, 50]]);
      assert.deepEqual(await spans(40, 71), [
        ['v', 50, 50],
        ['w', 70, 70],
      ]);
      assert.deepEqual(await spans(51, 70), []);
    } finally {
      await store.close();
    }
  },
);

test(
  'postgres: a read through binary COPY that the server refuses fails with its reason; the store reads on',
  { skip: missing },
  async () => {
    const url = await freshDatabase('copyrefused');
    const store = await PostgresStore.open(url);
    await store.useSettings({ intervalS: 60, trackBytes: 65536 });
    const run = await store.beginRun('h', []);
    await store.writeIntervals(
      run,
      [0, 60, 7200].map((startS) => cell('v', startS, startS)),
    );
    await store.finishRun(run, { records: 3, skipped: 0 }, [], []);
    await store.close();
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    const reader = new URL(url);
    reader.username = 'churn_blind';
    const blind = await (async () => {
      await admin.query(`DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'churn_blind')
        THEN CREATE ROLE churn_blind LOGIN; END IF; END $$`);
      await admin.query('GRANT USAGE ON SCHEMA public TO churn_blind');
      await admin.query('GRANT SELECT ON ALL TABLES IN SCHEMA public TO churn_blind');
      await admin.query('REVOKE SELECT ON churnlink_chunks FROM churn_blind');
      return PostgresStore.open(reader.href, { readonly: true });
    })();
    try {
      const starts = async (): Promise<number[]> => {
        const out: number[] = [];
        for await (const page of blind.scanChunkData!('v', 0, 86_400)) for (const c of page) out.push(c.chunkS);
        return out;
      };
      await assert.rejects(starts(), /permission denied for table churnlink_chunks/);
      // The connection that failed was dropped: the next reads (plain and COPY) go on.
      assert.deepEqual(
        (await blind.listVolumes()).map((v) => v.name),
        ['v'],
      );
      await admin.query('GRANT SELECT ON churnlink_chunks TO churn_blind');
      assert.deepEqual(await starts(), [0, 7200]); // chunks of 60 one-minute intervals
      const chunks: number[] = [];
      for await (const page of blind.scanChunks({ volumes: ['v'] })) for (const c of page) chunks.push(c.cells);
      assert.deepEqual(chunks, [2, 1]);
    } finally {
      await blind.close();
      await admin.end();
    }
  },
);

test(
  'postgres: written bytes summed past 2^53 in one interval are stored and read back as on SQLite',
  { skip: missing },
  async () => {
    // 40 writes of 2^48 bytes in one minute: 40 x 2^48 = 11,258,999,068,426,240 bytes, past 2^53
    // (9,007,199,254,740,992) yet a double exactly. PostgreSQL refused to store it before.
    const dir = tempDir();
    const trace = join(dir, 'huge.csv');
    const lines = Array.from({ length: 40 }, (_, i) => `${1_767_565_800 + i},v,0,${2 ** 48},w`);
    writeFileSync(trace, ['time,vol,off,len,op', ...lines].join('\n') + '\n');
    const columns = 'time=time:epoch-s,offset=off:B,length=len:B,op=op,volume=vol';
    const written = async (store: string): Promise<number> => {
      const collect = await runCli(
        'collect',
        trace,
        '--store',
        store,
        '--interval',
        '1m',
        '--track',
        '1048576',
        '--columns',
        columns,
      );
      assert.equal(collect.code, 0, collect.stderr);
      const r = await runCli('report', '--store', store, '--per', 'interval', '--format', 'json');
      assert.equal(r.code, 0, r.stderr);
      const [row] = JSON.parse(r.stdout) as { writeBytes: number; writes: number; changedTracks: number }[];
      assert.deepEqual([row!.writes, row!.changedTracks], [40, 2 ** 28]); // 2^48 B of 1 MiB tracks
      return row!.writeBytes;
    };
    assert.equal(await written(join(dir, 'huge.db')), 40 * 2 ** 48);
    assert.equal(await written(await freshDatabase('huge')), 40 * 2 ** 48);
  },
);
