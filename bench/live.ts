/**
 * Live-collection throughput and cost: fio writes 4 KiB random blocks (O_DIRECT) to loop devices
 * while the live collector watches them in this process; prints the write events/s the collector
 * held, the events the trace buffer lost (its overrun counters) against fio's own count, and the
 * collector's CPU use (this process's user + system time over the run, as % of one core; fio is
 * another process). Root only.
 *
 * Over a run of several intervals it also prints the steady-state figure: the CPU between the first
 * and the last interval close seen while fio wrote (whole intervals only; the partial interval at
 * stop and the samples of the last close are outside it), the closes and compression samples in
 * that window, the MiB the sampler read in it and, with sampling, that CPU per sampled MiB.
 *
 *   npm run build && node dist/bench/live.js [--seconds 10] [--jobs 2] [--devices 1] [--interval 1 (s)]
 *     [--rate 0 (events/s over all jobs; 0 = unlimited)] [--sample-compression] [--metrics]
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LiveCollector } from '../src/live/collector.js';
import { blockDevice } from '../src/live/devices.js';
import { LiveMetrics, serveMetrics, type MetricsServer } from '../src/live/metrics.js';
import { SqliteStore } from '../src/store/sqlite.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    jobs: { type: 'string', default: '2' },
    rate: { type: 'string', default: '0' },
    devices: { type: 'string', default: '1' },
    interval: { type: 'string', default: '1' },
    'buffer-kb': { type: 'string', default: '32768' },
    'sample-compression': { type: 'boolean', default: false },
    metrics: { type: 'boolean', default: false },
  },
});
const jobs = Number(values.jobs);
const dir = mkdtempSync(join(tmpdir(), 'churnlink-live-bench-'));
const devs: string[] = [];
const store = new SqliteStore(join(dir, 'live.db'));
let server: MetricsServer | null = null;
try {
  for (let i = 0; i < Number(values.devices); i++) {
    const image = join(dir, `disk${i}.img`);
    execFileSync('truncate', ['-s', '1G', image]);
    devs.push(execFileSync('losetup', ['-f', '--show', image], { encoding: 'utf8' }).trim());
  }
  const metrics = values.metrics ? new LiveMetrics(65536) : null;
  const closes: Close[] = [];
  let sampledBytes = 0;
  let samplesDone = 0;
  let writesClosed = 0;
  if (metrics) server = await serveMetrics(metrics.registry, '127.0.0.1', 0);
  const collector = new LiveCollector({
    devices: devs.map(blockDevice),
    intervalS: Number(values.interval),
    trackBytes: 65536,
    store,
    host: 'bench',
    bufferKb: Number(values['buffer-kb']),
    ...(metrics ? { metrics } : {}),
    onInterval: (rows) => {
      writesClosed += rows.reduce((n, r) => n + r.writes, 0);
      closes.push({ atMs: performance.now(), cpu: process.cpuUsage(), sampledBytes, samplesDone, writesClosed });
    },
    ...(values['sample-compression']
      ? {
          sampling: {
            tracksPerVolume: 64,
            rateBytesPerS: 4 * 1024 * 1024,
            onRead: (bytes: number) => (sampledBytes += bytes),
            onSample: () => samplesDone++,
          },
        }
      : {}),
  });
  await collector.start();
  const rate = Number(values.rate);
  const fioArgs = [
    '--name=w',
    `--filename=${devs.join(':')}`,
    '--rw=randwrite',
    '--bs=4k',
    '--direct=1',
    '--ioengine=psync',
    `--numjobs=${jobs}`,
    '--group_reporting',
    '--time_based',
    `--runtime=${values.seconds}`,
    ...(rate > 0 ? [`--rate_iops=${Math.round(rate / jobs)}`] : []),
    '--output-format=json',
  ];
  const load0 = loadavg()[0]!;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  // fio runs asynchronously, so the collector drains the trace buffer while it writes, as live.
  const fio = spawn('fio', fioArgs, { stdio: ['ignore', 'pipe', 'inherit'] });
  let fioOut = '';
  fio.stdout.on('data', (d) => (fioOut += d));
  const code = await new Promise<number | null>((resolve) => fio.once('exit', resolve));
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const inRun = closes.filter((c) => c.atMs >= t0);
  if (code !== 0) throw new Error(`fio exited with ${code}`);
  let scrape = '';
  if (server) scrape = await (await fetch(`http://${server.address}/metrics`)).text();
  const summary = await collector.stop();
  const issued = (JSON.parse(fioOut) as { jobs: { write: { total_ios: number } }[] }).jobs[0]!.write.total_ios;
  const rows = await store.readIntervals({});
  const counted = rows.reduce((n, r) => n + r.writes, 0);
  const cpuPct = (100 * (cpu.user + cpu.system)) / 1e6 / seconds;
  console.log(
    `fio issued ${issued} writes in ${seconds.toFixed(1)} s (${(issued / seconds).toFixed(0)} writes/s, ` +
      `${jobs} jobs, ${devs.length} loop devices)`,
  );
  console.log(
    `live collector counted ${counted} write events (${(counted / seconds).toFixed(0)} events/s) ` +
      `in ${summary.intervals} intervals; lost by the trace buffer: ${summary.lostEvents}`,
  );
  console.log(
    `counted / issued: ${(counted / issued).toFixed(4)}; collector CPU ${cpuPct.toFixed(2)} % of one core ` +
      `(user ${(cpu.user / 1e6).toFixed(2)} s + system ${(cpu.system / 1e6).toFixed(2)} s)` +
      `${values['sample-compression'] ? ', sampling on' : ''}${metrics ? ', metrics on' : ''}`,
  );
  if (values['sample-compression']) {
    const samples = await store.readCompressionSamples({});
    console.log(`compression samples: ${samples.length}, ${samples.reduce((n, s) => n + s.rawBytes, 0)} bytes read`);
  }
  if (scrape) {
    const writes = scrape.split('\n').find((l) => l.startsWith('churnlink_write_events_total{'));
    console.log(`scrape: ${scrape.length} bytes; ${writes}`);
  }
  console.log(windowLine(inRun, values['sample-compression']));
  const load = loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  console.log(
    `peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB; ` +
      `load average ${load0.toFixed(1)} before, ${load} after`,
  );
} finally {
  await server?.close();
  await store.close();
  for (const dev of devs) spawnSync('losetup', ['-d', dev]);
  rmSync(dir, { recursive: true, force: true });
}

/** What the collector had done at one interval close. */
interface Close {
  atMs: number;
  cpu: NodeJS.CpuUsage;
  sampledBytes: number;
  samplesDone: number;
  writesClosed: number;
}

/** The steady-state line: CPU over the whole intervals between the first and the last close seen. */
function windowLine(closes: Close[], sampling: boolean): string {
  if (closes.length < 2) return `steady state: fewer than 2 interval closes while fio ran (${closes.length})`;
  const a = closes[0]!;
  const b = closes[closes.length - 1]!;
  const seconds = (b.atMs - a.atMs) / 1000;
  const cpuMs = (b.cpu.user - a.cpu.user + b.cpu.system - a.cpu.system) / 1000;
  const mib = (b.sampledBytes - a.sampledBytes) / 2 ** 20;
  const events = b.writesClosed - a.writesClosed;
  return (
    `steady state over ${closes.length - 1} whole intervals (${seconds.toFixed(1)} s between the first and ` +
    `the last of ${closes.length} closes): ${(events / seconds / 1000).toFixed(1)} k events/s, ` +
    `collector CPU ${(cpuMs / 1000).toFixed(2)} s = ${((100 * cpuMs) / 1000 / seconds).toFixed(2)} % of one core` +
    (sampling
      ? `; ${b.samplesDone - a.samplesDone} samples done, ${mib.toFixed(1)} MiB read in it ` +
        `(${(cpuMs / Math.max(mib, 1e-9)).toFixed(1)} CPU-ms per sampled MiB, all collector work included)`
      : '')
  );
}
