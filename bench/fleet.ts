/**
 * Fleet benchmark: a store of V volumes x D days at interval I, built directly through the Store
 * API with realistic sparse cells (most cells a few scattered tracks, one volume in twenty hot:
 * hundreds of tracks in a hot region plus a log; idle cells left out), then each reporting
 * command timed in its own process with its peak RSS.
 *
 *   node dist/bench/fleet.js [--volumes 1000] [--days 30] [--interval 60] [--store F] [--keep]
 *   node dist/bench/fleet.js --volumes 200 --days 3          # the quick case: 864 k cells
 *   node dist/bench/fleet.js --store F --keep --only models  # one command again on a kept store
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
import type { IntervalRow } from '../src/store/store.js';
import { prng } from './generate.js';

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
    /** Run only the commands whose name contains this text. */
    only: { type: 'string', default: '' },
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

async function build(): Promise<void> {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
  const store = new SqliteStore(path);
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
  const cpu = process.cpuUsage();
  console.log(
    `built ${path}: ${cells} cells of ${V * intervals} (volume, interval) pairs in ${s} s ` +
      `(${rollupsS} s of it the rollups at finish; ${((cpu.user + cpu.system) / 1e6).toFixed(1)} CPU s), ` +
      `${(statSync(path).size / 2 ** 20).toFixed(1)} MiB (${(statSync(path).size / cells).toFixed(0)} B per cell)`,
  );
}

interface Step {
  name: string;
  args: string[];
}

function measure(step: Step): { s: number; cpuS: number; rssMiB: number; code: number | null; load: string } {
  const t0 = performance.now();
  const args = ['-f', '%M %U %S', process.execPath, BIN, ...step.args, '--store', path];
  const r = spawnSync('/usr/bin/time', args, { encoding: 'utf8', maxBuffer: 1 << 30 });
  const s = (performance.now() - t0) / 1000;
  const m = /(\d+) ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
  if (r.status !== 0) process.stderr.write(`${step.name}: exit ${r.status}: ${r.stderr.slice(0, 500)}\n`);
  return {
    s,
    cpuS: Number(m?.[2] ?? NaN) + Number(m?.[3] ?? NaN),
    rssMiB: Number(m?.[1] ?? NaN) / 1024,
    code: r.status,
    load: loadavg()
      .map((x) => x.toFixed(2))
      .join(' '),
  };
}

if (!existsSync(path) || !values.store) await build();
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
console.log(`| command (${V} volumes x ${D} days x ${I} s) | time (s) | CPU (s) | peak RSS (MiB) | load after |`);
console.log('|---|---:|---:|---:|---|');
for (const step of steps.filter((x) => x.name.includes(values.only!))) {
  const m = measure(step);
  const time = m.code === 0 ? m.s.toFixed(1) : `exit ${m.code}`;
  console.log(`| \`${step.name}\` | ${time} | ${m.cpuS.toFixed(1)} | ${m.rssMiB.toFixed(0)} | ${m.load} |`);
}
if (!values.keep && !values.store) {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
}
