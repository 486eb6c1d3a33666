import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LiveCollector } from '../../src/live/collector.js';
import { blockDevice } from '../../src/live/devices.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { decodeRoaring } from '../../src/bitmap/roaring.js';
import { ROOT, tempDir } from '../helpers.js';
import { openStore } from '../../src/store/open.js';
import { freshDatabase, postgresUnavailable, sharedServer } from '../support/postgres.js';
import { cleanUp, deferCleanup, exitOf, trackChild, waitUntil } from '../support/cleanup.js';
import { liveMissing, loopDevice, TRACEFS, untilIntervalOffset } from '../support/live.js';

const missing = liveMissing('live collection tests');
const pgMissing = missing ? `live collection: ${missing}` : await postgresUnavailable();
const dir = tempDir();
after(cleanUp); // collectors a failed test left running, their trace instances, loop devices, the server

/**
 * Write `count` 64 KiB blocks at block `seek` with O_DIRECT: one bio each. The bios of one call are
 * milliseconds apart, tens of milliseconds on a loaded machine (measured up to 55 ms at load 5.7):
 * writes meant for one interval are started early in it (untilIntervalOffset), or they may straddle
 * its end and be counted in two.
 */
const dd = (dev: string, seek: number, count: number, bs = '64k'): void => {
  const args = ['if=/dev/zero', `of=${dev}`, `bs=${bs}`, `count=${count}`, `seek=${seek}`, 'oflag=direct'];
  execFileSync('dd', args, { stdio: 'ignore', timeout: 30_000 });
};

/**
 * The trace instances of the collector with process id `pid` (`churnlink-PID`, with or without a
 * suffix). Tests look only at their own collectors' instances: other collectors may run on the host.
 */
function instancesOf(pid: number): string[] {
  const own = (n: string): boolean => n === `churnlink-${pid}` || n.startsWith(`churnlink-${pid}-`);
  return readdirSync(join(TRACEFS, 'instances')).filter(own);
}

/**
 * Whether the collector `pid` is tracing: its instance has the block event enabled and tracing on.
 * (A new instance starts with tracing on and no event: the collector switches tracing off, sets the
 * filter, enables the event, and switches tracing on last.)
 */
function isTracing(pid: number): boolean {
  const on = (name: string, file: string): boolean =>
    readFileSync(join(TRACEFS, 'instances', name, file), 'utf8').trim() === '1';
  return instancesOf(pid).some((name) => {
    try {
      return on(name, 'events/block/block_bio_queue/enable') && on(name, 'tracing_on');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false; // being created or removed
      throw err;
    }
  });
}

/** Remove what a killed collector left in tracefs (at clean-up, if a test failed before the next one did). */
function removeInstancesOf(pid: number): void {
  for (const name of instancesOf(pid)) {
    writeFileSync(join(TRACEFS, 'instances', name, 'tracing_on'), '0');
    rmdirSync(join(TRACEFS, 'instances', name));
  }
}

/** `churnlink live` in a child process: killed and its trace instance removed at clean-up. */
function liveChild(args: string[]) {
  const bin = join(ROOT, 'bin', 'churnlink.js');
  const proc = spawn(process.execPath, [bin, 'live', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = proc.pid!;
  // Registered before the child's own clean-up, so it runs after the child is killed (newest first).
  deferCleanup(`trace instance of live collector ${pid}`, () => removeInstancesOf(pid));
  trackChild(proc);
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (err += d));
  return {
    proc,
    pid,
    out: () => out,
    err: () => err,
    // Deadlines, not sleeps: generous, since a loaded CI machine (load 4+ on 2 cores) delays everything.
    exit: exitOf(proc, `churnlink live ${args.join(' ')}`, 180_000),
    /** Resolves once its trace instance records events: writes from now on are counted. */
    ready: () =>
      waitUntil(() => isTracing(pid) || proc.exitCode !== null, `live collector ${pid} to trace`, 60_000).then(() =>
        assert.equal(proc.exitCode, null, `churnlink live exited early: ${err}`),
      ),
    /** Resolves once its output matches `re` (a committed interval). */
    printed: (re: RegExp) =>
      waitUntil(
        () => re.test(out),
        () => `live collector output ${re}; stdout:\n${out}stderr:\n${err}`,
        60_000,
      ),
  };
}

test('live: writes to a loop device give exact changed tracks per interval', { skip: missing }, async () => {
  const dev = loopDevice(dir, 'exact.img');
  const store = new SqliteStore(join(dir, 'live.db'));
  const device = blockDevice(dev);
  const collector = new LiveCollector({
    devices: [device],
    intervalS: 2,
    trackBytes: 65536,
    store,
    host: 'test',
    graceS: 1,
    pollMs: 50,
  });
  let stopped = false;
  try {
    await collector.start();
    const first = await untilIntervalOffset(2000, 300);
    dd(dev, 10, 3); // tracks 10, 11, 12
    dd(dev, 10, 1); // track 10 again: folds
    const second = await untilIntervalOffset(2000, 300);
    dd(dev, 0, 1, '4k'); // track 0
    dd(dev, 1000, 2, '32k'); // 32 KiB blocks 1000-1001: bytes 32,768,000.. → track 500
    // The bios are in the trace buffer once dd returns; stop() reads it to the end.
    stopped = true;
    const summary = await collector.stop();
    assert.equal(collector.failure(), null);
    assert.equal(summary.lostEvents, 0);
    const rows = (await store.readIntervals({})).map((r) => ({
      startS: r.startS,
      volume: r.volume,
      writes: r.writes,
      writeBytes: r.writeBytes,
      reads: r.reads,
      tracks: decodeRoaring(r.bitmap),
      partial: r.partial,
    }));
    const volume = `test/${device.name}`;
    assert.deepEqual(rows, [
      { startS: first, volume, writes: 4, writeBytes: 4 * 65536, reads: 0, tracks: [10, 11, 12], partial: false },
      { startS: second, volume, writes: 3, writeBytes: 4096 + 2 * 32768, reads: 0, tracks: [0, 500], partial: true },
    ]);
    assert.deepEqual(
      (await store.listRuns()).map((r) => r.status),
      ['complete'],
    );
    assert.deepEqual(instancesOf(process.pid), []);
  } finally {
    if (!stopped) await collector.stop().catch(() => undefined); // the test failed already: keep its error
    await store.close();
  }
});

test('live CLI: SIGTERM commits and cleans up; kill -9 keeps every closed interval', { skip: missing }, async () => {
  const dev = loopDevice(dir, 'cli.img');
  const db = join(dir, 'live-cli.db');
  const args = ['--device', dev, '--interval', '1s', '--store', db, '--host', 'h'];
  // Another collector's instance on the host (its process alive): left alone, and no concern of ours.
  const other = trackChild(spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }));
  const otherInstance = join(TRACEFS, 'instances', `churnlink-${other.pid}`);
  mkdirSync(otherInstance);
  deferCleanup(`trace instance ${otherInstance}`, () => rmdirSync(otherInstance));
  const a = liveChild(args);
  await a.ready();
  dd(dev, 5, 1);
  await a.printed(/1 writes/); // its interval closed and was committed
  a.proc.kill('SIGTERM');
  assert.equal(await a.exit, 0, a.err());
  assert.match(a.out(), /h\/loop\d+: 1 writes, 64\.00 KiB written, 1 changed tracks \(64\.00 KiB\)/);
  assert.deepEqual(instancesOf(a.pid), []);

  const b = liveChild(args);
  await b.ready();
  await untilIntervalOffset(1000, 200); // both writes in one interval (see dd)
  dd(dev, 7, 2);
  await b.printed(/2 writes/);
  b.proc.kill('SIGKILL');
  await b.exit;
  assert.equal(instancesOf(b.pid).length, 1, 'a collector killed with -9 leaves its trace instance');
  const store = new SqliteStore(db);
  try {
    const rows = await store.readIntervals({});
    assert.deepEqual(
      rows.map((r) => [r.writes, decodeRoaring(r.bitmap)]),
      [
        [1, [5]],
        [2, [7, 8]],
      ],
    );
    assert.deepEqual(
      (await store.listRuns()).map((r) => r.status),
      ['complete', 'live'],
    );
  } finally {
    await store.close();
  }
  // The next collector removes the instance the killed one left behind.
  const c = liveChild(args);
  await c.ready();
  assert.deepEqual(instancesOf(b.pid), []);
  c.proc.kill('SIGTERM');
  assert.equal(await c.exit, 0, c.err());
  assert.deepEqual(instancesOf(c.pid), []);
  assert.ok(existsSync(otherInstance), 'the instance of a running collector stays');
});

test(
  'live into PostgreSQL: intervals closed while the server is down wait in the spool, even across kill -9',
  { skip: missing || pgMissing },
  async () => {
    const pg = sharedServer();
    const url = await freshDatabase('live');
    const dev = loopDevice(dir, 'spool.img');
    const spool = join(dir, 'spool.db');
    const args = ['--device', dev, '--interval', '1s', '--store', url, '--spool', spool, '--host', 'h'];
    const a = liveChild(args);
    await a.ready();
    dd(dev, 3, 1);
    await a.printed(/1 writes/);
    pg.stop();
    try {
      await untilIntervalOffset(1000, 200); // both writes in one interval (see dd)
      dd(dev, 20, 2);
      const spooled = (): boolean => /2 writes/.test(a.out()) && /store unreachable/.test(a.err());
      await waitUntil(spooled, () => `the spooled interval; stdout:\n${a.out()}stderr:\n${a.err()}`, 60_000);
      a.proc.kill('SIGKILL');
      await a.exit;
    } finally {
      pg.start();
    }
    const b = liveChild([...args, '--duration', '2s']);
    assert.equal(await b.exit, 0, b.err());
    const store = await openStore(url);
    try {
      const rows = await store.readIntervals({});
      assert.deepEqual(
        rows.map((r) => [r.writes, decodeRoaring(r.bitmap)]),
        [
          [1, [3]],
          [2, [20, 21]],
        ],
      );
      assert.deepEqual(
        (await store.listRuns()).map((r) => r.status),
        ['live', 'complete'],
      );
    } finally {
      await store.close();
    }
  },
);
