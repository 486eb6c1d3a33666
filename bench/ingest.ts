/**
 * Ingest benchmark: churnlink against DuckDB's exact query on the same file, in the same run.
 *
 *   npm run build && node dist/bench/ingest.js --kind msr --records 50000000 [--shape bench|hot]
 *     [--threads auto|N] [--file F] [--remove]
 *
 * Shapes: `bench` (default; generate.ts: 8 volumes, hot region, log, random writes and reads) and
 * `hot` (hot-shape.ts: 4 volumes of 200 GiB, 80 % of the writes in a 2 GiB region, 512 B–64 KiB,
 * MSR). Generates the trace (deterministic, bench/data/; `--remove` deletes it afterwards) unless
 * --file is given, then runs, each in its own process: `wc -l` (the machine's line-scan ceiling),
 * the JS newline-scan ceiling (a plain JS loop counting newlines on THREADS workers), MSR parsing
 * alone on one thread with and without the WebAssembly kernels, churnlink collect and DuckDB.
 * Checks both give the same per-(volume, interval) writes, bytes and distinct tracks, and prints
 * wall and CPU seconds, records/s, MB/s, peak RSS, the load average, the speed ratio and
 * churnlink's fraction of both ceilings.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { generate } from './generate.js';
import { generateHot } from './hot-shape.js';
import { SqliteStore } from '../src/store/sqlite.js';
import type { ExactRow } from './duckdb-query.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHILD = fileURLToPath(new URL('./child.js', import.meta.url));

interface Measured {
  ms: number;
  cpuS: number;
  startMs: number;
  maxRssMiB: number;
  [key: string]: unknown;
}

function child(...args: string[]): Measured {
  return JSON.parse(
    execFileSync(process.execPath, [CHILD, ...args], {
      maxBuffer: 1 << 30,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  ) as Measured;
}

/** `wc -l FILE` timed by /usr/bin/time (wall and CPU seconds), or by this process when it is absent. */
function wc(path: string): { ms: number; cpuS: number | null } {
  if (existsSync('/usr/bin/time')) {
    const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S', 'wc', '-l', path], { encoding: 'utf8' });
    const [wall, user, sys] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
    return { ms: wall! * 1000, cpuS: user! + sys! };
  }
  const t0 = performance.now();
  execFileSync('wc', ['-l', path]);
  return { ms: performance.now() - t0, cpuS: null };
}

type Kind = 'msr' | 'alibaba';

async function ensureTrace(kind: Kind, shape: 'bench' | 'hot', records: number, volumes: number): Promise<string> {
  const dir = join(ROOT, 'bench', 'data');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, shape === 'hot' ? `hot-${records}.csv` : `${kind}-${records}.csv`);
  if (existsSync(path)) return path;
  process.stderr.write(`generating ${path} ...\n`);
  const out = createWriteStream(`${path}.part`);
  const hours = Math.max(1, Math.round(records / 300_000));
  const chunks =
    shape === 'hot' ? generateHot(records, hours, 1) : generate({ kind, records, volumes, hours, seed: 1 });
  for (const chunk of chunks) {
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  execFileSync('mv', [`${path}.part`, path]);
  return path;
}

async function churnlinkRows(db: string): Promise<ExactRow[]> {
  const store = new SqliteStore(db);
  const byKey = new Map<string, ExactRow>();
  for (const r of await store.readIntervals({})) {
    if (r.writes === 0) continue;
    byKey.set(`${r.startS} ${r.volume}`, {
      volume: r.volume,
      startS: r.startS,
      writes: r.writes,
      writeBytes: r.writeBytes,
      changedTracks: r.changedTracks,
    });
  }
  await store.close();
  return [...byKey.values()].sort(
    (a, b) => a.startS - b.startS || (a.volume < b.volume ? -1 : a.volume > b.volume ? 1 : 0),
  );
}

const { values } = parseArgs({
  options: {
    kind: { type: 'string', default: 'msr' },
    shape: { type: 'string', default: 'bench' },
    records: { type: 'string', default: '50000000' },
    volumes: { type: 'string', default: '8' },
    threads: { type: 'string', default: 'auto' },
    file: { type: 'string' },
    remove: { type: 'boolean', default: false },
  },
});
const shape = values.shape === 'hot' ? 'hot' : 'bench';
const kind: Kind = shape === 'hot' || values.kind !== 'alibaba' ? 'msr' : 'alibaba';
const threads = values.threads === 'auto' ? 'auto' : Number(values.threads);
const cores = threads === 'auto' ? availableParallelism() : threads; // the JS ceiling and DuckDB use these
const path = values.file ?? (await ensureTrace(kind, shape, Number(values.records), Number(values.volumes)));
const bytes = statSync(path).size;
mkdirSync(join(ROOT, 'bench', 'data'), { recursive: true });
const db = join(ROOT, 'bench', 'data', 'bench.db');

const loadBefore = loadavg();
const lines = wc(path);
const scan = child('scan', path, String(cores));
const parse = kind === 'msr' ? { js: child('decode', path, '0'), simd: child('decode', path, '1') } : null;
const ours = child('churnlink', path, String(threads), db);
const duck = child('duckdb', path, kind, String(cores));
const loadAfter = loadavg();
const records = ours.records as number;
const mine = await churnlinkRows(db);
const theirs = duck.rows as ExactRow[];
const same = JSON.stringify(mine) === JSON.stringify(theirs);

const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const mbps = (ms: number): string => `${(bytes / 1e6 / (ms / 1000)).toFixed(0)} MB/s`;
const rps = (ms: number): string => `${(records / 1e6 / (ms / 1000)).toFixed(2)} M records/s`;
const cpu = (m: { cpuS: number | null }): string => (m.cpuS === null ? 'CPU ?' : `CPU ${m.cpuS.toFixed(2)} s`);
const load = (l: number[]): string => l.map((x) => x.toFixed(2)).join(' ');
const count = records.toLocaleString('en-US');
console.log(`file ${path} (${shape}): ${(bytes / 1e9).toFixed(2)} GB, ${count} records, threads ${threads}`);
console.log(`load average before ${load(loadBefore)}, after ${load(loadAfter)} (1, 5, 15 min)`);
console.log(`wc -l:                ${s(lines.ms)}, ${mbps(lines.ms)}, ${cpu(lines)}`);
console.log(`JS newline ceiling:   ${s(scan.ms)}, ${mbps(scan.ms)}, ${cpu(scan)} (process)`);
if (parse) {
  console.log(
    `msr parse, 1 thread:  JS ${s(parse.js.ms)}, ${mbps(parse.js.ms)}, ${cpu(parse.js)}; ` +
      `WebAssembly ${s(parse.simd.ms)}, ${mbps(parse.simd.ms)}, ${cpu(parse.simd)} (process)`,
  );
}
const step = (m: Measured): string =>
  `${s(m.ms)}, ${rps(m.ms)}, ${mbps(m.ms)}, ${cpu(m)} (process), peak RSS ${m.maxRssMiB.toFixed(0)} MiB`;
console.log(
  `churnlink:            ${step(ours)}; start-up ${s(ours.startMs)}; decoding threads ${String(ours.decoders)}`,
);
console.log(`duckdb:               ${step(duck)}`);
console.log(
  `churnlink / duckdb speed: ${(duck.ms / ours.ms).toFixed(2)}x; ` +
    `fraction of wc -l: ${((100 * lines.ms) / ours.ms).toFixed(0)} %; ` +
    `of the JS newline ceiling: ${((100 * scan.ms) / ours.ms).toFixed(0)} %`,
);
console.log(
  `same per-(volume, interval) writes, bytes and distinct tracks as DuckDB: ${same ? 'yes' : 'NO'} (${mine.length} rows)`,
);
if (!same) {
  const diff = mine.findIndex((r, i) => JSON.stringify(r) !== JSON.stringify(theirs[i]));
  console.log('first difference:', JSON.stringify(mine[diff]), 'vs', JSON.stringify(theirs[diff]));
  process.exitCode = 1;
}
if (values.remove && values.file === undefined) rmSync(path, { force: true });
for (const suffix of ['', '-wal', '-shm']) rmSync(`${db}${suffix}`, { force: true });
