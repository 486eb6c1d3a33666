/**
 * The closing demonstration of measured compression: a loop device gets, in each of three
 * intervals, 64 changed tracks of a mixed pattern (50 % zeros, 25 % English-like text, 25 %
 * random bytes, in a shuffled order); the live collector samples 16 of them per interval. Prints,
 * per interval, the measured ratio and shares against deflate level 1 run here directly on the
 * same sampled blocks and on all 64 changed tracks, then a scrape of the /metrics endpoint. Root only.
 *
 *   npm run build && node dist/bench/live-compression.js [--sample-tracks 16]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { deflateRawSync } from 'node:zlib';
import { LiveCollector } from '../src/live/collector.js';
import { pickTracks, sampleSeedOf } from '../src/live/compression-sampler.js';
import { blockDevice } from '../src/live/devices.js';
import { LiveMetrics, serveMetrics } from '../src/live/metrics.js';
import { SqliteStore } from '../src/store/sqlite.js';
import { prng } from '../src/prng.js';

const T = 65536;
const TRACKS = 64;
const { values } = parseArgs({ options: { 'sample-tracks': { type: 'string', default: '16' } } });
const sampleTracks = Number(values['sample-tracks']);
const random = prng(7);
const WORDS = [
  'the of and to in is was that for it with as his on be at by had not are but from or have an they ',
  'which one you were her all she there would their we him been has when who will more no if out so ',
  'said what up its about into than them can only other new some could time these two may then do first ',
  'any my now such like our over man me even most made after also did many before must through back ',
  'years where much your way well down should because each just those people how too little state good ',
  'very make world still own see men work long get here between both life being under never day same ',
  'another know while last might us great old year off come since against go came right used take three',
]
  .join('')
  .split(' ');

function textTrack(): Buffer {
  let s = '';
  while (s.length < T) s += `${WORDS[Math.floor(random() * WORDS.length)]}${random() < 0.1 ? '.\n' : ' '}`;
  return Buffer.from(s.slice(0, T), 'latin1');
}

function randomTrack(): Buffer {
  const b = Buffer.alloc(T);
  for (let i = 0; i < T; i += 4) b.writeUInt32LE(Math.floor(random() * 2 ** 32), i);
  return b;
}

/** 64 tracks: 32 zero, 16 text, 16 random, shuffled. */
function mixedTracks(): Buffer {
  const kinds = [...Array(32).fill('zero'), ...Array(16).fill('text'), ...Array(16).fill('random')] as string[];
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [kinds[i], kinds[j]] = [kinds[j]!, kinds[i]!];
  }
  return Buffer.concat(kinds.map((k) => (k === 'zero' ? Buffer.alloc(T) : k === 'text' ? textTrack() : randomTrack())));
}

const ratioOf = (dev: string, tracks: number[]): { ratio: number; zeroShare: number } => {
  const fd = openSync(dev, 'r');
  let raw = 0;
  let compressed = 0;
  let zeros = 0;
  const b = Buffer.alloc(T);
  for (const t of tracks) {
    readSync(fd, b, 0, T, t * T);
    raw += T;
    compressed += deflateRawSync(b, { level: 1 }).length;
    if (b.every((x) => x === 0)) zeros++;
  }
  closeSync(fd);
  return { ratio: raw / compressed, zeroShare: zeros / tracks.length };
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const dir = mkdtempSync(join(tmpdir(), 'churnlink-compression-'));
execFileSync('truncate', ['-s', '256M', join(dir, 'disk.img')]);
const dev = execFileSync('losetup', ['-f', '--show', join(dir, 'disk.img')], { encoding: 'utf8' }).trim();
const store = new SqliteStore(join(dir, 'live.db'));
const metrics = new LiveMetrics(T, { processMetrics: false });
const server = await serveMetrics(metrics.registry, '127.0.0.1', 0);
try {
  const collector = new LiveCollector({
    devices: [blockDevice(dev)],
    intervalS: 2,
    trackBytes: T,
    store,
    host: 'demo',
    graceS: 1,
    pollMs: 50,
    metrics,
    sampling: { tracksPerVolume: sampleTracks, rateBytesPerS: 4 * 1024 * 1024, seed: 0 },
  });
  await collector.start();
  const bases = [0, 1000, 2000];
  for (const base of bases) {
    await sleep(2000 - (Date.now() % 2000) + 200); // 200 ms into the next interval
    const file = join(dir, `pattern-${base}.bin`);
    writeFileSync(file, mixedTracks());
    const args = [`if=${file}`, `of=${dev}`, 'bs=64k', `count=${TRACKS}`, `seek=${base}`, 'oflag=direct'];
    execFileSync('dd', args, { stdio: 'ignore' });
  }
  await collector.stop();
  const intervals = await store.readIntervals({});
  const samples = await store.readCompressionSamples({});
  console.log(
    `codec: deflate level 1 (zlib deflateRaw), track by track; ` +
      `${sampleTracks} of ${TRACKS} changed tracks sampled per interval`,
  );
  console.log('interval start        measured  zero   dup    | direct, same blocks  | direct, all 64 changed tracks');
  for (const s of samples) {
    const row = intervals.find((r) => r.startS === s.startS && r.volume === s.volume)!;
    const chosen = pickTracks(row.bitmap, row.changedTracks, sampleTracks, sampleSeedOf(s.volume, s.startS, 0));
    const same = ratioOf(dev, chosen);
    const base = bases.find((b) => chosen[0]! >= b && chosen[0]! < b + TRACKS)!;
    const all = ratioOf(
      dev,
      Array.from({ length: TRACKS }, (_, i) => base + i),
    );
    const pct = (x: number): string => `${(100 * x).toFixed(1).padStart(5)} %`;
    const measured =
      `${(s.rawBytes / s.compressedBytes).toFixed(3)}:1  ${pct(s.zeroTracks / s.tracksSampled)} ` +
      `${pct(s.dupTracks / s.tracksSampled)}`;
    const start = new Date(s.startS * 1000).toISOString();
    console.log(
      `${start}  ${measured} | ${same.ratio.toFixed(3)}:1 ${pct(same.zeroShare)} | ` +
        `${all.ratio.toFixed(3)}:1 ${pct(all.zeroShare)}`,
    );
  }
  const scrape = await (await fetch(`http://${server.address}/metrics`)).text();
  console.log(`\nscrape of http://${server.address}/metrics (HELP/TYPE lines left out):`);
  console.log(
    scrape
      .split('\n')
      .filter((l) => l.startsWith('churnlink_'))
      .join('\n'),
  );
} finally {
  await server.close();
  await store.close();
  spawnSync('losetup', ['-d', dev]);
  rmSync(dir, { recursive: true, force: true });
}
