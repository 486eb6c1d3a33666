/**
 * Fleet benchmark: a store of V volumes x D days at interval I, built directly through the Store
 * API with realistic sparse cells (most cells a few scattered tracks, one volume in twenty hot:
 * hundreds of tracks in a hot region plus a log; idle cells left out), then each reporting
 * command timed in its own process with its peak RSS.
 *
 *   node dist/bench/fleet.js [--volumes 1000] [--days 30] [--interval 60] [--store F] [--keep]
 *   node dist/bench/fleet.js --volumes 200 --days 3          # the quick case: 864 k cells
 *   node dist/bench/fleet.js --store F --keep --only models  # one command again on a kept store
 *   node dist/bench/fleet.js --volumes 1000 --days 7 --interval 300 --postgres
 *
 * `--postgres` also builds the same store (same seed, same cells) in a private PostgreSQL server
 * started as the tests start it (test/support/postgres.ts, fsync off, stopped at the end), times
 * each command against both stores one after the other and prints the PostgreSQL / SQLite ratios.
 * `--postgres-url URL` uses a server you run instead (the URL's database must exist): the store is
 * built there only when it holds no run yet, and left in place, so later runs time it again.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { serializeRoaring } from '../src/bitmap/roaring.js';
import { encodeProfile } from '../src/store/write-profile.js';
import { CHUNK_INTERVALS } from '../src/store/chunk.js';
import { SqliteStore } from '../src/store/sqlite.js';
import { PostgresStore } from '../src/store/postgres.js';
import { redactLocation } from '../src/store/location.js';
import type { IntervalRow, Store } from '../src/store/store.js';
import { prng } from './generate.js';
import { startPostgres } from '../test/support/postgres.js';
import { cleanUp } from '../test/support/cleanup.js';
import pg from 'pg';

const BIN = fileURLToPath(new URL('../../bin/churnlink.js', import.meta.url));
const START_S = Date.UTC(2026, 0, 5) / 1000;
const TRACKS = 1 << 24; // 1 TiB of 64 KiB tracks per volume

const { values } = parseArgs({
  options: {
    volumes: { type: 'string', default: '1000' },
    days: { type: 'string', default: '30' },
    interval: { type: 'string', default: '60' },
    store: { type: 'string' },
    keep: { type: 'boolean', default: false },
    seed: { type: 'string', default: '1' },
    /** Run only the commands whose name contains this text (or one of these, comma-separated). */
    only: { type: 'string', default: '' },
    postgres: { type: 'boolean', default: false },
    'postgres-url': { type: 'string' },
  },
});
const V = Number(values.volumes);
const D = Number(values.days);
const I = Number(values.interval);
const path = values.store ?? join(tmpdir(), `fleet-${V}x${D}d-${I}s.db`);

/** One volume's cell at interval k, or null when the volume was idle. */
function cellOf(
  rand: () => number,
  volume: number,
  k: number,
  scratch: Uint32Array,
  perSecond: Float64Array,
): IntervalRow | null {
  const hot = volume % 20 === 0;
  if (!hot && rand() < 0.3) return null;
  let n = hot ? 200 + Math.floor(rand() * 800) : 1 + Math.floor(rand() * 4);
  const base = hot ? (volume * 7919) % (TRACKS - 200_000) : 0;
  for (let i = 0; i < n; i++) scratch[i] = hot ? base + Math.floor(rand() * 100_000) : Math.floor(rand() * TRACKS);
  // the log: 64 sequential tracks per interval
  if (hot) for (let i = 0; i < 64 && n < scratch.length; i++) scratch[n++] = base + 150_000 + ((k * 64 + i) % 50_000);
  const sorted = scratch.subarray(0, n).sort();
  let distinct = 0;
  for (let i = 0; i < n; i++) if (i === 0 || sorted[i] !== sorted[distinct - 1]) sorted[distinct++] = sorted[i]!;
  const writes = n + Math.floor(rand() * n);
  const writeBytes = writes * 16384;
  for (let s = 0; s < Math.min(I, 4); s++) perSecond[Math.floor(rand() * I)]! += writeBytes / 4;
  return {
    volume: `vol${String(volume).padStart(5, '0')}`,
    startS: START_S + k * I,
    writes,
    writeBytes,
    reads: writes,
    readBytes: writeBytes,
    changedTracks: distinct,
    bitmap: serializeRoaring(sorted, distinct),
    writeProfile: encodeProfile(perSecond),
  };
}

/** Fill `store` with the fleet's cells and close it; prints the time, this process's CPU and the size. */
async function build(store: Store, where: string, sizeBytes: () => Promise<number>): Promise<void> {
  const cpu0 = process.cpuUsage();
  await store.useSettings({ intervalS: I, trackBytes: 65536 });
  const groups = Array.from({ length: 10 }, (_, g) => ({ name: `g${g}`, volumes: [`vol*${g}`] }));
  await store.putScope(JSON.stringify({ volumes: null, groups, datasets: [] }));
  const source = { path: 'fleet', fingerprint: `fleet-${V}-${D}-${I}`, bytes: 0, format: 'generated' };
  const run = await store.beginRun('fleet', [source]);
  const rand = prng(Number(values.seed));
  const scratch = new Uint32Array(2000);
  const perSecond = new Float64Array(I);
  const intervals = (D * 86400) / I;
  let rows: IntervalRow[] = [];
  let cells = 0;
  const t0 = performance.now();
  // Volume by volume, in time order: each chunk (60 intervals of a volume) is written whole in
  // one call, never read back and rewritten as it would be interval by interval across volumes.
  for (let v = 0; v < V; v++) {
    for (let k = 0; k < intervals; k++) {
      const row = cellOf(rand, v, k, scratch, perSecond);
      if (row !== null) {
        rows.push(row);
        cells++;
      }
      if (rows.length >= 4096 && ((k + 1) % CHUNK_INTERVALS === 0 || k === intervals - 1)) {
        await store.writeIntervals(run, rows);
        rows = [];
      }
    }
  }
  await store.writeIntervals(run, rows);
  const t1 = performance.now();
  // Finishing makes the run visible: the store computes its hour and day rollups here, in bulk.
  await store.finishRun(run, { records: cells, skipped: 0 }, [], [source]);
  await store.close();
  const s = ((performance.now() - t0) / 1000).toFixed(1);
  const rollupsS = ((performance.now() - t1) / 1000).toFixed(1);
  const cpu = process.cpuUsage(cpu0);
  const bytes = await sizeBytes();
  console.log(
    `built ${where}: ${cells} cells of ${V * intervals} (volume, interval) pairs in ${s} s ` +
      `(${rollupsS} s of it the rollups at finish; ${((cpu.user + cpu.system) / 1e6).toFixed(1)} client CPU s), ` +
      `${(bytes / 2 ** 20).toFixed(1)} MiB (${(bytes / cells).toFixed(0)} B per cell)`,
  );
}

async function buildSqlite(): Promise<void> {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
  await build(new SqliteStore(path), path, async () => statSync(path).size);
}

/** One value from the database at `url`. */
async function pgValue(url: string, sql: string): Promise<unknown> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows[0].v;
  } finally {
    await client.end();
  }
}

/**
 * The same store in PostgreSQL; returns its URL. A private server unless `--postgres-url` names
 * one, where a store that already holds a run is used as it is.
 */
async function buildPostgres(): Promise<string> {
  let url = values['postgres-url'];
  if (url === undefined) {
    const server = await startPostgres();
    server.createDatabase('fleet');
    url = server.url('fleet');
  } else {
    const runs = "SELECT CASE WHEN to_regclass('churnlink_runs') IS NULL THEN 0 ELSE 1 END AS v";
    if (
      Number(await pgValue(url, runs)) === 1 &&
      Number(await pgValue(url, 'SELECT count(*) AS v FROM churnlink_runs')) > 0
    )
      return url;
  }
  const where = `PostgreSQL ${redactLocation(url)}`;
  const sizeBytes = async (): Promise<number> =>
    Number(await pgValue(url, 'SELECT pg_database_size(current_database()) AS v'));
  await build(await PostgresStore.open(url), where, sizeBytes);
  return url;
}

interface Step {
  name: string;
  args: string[];
}

interface Measure {
  s: number;
  cpuS: number;
  rssMiB: number;
  code: number | null;
  load: string;
  stdout: string;
}

function measure(step: Step, store: string): Measure {
  const t0 = performance.now();
  const args = ['-f', '%M %U %S', process.execPath, BIN, ...step.args, '--store', store];
  const r = spawnSync('/usr/bin/time', args, { encoding: 'utf8', maxBuffer: 1 << 30 });
  const s = (performance.now() - t0) / 1000;
  const m = /(\d+) ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
  if (r.status !== 0) process.stderr.write(`${step.name}: exit ${r.status}: ${r.stderr.slice(0, 500)}\n`);
  return {
    s,
    cpuS: Number(m?.[2] ?? NaN) + Number(m?.[3] ?? NaN),
    rssMiB: Number(m?.[1] ?? NaN) / 1024,
    code: r.status,
    stdout: r.stdout,
    load: loadavg()
      .map((x) => x.toFixed(2))
      .join(' '),
  };
}

const load = (): string =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
try {
  if (!existsSync(path) || !values.store) await buildSqlite();
  const pgUrl = values.postgres || values['postgres-url'] !== undefined ? await buildPostgres() : null;
  const oneVolume = join(tmpdir(), 'fleet-one-volume.json');
  writeFileSync(oneVolume, JSON.stringify({ volumes: [{ name: 'vol00001' }] }));
  const steps: Step[] = [
    { name: 'report --by volume (whole window)', args: ['report', '--format', 'csv'] },
    { name: 'report --by group --per 1h', args: ['report', '--by', 'group', '--per', '1h', '--format', 'csv'] },
    {
      name: 'report --per interval, one volume',
      args: ['report', '--per', 'interval', '--format', 'csv', '--scope', oneVolume],
    },
    { name: 'report --models', args: ['report', '--models'] },
    { name: 'simulate --cycle 5m', args: ['simulate', '--cycle', '5m', '--link', '1x10Gbit'] },
    { name: 'plan --rpo 15m --cycle 5m', args: ['plan', '--rpo', '15m', '--percentile', '99', '--cycle', '5m'] },
  ];
  const title = `command (${V} volumes x ${D} days x ${I} s)`;
  const cell = (m: Measure): string =>
    `${m.code === 0 ? m.s.toFixed(1) : `exit ${m.code}`} | ${m.cpuS.toFixed(1)} | ${m.rssMiB.toFixed(0)}`;
  if (pgUrl === null) {
    console.log(`| ${title} | time (s) | CPU (s) | peak RSS (MiB) | load after |`);
    console.log('|---|---:|---:|---:|---|');
  } else {
    console.log(
      `| ${title} | SQLite time (s) | CPU (s) | peak RSS (MiB) | PostgreSQL time (s) | client CPU (s) | ` +
        'peak RSS (MiB) | PostgreSQL / SQLite | same output | load after |',
    );
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|---|---|');
  }
  // Each command against SQLite then PostgreSQL, one after the other: both under the same load.
  for (const step of steps.filter((x) => values.only!.split(',').some((only) => x.name.includes(only)))) {
    const m = measure(step, path);
    if (pgUrl === null) {
      console.log(`| \`${step.name}\` | ${cell(m)} | ${m.load} |`);
      continue;
    }
    const p = measure(step, pgUrl);
    const ratio = m.code === 0 && p.code === 0 ? `${(p.s / m.s).toFixed(2)} x` : '?';
    const same = p.stdout.replace(pgUrl, path) === m.stdout ? 'yes' : 'NO';
    console.log(`| \`${step.name}\` | ${cell(m)} | ${cell(p)} | ${ratio} | ${same} | ${load()} |`);
  }
} finally {
  if (!values.keep && !values.store) {
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
  }
  await cleanUp();
}
