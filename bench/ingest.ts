/**
 * Ingest benchmark: churnlink against DuckDB's exact query on the same file, in the same run.
 *
 *   npm run build && node dist/bench/ingest.js --kind msr --records 50000000 [--threads 2] [--file F]
 *
 * Generates the trace (deterministic, bench/data/) unless --file is given, then runs, each in its
 * own process: the newline-scan ceiling (a plain JS loop counting newlines on THREADS workers),
 * churnlink collect, and DuckDB. Checks both give the same per-(volume, interval) writes, bytes
 * and distinct tracks, and prints records/s, MB/s, peak RSS, the speed ratio and the fraction of
 * the ceiling reached.
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { generate } from './generate.js';
import { SqliteStore } from '../src/store/sqlite.js';
import type { ExactRow } from './duckdb-query.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHILD = fileURLToPath(new URL('./child.js', import.meta.url));

interface Measured {
  ms: number;
  maxRssMiB: number;
  [key: string]: unknown;
}

function child(...args: string[]): Measured {
  return JSON.parse(execFileSync(process.execPath, [CHILD, ...args], { maxBuffer: 1 << 30, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })) as Measured;
}

async function ensureTrace(kind: 'msr' | 'alibaba', records: number, volumes: number): Promise<string> {
  const dir = join(ROOT, 'bench', 'data');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${kind}-${records}.csv`);
  if (existsSync(path)) return path;
  process.stderr.write(`generating ${path} ...\n`);
  const out = createWriteStream(`${path}.part`);
  for (const chunk of generate({ kind, records, volumes, hours: Math.max(1, Math.round(records / 300_000)), seed: 1 })) {
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
    byKey.set(`${r.startS} ${r.volume}`, { volume: r.volume, startS: r.startS, writes: r.writes, writeBytes: r.writeBytes, changedTracks: r.changedTracks });
  }
  await store.close();
  return [...byKey.values()].sort((a, b) => a.startS - b.startS || (a.volume < b.volume ? -1 : a.volume > b.volume ? 1 : 0));
}

const { values } = parseArgs({
  options: {
    kind: { type: 'string', default: 'msr' },
    records: { type: 'string', default: '50000000' },
    volumes: { type: 'string', default: '8' },
    threads: { type: 'string', default: String(availableParallelism()) },
    file: { type: 'string' },
  },
});
const kind = values.kind === 'alibaba' ? 'alibaba' : 'msr';
const threads = Number(values.threads);
const path = values.file ?? (await ensureTrace(kind, Number(values.records), Number(values.volumes)));
const bytes = statSync(path).size;
mkdirSync(join(ROOT, 'bench', 'data'), { recursive: true });
const db = join(ROOT, 'bench', 'data', 'bench.db');

const scan = child('scan', path, String(threads));
const ours = child('churnlink', path, String(threads), db);
const duck = child('duckdb', path, kind, String(threads));
const records = ours.records as number;
const mine = await churnlinkRows(db);
const theirs = duck.rows as ExactRow[];
const same = JSON.stringify(mine) === JSON.stringify(theirs);

const mbps = (ms: number): string => ((bytes / 1e6) / (ms / 1000)).toFixed(0);
const rps = (ms: number): string => ((records / 1e6) / (ms / 1000)).toFixed(2);
console.log(`file ${path}: ${(bytes / 1e9).toFixed(2)} GB, ${records.toLocaleString('en-US')} records, ${threads} threads`);
console.log(`newline scan ceiling: ${(scan.ms / 1000).toFixed(2)} s, ${mbps(scan.ms)} MB/s`);
console.log(`churnlink:            ${(ours.ms / 1000).toFixed(2)} s, ${rps(ours.ms)} M records/s, ${mbps(ours.ms)} MB/s, peak RSS ${ours.maxRssMiB.toFixed(0)} MiB`);
console.log(`duckdb:               ${(duck.ms / 1000).toFixed(2)} s, ${rps(duck.ms)} M records/s, ${mbps(duck.ms)} MB/s, peak RSS ${duck.maxRssMiB.toFixed(0)} MiB`);
console.log(`churnlink / duckdb speed: ${(duck.ms / ours.ms).toFixed(2)}x; fraction of the scan ceiling: ${((100 * scan.ms) / ours.ms).toFixed(0)} %`);
console.log(`same per-(volume, interval) writes, bytes and distinct tracks as DuckDB: ${same ? 'yes' : 'NO'} (${mine.length} rows)`);
if (!same) {
  const diff = mine.findIndex((r, i) => JSON.stringify(r) !== JSON.stringify(theirs[i]));
  console.log('first difference:', JSON.stringify(mine[diff]), 'vs', JSON.stringify(theirs[diff]));
  process.exitCode = 1;
}
