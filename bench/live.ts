/**
 * Live-collection throughput: fio writes 4 KiB random blocks to a loop device (O_DIRECT) while
 * the live collector watches it; prints the write events/s the collector held and the events the
 * trace buffer lost (from its overrun counters), against fio's own count. Root only.
 *
 *   npm run build && node dist/bench/live.js [--seconds 10] [--jobs 2] [--rate 0 (unlimited)]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LiveCollector } from '../src/live/collector.js';
import { blockDevice } from '../src/live/devices.js';
import { SqliteStore } from '../src/store/sqlite.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, jobs: { type: 'string', default: '2' }, rate: { type: 'string', default: '0' }, 'buffer-kb': { type: 'string', default: '32768' } } });
const dir = mkdtempSync(join(tmpdir(), 'churnlink-live-bench-'));
const image = join(dir, 'disk.img');
execFileSync('truncate', ['-s', '1G', image]);
const dev = execFileSync('losetup', ['-f', '--show', image], { encoding: 'utf8' }).trim();
const store = new SqliteStore(join(dir, 'live.db'));
try {
  const collector = new LiveCollector({ devices: [blockDevice(dev)], intervalS: 1, trackBytes: 65536, store, host: 'bench', bufferKb: Number(values['buffer-kb']) });
  await collector.start();
  const t0 = Date.now();
  const fio = spawnSync('fio', ['--name=w', `--filename=${dev}`, '--rw=randwrite', '--bs=4k', '--direct=1', '--ioengine=psync', `--numjobs=${values.jobs}`, '--group_reporting',
    '--time_based', `--runtime=${values.seconds}`, ...(values.rate !== '0' ? [`--rate_iops=${values.rate}`] : []), '--output-format=json'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const seconds = (Date.now() - t0) / 1000;
  await new Promise((r) => setTimeout(r, 500));
  const summary = await collector.stop();
  const issued = (JSON.parse(fio.stdout) as { jobs: { write: { total_ios: number } }[] }).jobs[0]!.write.total_ios;
  const rows = await store.readIntervals({});
  const counted = rows.reduce((n, r) => n + r.writes, 0);
  console.log(`fio issued ${issued} writes in ${seconds.toFixed(1)} s (${(issued / seconds).toFixed(0)} writes/s, ${values.jobs} jobs)`);
  console.log(`live collector counted ${counted} write events (${(counted / seconds).toFixed(0)} events/s) in ${summary.intervals} intervals; lost by the trace buffer: ${summary.lostEvents}`);
  console.log(`counted / issued: ${(counted / issued).toFixed(4)}; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
} finally {
  await store.close();
  spawnSync('losetup', ['-d', dev]);
  rmSync(dir, { recursive: true, force: true });
}
