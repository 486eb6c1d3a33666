/**
 * Where the compression sampler's CPU goes. A 1 GiB loop device is filled by fio (4 KiB random
 * O_DIRECT writes, fio's own buffer contents: what bench/live.js leaves on its devices) or with
 * random bytes; then, on the same N seeded tracks, each stage is timed on its own on this thread
 * (buffered cold read, zero check, sha256, raw deflate level 1), and the sampler itself measures
 * them end to end at its default 4 MiB/s (reads and deflate on libuv's thread pool, token bucket,
 * one job). CPU is this process's user + system time, thread pool included. Root only.
 *
 *   npm run build && node dist/bench/live-sampler.js [--tracks 256] [--fill fio|random]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { deflateRawSync } from 'node:zlib';
import { serializeRoaring } from '../src/bitmap/roaring.js';
import { CompressionSampler, pickTracks } from '../src/live/compression-sampler.js';
import type { CompressionSampleRow } from '../src/store/store.js';

const T = 65_536;
const DEVICE_TRACKS = 16_384; // 1 GiB
const { values } = parseArgs({
  options: { tracks: { type: 'string', default: '256' }, fill: { type: 'string', default: 'fio' } },
});
const count = Number(values.tracks);
const dir = mkdtempSync(join(tmpdir(), 'churnlink-sampler-'));
const image = join(dir, 'disk.img');
execFileSync('truncate', ['-s', `${DEVICE_TRACKS * T}`, image]);
const dev = execFileSync('losetup', ['-f', '--show', image], { encoding: 'utf8' }).trim();

/** CPU ms (user + system) and system ms of `f`. */
async function cpuOf(f: () => unknown): Promise<{ cpuMs: number; systemMs: number }> {
  const c0 = process.cpuUsage();
  await f();
  const c = process.cpuUsage(c0);
  return { cpuMs: (c.user + c.system) / 1000, systemMs: c.system / 1000 };
}

try {
  if (values.fill === 'random') {
    const args = ['if=/dev/urandom', `of=${dev}`, 'bs=1M', `count=${(DEVICE_TRACKS * T) / 2 ** 20}`, 'oflag=direct'];
    execFileSync('dd', args, { stdio: 'ignore' });
  } else {
    const fio = ['--name=fill', `--filename=${dev}`, '--rw=randwrite', '--bs=4k', '--direct=1', '--ioengine=libaio'];
    fio.push('--iodepth=16', `--size=${DEVICE_TRACKS * T}`, '--output-format=terse');
    execFileSync('fio', fio, { stdio: 'ignore' });
  }
  const all = serializeRoaring(Uint32Array.from({ length: DEVICE_TRACKS }, (_, i) => i));
  const tracks = pickTracks(all, DEVICE_TRACKS, count, 1);
  const mib = (tracks.length * T) / 2 ** 20;
  const buffers: Buffer[] = [];
  const zeros = Buffer.alloc(T);
  const flush = (): void => void spawnSync('blockdev', ['--flushbufs', dev]); // the reads miss the page cache
  flush();
  const fd = openSync(dev, 'r');
  const read = await cpuOf(() => {
    for (const t of tracks) {
      const b = Buffer.allocUnsafe(T);
      readSync(fd, b, 0, T, t * T);
      buffers.push(b);
    }
  });
  closeSync(fd);
  let zeroTracks = 0;
  let compressedBytes = 0;
  const zero = await cpuOf(() => buffers.forEach((b) => (zeroTracks += b.equals(zeros) ? 1 : 0)));
  const sha = await cpuOf(() => buffers.forEach((b) => createHash('sha256').update(b).digest('base64')));
  const deflate = await cpuOf(() =>
    buffers.forEach((b) => (compressedBytes += deflateRawSync(b, { level: 1 }).length)),
  );
  flush();
  let sample: CompressionSampleRow | null = null;
  const sampler = new CompressionSampler({
    trackBytes: T,
    tracksPerVolume: count,
    rateBytesPerS: 4 * 2 ** 20,
    seed: 0,
    devicePathOf: new Map([['bench/dev', dev]]),
    onSample: (s) => void (sample = s),
  });
  const t0 = performance.now();
  const counts = { writes: 0, writeBytes: 0, reads: 0, readBytes: 0, writeProfile: new Uint8Array() };
  const row = {
    volume: 'bench/dev',
    startS: 0,
    changedTracks: tracks.length,
    bitmap: serializeRoaring(Uint32Array.from(tracks)),
  };
  const whole = await cpuOf(async () => {
    sampler.enqueue(1, [{ ...row, ...counts }]);
    await sampler.idle();
  });
  const wallS = (performance.now() - t0) / 1000;
  const s = sample as CompressionSampleRow | null;
  if (s === null || s.compressedBytes !== compressedBytes) throw new Error('the sampler disagrees with zlib run here');
  const perMiB = (x: { cpuMs: number }): string => `${(x.cpuMs / mib).toFixed(2)}`.padStart(6);
  console.log(
    `${tracks.length} tracks (${mib} MiB) of a device filled by ${values.fill}: ${zeroTracks} all-zero, ` +
      `deflate level 1 ratio ${((tracks.length * T) / compressedBytes).toFixed(3)}:1`,
  );
  console.log('stage (this thread, one at a time)        CPU-ms per MiB');
  console.log(`read, buffered, cold (64 KiB preads)      ${perMiB(read)} (system ${(read.systemMs / mib).toFixed(2)})`);
  console.log(`all-zero check                            ${perMiB(zero)}`);
  console.log(`sha256                                    ${perMiB(sha)}`);
  console.log(`raw deflate level 1                       ${perMiB(deflate)}`);
  console.log(`sampler end to end, 4 MiB/s (${wallS.toFixed(1)} s)        ${perMiB(whole)}`);
  const defaultMiBPerMin = (4 * 64 * T) / 2 ** 20; // 4 volumes x 64 tracks per 1-minute interval
  const pct = (100 * ((whole.cpuMs / mib) * defaultMiBPerMin)) / 60_000;
  console.log(
    `at the defaults (4 volumes x 64 tracks per 1-min interval = ${defaultMiBPerMin} MiB/min): ` +
      `${pct.toFixed(2)} % of one core; load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
  );
} finally {
  spawnSync('losetup', ['-d', dev]);
  rmSync(dir, { recursive: true, force: true });
}
