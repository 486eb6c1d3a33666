import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LiveMetrics, parseHostPort, serveMetrics } from '../../src/live/metrics.js';
import { cleanUp, deferCleanup } from '../support/cleanup.js';
import { ROOT } from '../helpers.js';

after(cleanUp);

const row = (volume: string, writes: number, writeBytes: number, changedTracks: number) => ({
  volume,
  startS: 60,
  writes,
  writeBytes,
  reads: 0,
  readBytes: 0,
  changedTracks,
  bitmap: new Uint8Array(),
  writeProfile: new Uint8Array(),
});

test('parseHostPort: host and port, IPv6 in brackets, nothing else', () => {
  assert.deepEqual(parseHostPort('127.0.0.1:9464'), { host: '127.0.0.1', port: 9464 });
  assert.deepEqual(parseHostPort('[::1]:0'), { host: '::1', port: 0 });
  assert.deepEqual(parseHostPort('localhost:80'), { host: 'localhost', port: 80 });
  for (const bad of ['9464', ':9464', '127.0.0.1', '127.0.0.1:65536', '::1:80', 'a:b']) {
    assert.equal(parseHostPort(bad), null, bad);
  }
});

test('metrics: counters sum committed intervals, gauges hold the last one, served over HTTP at /metrics', async () => {
  const metrics = new LiveMetrics(65_536, { processMetrics: false });
  metrics.interval([row('h/a', 4, 262_144, 3), row('h/b', 1, 4096, 1)], 0);
  metrics.interval([row('h/a', 2, 8192, 1)], 7);
  metrics.compression('h/a', 4, 0.5);
  metrics.spooled(2);
  metrics.sampleRead(131_072);
  const server = await serveMetrics(metrics.registry, '127.0.0.1', 0);
  deferCleanup('metrics server', () => server.close());
  assert.match(server.address, /^127\.0\.0\.1:\d+$/);
  const res = await fetch(`http://${server.address}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type')!, /^text\/plain; version=0\.0\.4/);
  const samples = (await res.text()).split('\n').filter((l) => l !== '' && !l.startsWith('#'));
  assert.deepEqual(samples, [
    'churnlink_write_events_total{volume="h/a"} 6',
    'churnlink_write_events_total{volume="h/b"} 1',
    'churnlink_written_bytes_total{volume="h/a"} 270336',
    'churnlink_written_bytes_total{volume="h/b"} 4096',
    'churnlink_changed_tracks_total{volume="h/a"} 4',
    'churnlink_changed_tracks_total{volume="h/b"} 1',
    'churnlink_changed_bytes_total{volume="h/a"} 262144',
    'churnlink_changed_bytes_total{volume="h/b"} 65536',
    'churnlink_interval_changed_tracks{volume="h/a"} 1',
    'churnlink_interval_changed_tracks{volume="h/b"} 1',
    'churnlink_compression_ratio{volume="h/a"} 4',
    'churnlink_compression_zero_share{volume="h/a"} 0.5',
    'churnlink_lost_events_total 7',
    'churnlink_intervals_total 2',
    'churnlink_spool_intervals 2',
    'churnlink_sample_read_bytes_total 131072',
  ]);
  assert.equal((await fetch(`http://${server.address}/other`)).status, 404);
  assert.equal((await fetch(`http://${server.address}/metrics`, { method: 'POST' })).status, 405);
});

/**
 * Voluntary context switches of a child process that holds a LiveMetrics and otherwise idles for
 * 2 s: each wake-up of its event loop is one. The window is a measurement, not a wait for a signal.
 */
function idleWakeups(processMetrics: boolean): number {
  const metricsModule = pathToFileURL(join(ROOT, 'dist', 'src', 'live', 'metrics.js')).href;
  const script =
    `const { LiveMetrics } = await import(${JSON.stringify(metricsModule)});` +
    `new LiveMetrics(65536, { processMetrics: ${processMetrics} });` +
    `const before = process.resourceUsage().voluntaryContextSwitches;` +
    `setTimeout(() => console.log(process.resourceUsage().voluntaryContextSwitches - before), 2000);`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  return Number(r.stdout.trim());
}

test('metrics: the process metrics do not wake an idle collector every 10 ms (event-loop lag sampled each second)', () => {
  const without = idleWakeups(false);
  const withProcessMetrics = idleWakeups(true);
  // prom-client's default (a 10 ms lag monitor) adds ~200 wake-ups in 2 s; sampled once a second, ~2.
  assert.ok(withProcessMetrics - without < 40, `${withProcessMetrics} wake-ups against ${without} without`);
});
