/**
 * One measured step of the benchmark, run in its own process so that its peak RSS is its own.
 * Prints one JSON line: { ms, maxRssMiB, ... }.
 *
 *   node dist/bench/child.js scan FILE THREADS          newline-count ceiling
 *   node dist/bench/child.js churnlink FILE THREADS DB  collect into a SQLite store (THREADS: N or auto)
 *   node dist/bench/child.js duckdb FILE KIND THREADS   DuckDB's exact per-(volume, interval) query
 *   node dist/bench/child.js decode FILE SIMD           msr parsing alone on this thread (SIMD 1 or 0)
 *
 * Every step also reports `cpuS` (user + system seconds of the whole process, all threads) and
 * `startMs` (from the process's start to the step's start: Node and module loading).
 */
import { openSync, readSync, closeSync, statSync, rmSync } from 'node:fs';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { collectSources } from '../src/collect/run.js';
import { EMPTY_SCOPE } from '../src/scope/scope.js';
import { openSource } from '../src/sources/file.js';
import { SqliteStore } from '../src/store/sqlite.js';
import { readers } from '../src/readers/index.js';
import { IoBatch } from '../src/readers/batch.js';
import { VolumeTable } from '../src/readers/volumes.js';
import { Warnings } from '../src/warnings.js';

const INTERVAL_S = 300;
const TRACK_BYTES = 65536;

/** Count newlines in [start, end) with a plain loop over 1 MiB reads: the JS byte-scan ceiling. */
function countNewlines(path: string, start: number, end: number): number {
  const fd = openSync(path, 'r');
  const buffer = new Uint8Array(1 << 20);
  let lines = 0;
  for (let at = start; at < end;) {
    const n = readSync(fd, buffer, 0, Math.min(buffer.length, end - at), at);
    for (let i = 0; i < n; i++) if (buffer[i] === 10) lines++;
    at += n;
  }
  closeSync(fd);
  return lines;
}

async function scan(path: string, threads: number): Promise<object> {
  const size = statSync(path).size;
  const t0 = performance.now();
  const parts = await Promise.all(
    Array.from(
      { length: threads },
      (_, k) =>
        new Promise<number>((resolve, reject) => {
          const w = new Worker(new URL(import.meta.url), {
            workerData: { path, start: Math.floor((size * k) / threads), end: Math.floor((size * (k + 1)) / threads) },
          });
          w.on('message', resolve);
          w.on('error', reject);
        }),
    ),
  );
  return { ms: performance.now() - t0, lines: parts.reduce((a, b) => a + b, 0) };
}

async function churnlink(path: string, threads: number | 'auto', db: string): Promise<object> {
  rmSync(db, { force: true });
  rmSync(`${db}-wal`, { force: true });
  rmSync(`${db}-shm`, { force: true });
  const t0 = performance.now();
  const store = new SqliteStore(db);
  const summary = await collectSources([await openSource(path)], store, {
    intervalS: INTERVAL_S,
    trackBytes: TRACK_BYTES,
    scope: EMPTY_SCOPE,
    scopeJson: null,
    format: null,
    startUs: 0,
    skipBad: false,
    replace: true,
    volumeName: null,
    host: 'bench',
    threads,
  });
  await store.close();
  return {
    ms: performance.now() - t0,
    records: summary.sources[0]!.stats.records,
    rows: summary.intervalRecords,
    decoders: summary.sources[0]!.decoders,
  };
}

async function duckdb(path: string, kind: string, threads: number): Promise<object> {
  const { duckdbQuery } = await import('./duckdb-query.js'); // loaded only by this step
  const t0 = performance.now();
  const rows = await duckdbQuery(path, kind, threads, INTERVAL_S, TRACK_BYTES);
  return { ms: performance.now() - t0, rows };
}

/** MSR parsing alone (no tracker), 1 MiB reads: the kernels' or the JS path's rate. */
function decode(path: string, simd: boolean): object {
  const fd = openSync(path, 'r');
  const buffer = new Uint8Array(1 << 20);
  let records = 0;
  const batch = new IoBatch((b) => (records += b.length), undefined, TRACK_BYTES);
  const t0 = performance.now();
  const decoder = readers.msr!.open({
    source: path,
    batch,
    volumes: new VolumeTable(),
    warnings: new Warnings(),
    startUs: 0,
    skipBad: false,
    volumeName: 'v',
    simd,
  });
  for (let n = readSync(fd, buffer); n > 0; n = readSync(fd, buffer)) decoder.push(buffer.subarray(0, n));
  decoder.end();
  batch.flush();
  closeSync(fd);
  return { ms: performance.now() - t0, records };
}

const startMs = performance.now();
if (!isMainThread) {
  const { path, start, end } = workerData as { path: string; start: number; end: number };
  parentPort!.postMessage(countNewlines(path, start, end));
} else {
  const [what, path, a, b] = process.argv.slice(2);
  const result =
    what === 'scan'
      ? await scan(path!, Number(a))
      : what === 'churnlink'
        ? await churnlink(path!, a === 'auto' ? 'auto' : Number(a), b!)
        : what === 'decode'
          ? decode(path!, a === '1')
          : await duckdb(path!, a!, Number(b));
  const usage = process.resourceUsage();
  const cpuS = (usage.userCPUTime + usage.systemCPUTime) / 1e6;
  console.log(JSON.stringify({ ...result, startMs, cpuS, maxRssMiB: usage.maxRSS / 1024 }));
}
