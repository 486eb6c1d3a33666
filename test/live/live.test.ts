import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { LiveCollector } from '../../src/live/collector.js';
import { blockDevice } from '../../src/live/devices.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { decodeRoaring } from '../../src/bitmap/roaring.js';
import { ROOT, tempDir } from '../helpers.js';
import { openStore } from '../../src/store/open.js';
import { postgresMissing, startPostgres } from '../support/postgres.js';

const TRACEFS = '/sys/kernel/tracing';

function liveMissing(): string | false {
  let reason: string | false = false;
  if (process.getuid?.() !== 0) reason = 'not root';
  else if (spawnSync('losetup', ['--version']).status !== 0) reason = 'losetup is absent';
  else if (!existsSync(join(TRACEFS, 'instances')) && spawnSync('mount', ['-t', 'tracefs', 'nodev', TRACEFS]).status !== 0) reason = 'tracefs is absent and cannot be mounted';
  else if (!existsSync(join(TRACEFS, 'events', 'block', 'block_bio_queue'))) reason = 'the block_bio_queue tracepoint is absent';
  if (reason) console.log(`# skip: live collection tests: ${reason}`);
  return reason;
}

const missing = liveMissing();
const dir = tempDir();

/** A loop device over a fresh file, detached when the process exits. */
function loopDevice(name: string): string {
  const file = join(dir, name);
  execFileSync('truncate', ['-s', '64M', file]);
  const dev = execFileSync('losetup', ['-f', '--show', file], { encoding: 'utf8' }).trim();
  process.on('exit', () => spawnSync('losetup', ['-d', dev]));
  return dev;
}

/** Write `count` 64 KiB blocks at block `seek` with O_DIRECT: one bio each. */
const dd = (dev: string, seek: number, count: number, bs = '64k'): void => {
  execFileSync('dd', ['if=/dev/zero', `of=${dev}`, `bs=${bs}`, `count=${count}`, `seek=${seek}`, 'oflag=direct'], { stdio: 'ignore' });
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Sleep until `offsetMs` into the next interval of `intervalMs`. */
async function untilIntervalOffset(intervalMs: number, offsetMs: number): Promise<number> {
  const now = Date.now();
  const next = Math.ceil((now - offsetMs) / intervalMs) * intervalMs + offsetMs;
  await sleep(next - now);
  return Math.floor(next / intervalMs) * intervalMs / 1000;
}

test('live: writes to a loop device give exact changed tracks per interval', { skip: missing }, async () => {
  const dev = loopDevice('exact.img');
  const store = new SqliteStore(join(dir, 'live.db'));
  const device = blockDevice(dev);
  const collector = new LiveCollector({ devices: [device], intervalS: 2, trackBytes: 65536, store, host: 'test', graceS: 1, pollMs: 50 });
  await collector.start();
  const first = await untilIntervalOffset(2000, 300);
  dd(dev, 10, 3); // tracks 10, 11, 12
  dd(dev, 10, 1); // track 10 again: folds
  const second = await untilIntervalOffset(2000, 300);
  dd(dev, 0, 1, '4k'); // track 0
  dd(dev, 1000, 2, '32k'); // 32 KiB blocks 1000-1001: bytes 32,768,000.. → track 500
  await sleep(300);
  const summary = await collector.stop();
  assert.equal(collector.failure(), null);
  assert.equal(summary.lostEvents, 0);
  const rows = (await store.readIntervals({})).map((r) => ({ startS: r.startS, volume: r.volume, writes: r.writes, writeBytes: r.writeBytes, reads: r.reads, tracks: decodeRoaring(r.bitmap), partial: r.partial }));
  assert.deepEqual(rows, [
    { startS: first, volume: `test/${device.name}`, writes: 4, writeBytes: 4 * 65536, reads: 0, tracks: [10, 11, 12], partial: false },
    { startS: second, volume: `test/${device.name}`, writes: 3, writeBytes: 4096 + 2 * 32768, reads: 0, tracks: [0, 500], partial: true },
  ]);
  assert.deepEqual((await store.listRuns()).map((r) => r.status), ['complete']);
  assert.deepEqual(readdirSync(join(TRACEFS, 'instances')).filter((n) => n.startsWith('churnlink-')), []);
  await store.close();
});

test('live CLI: SIGTERM commits and cleans up; kill -9 keeps every closed interval', { skip: missing }, async () => {
  const dev = loopDevice('cli.img');
  const bin = join(ROOT, 'bin', 'churnlink.js');
  const db = join(dir, 'live-cli.db');
  const run = (): { proc: ReturnType<typeof spawn>; out: () => string; exit: Promise<number | null> } => {
    const proc = spawn(process.execPath, [bin, 'live', '--device', dev, '--interval', '1s', '--store', db, '--host', 'h'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout!.on('data', (d) => (out += d));
    return { proc, out: () => out, exit: new Promise((resolve) => proc.on('exit', resolve)) };
  };
  const a = run();
  await sleep(700);
  dd(dev, 5, 1);
  await sleep(2600);
  a.proc.kill('SIGTERM');
  assert.equal(await a.exit, 0);
  assert.match(a.out(), /h\/loop\d+: 1 writes, 64\.00 KiB written, 1 changed tracks \(64\.00 KiB\)/);
  assert.deepEqual(readdirSync(join(TRACEFS, 'instances')).filter((n) => n.startsWith('churnlink-')), []);

  const b = run();
  await sleep(700);
  dd(dev, 7, 2);
  for (let i = 0; i < 60 && !/2 writes/.test(b.out()); i++) await sleep(100); // its interval is committed
  b.proc.kill('SIGKILL');
  await b.exit;
  const store = new SqliteStore(db);
  const rows = await store.readIntervals({});
  assert.deepEqual(rows.map((r) => [r.writes, decodeRoaring(r.bitmap)]), [[1, [5]], [2, [7, 8]]]);
  assert.deepEqual((await store.listRuns()).map((r) => r.status), ['complete', 'live']);
  await store.close();
  // The next collector removes the instance the killed one left behind.
  const c = run();
  await sleep(800);
  c.proc.kill('SIGTERM');
  assert.equal(await c.exit, 0);
  assert.deepEqual(readdirSync(join(TRACEFS, 'instances')).filter((n) => n.startsWith('churnlink-')), []);
});

test('live into PostgreSQL: intervals closed while the server is down wait in the spool, even across kill -9', { skip: missing || postgresMissing() }, async () => {
  const pg = await startPostgres();
  const url = pg.url();
  const dev = loopDevice('spool.img');
  const spool = join(dir, 'spool.db');
  const bin = join(ROOT, 'bin', 'churnlink.js');
  const run = (...extra: string[]) => {
    const proc = spawn(process.execPath, [bin, 'live', '--device', dev, '--interval', '1s', '--store', url, '--spool', spool, '--host', 'h', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stdout!.on('data', (d) => (out += d));
    proc.stderr!.on('data', (d) => (err += d));
    return { proc, out: () => out, err: () => err, exit: new Promise<number | null>((resolve) => proc.on('exit', resolve)) };
  };
  const waitFor = async (check: () => boolean): Promise<void> => {
    for (let i = 0; i < 100 && !check(); i++) await sleep(100);
    assert.ok(check());
  };
  const a = run();
  await sleep(800);
  dd(dev, 3, 1);
  await waitFor(() => /1 writes/.test(a.out()));
  pg.stop();
  dd(dev, 20, 2);
  await waitFor(() => /2 writes/.test(a.out()) && /store unreachable/.test(a.err()));
  a.proc.kill('SIGKILL');
  await a.exit;
  pg.start();
  const b = run('--duration', '2s');
  assert.equal(await b.exit, 0, b.err());
  const store = await openStore(url);
  const rows = await store.readIntervals({});
  assert.deepEqual(rows.map((r) => [r.writes, decodeRoaring(r.bitmap)]), [[1, [3]], [2, [20, 21]]]);
  assert.deepEqual((await store.listRuns()).map((r) => r.status), ['live', 'complete']);
  await store.close();
  pg.stop();
});
