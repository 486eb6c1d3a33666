import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runChild } from '../support/child.js';

// Huge writes must cost memory per 65,536-track chunk they span, not per track: each case runs
// the built CLI in a child process and checks exit code, exact changed tracks and peak RSS.
const PEAK_RSS_KIB = 300 * 1024;
const T0 = 128166372000000000; // MSR FILETIME (100 ns ticks since 1601) on a minute boundary
const SECOND = 10_000_000; // FILETIME ticks per second
const msr = (ticks: number, disk: number, offset: number, size: number): string =>
  `${ticks},hm,${disk},Write,${offset},${size},1234567\n`; // a long response time keeps the file > 32 MiB

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'churnlink-huge-'));
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface VolumeRow {
  volume: string;
  writes: number;
  writeBytes: number;
  changedTracks: number;
}

async function report(store: string, ...args: string[]): Promise<VolumeRow[]> {
  const options = { maxOldSpaceMiB: 256, timeoutMs: 60_000 };
  const r = await runChild(['report', '--store', store, '--format', 'json', ...args], options);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.maxRssKiB !== null && r.maxRssKiB < PEAK_RSS_KIB, `report peak RSS ${r.maxRssKiB} KiB`);
  const rows = JSON.parse(r.stdout) as VolumeRow[];
  return rows.map(({ volume, writes, writeBytes, changedTracks }) => ({ volume, writes, writeBytes, changedTracks }));
}

async function collect(store: string, ...args: string[]): Promise<void> {
  const r = await runChild(['collect', ...args, '--store', store], { maxOldSpaceMiB: 256, timeoutMs: 90_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.maxRssKiB !== null && r.maxRssKiB < PEAK_RSS_KIB, `collect peak RSS ${r.maxRssKiB} KiB`);
}

test('80 GiB written in sequence at --track 512, 2 threads: the halves of an interval merge, bounded', async () => {
  // 655,360 writes of 128 KiB, 100 ns apart, all in one minute: 37.3 MB, above the 32 MiB cut size,
  // so two worker threads each close half of the same (volume, interval) and the store ORs them.
  const path = join(dir, 'seq80g.csv');
  const fd = openSync(path, 'w');
  try {
    const lines: string[] = [];
    for (let i = 0; i < 655_360; i++) {
      lines.push(msr(T0 + i, 0, i * 131_072, 131_072));
      if (lines.length === 8192) writeSync(fd, lines.splice(0).join(''));
    }
    writeSync(fd, lines.join(''));
  } finally {
    closeSync(fd);
  }
  const store = join(dir, 'seq80g.db');
  await collect(store, path, '--track', '512', '--threads', '2');
  // 80 GiB / 512 B = 167,772,160 tracks, each written once.
  assert.deepEqual(await report(store), [
    { volume: 'hm_0', writes: 655_360, writeBytes: 80 * 2 ** 30, changedTracks: 167_772_160 },
  ]);
});

test('one write of 2^48 - 1 bytes at 64 KiB tracks: all 2^32 tracks, in seconds and bounded memory', async () => {
  const path = join(dir, 'huge.csv');
  writeFileSync(path, msr(T0, 0, 0, 2 ** 48 - 1));
  const store = join(dir, 'huge.db');
  await collect(store, path);
  // Tracks floor(0 / 65536) .. floor((2^48 - 2) / 65536) = 0 .. 2^32 - 1.
  assert.deepEqual(await report(store), [
    { volume: 'hm_0', writes: 1, writeBytes: 2 ** 48 - 1, changedTracks: 2 ** 32 },
  ]);
});

// A: tracks 0 .. 2^31 - 1; B: tracks 3 * 2^30 .. 2^32 - 1; A OR B: 2^31 + 2^30 tracks.
const A = (ticks: number): string => msr(ticks, 0, 0, 2 ** 47);
const B = (ticks: number): string => msr(ticks, 0, 3 * 2 ** 46, 2 ** 46);

test('a late record reopening an interval of 2^31 tracks merges in bounded memory', async () => {
  // The write on disk 1 three minutes later closes the first interval; B then reopens it.
  const path = join(dir, 'late.csv');
  writeFileSync(path, A(T0) + msr(T0 + 180 * SECOND, 1, 0, 4096) + B(T0 + SECOND));
  const store = join(dir, 'late.db');
  await collect(store, path);
  assert.deepEqual(await report(store), [
    { volume: 'hm_0', writes: 2, writeBytes: 2 ** 47 + 2 ** 46, changedTracks: 3 * 2 ** 30 },
    { volume: 'hm_1', writes: 1, writeBytes: 4096, changedTracks: 1 },
  ]);
});

test('two runs sharing a (volume, interval) of 2^31 tracks: the report ORs them in bounded memory', async () => {
  const a = join(dir, 'a.csv');
  const b = join(dir, 'b.csv');
  writeFileSync(a, A(T0));
  writeFileSync(b, B(T0 + 2 * SECOND));
  const store = join(dir, 'two-runs.db');
  await collect(store, a);
  await collect(store, b);
  assert.deepEqual(await report(store), [
    { volume: 'hm_0', writes: 2, writeBytes: 2 ** 47 + 2 ** 46, changedTracks: 3 * 2 ** 30 },
  ]);
});

test('small writes scattered one per 65,536-track chunk, 3 intervals: memory per track, not per chunk', async () => {
  // 3 x 65,536 writes of 512 B, each in its own chunk (tracks i * 65536 + interval): a roaring
  // bitmap needs 2 bytes per track here, a page of bits per chunk would need 8 KiB (1.6 GiB).
  const path = join(dir, 'scatter.csv');
  const lines: string[] = [];
  for (let k = 0; k < 3; k++) {
    for (let i = 0; i < 65_536; i++) lines.push(msr(T0 + k * 60 * SECOND + i, 0, i * 2 ** 32 + k * 65_536, 512));
  }
  writeFileSync(path, lines.join(''));
  const store = join(dir, 'scatter.db');
  await collect(store, path, '--threads', '1');
  // Per interval (each row one stored interval, so the report ORs nothing).
  const row = { volume: 'hm_0', writes: 65_536, writeBytes: 65_536 * 512, changedTracks: 65_536 };
  assert.deepEqual(await report(store, '--per', 'interval'), [row, row, row]);
});

test('writes of all 2^32 tracks: simulate, cycles and models hold one entry per chunk, not per track (QA)', async () => {
  // A 16 TiB write at 4 KiB tracks in two intervals, then one track: every planning command's
  // per-track structures once grew with it (7.4 GB and minutes for simulate).
  const trace = join(dir, 'whole.csv');
  const all = 2 ** 44;
  writeFileSync(
    trace,
    `ts,vol,op,off,len\n1767225600,X,w,0,${all}\n1767225660,X,w,0,${all}\n1767225720,X,w,4096,4096\n`,
  );
  const store = join(dir, 'whole.db');
  const columns = 'time=ts:epoch-s,volume=vol,op=op,offset=off:B,length=len:B';
  const c = await runChild(['collect', trace, '--store', store, '--track', '4096', '--columns', columns], {
    timeoutMs: 120_000,
  });
  assert.equal(c.code, 0, c.stderr);
  const options = { maxOldSpaceMiB: 256, timeoutMs: 120_000 };
  const run = async (...args: string[]): Promise<string> => {
    const r = await runChild([...args, '--store', store, '--format', 'json'], options);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.ok(r.maxRssKiB !== null && r.maxRssKiB < PEAK_RSS_KIB, `${args[0]} peak RSS ${r.maxRssKiB} KiB`);
    return r.stdout;
  };
  // Cycles of 1 and 2 minutes: 2^32 tracks each (the second write rewrites the first's tracks), then 1.
  // 1-minute cycles ship 2^32 tracks twice and the one track; tumbling 2-minute cycles [0, 2m) ship
  // 2^32 tracks once (the second write rewrites the first's), [2m, 4m) the one track.
  const cycles = JSON.parse(await run('cycles', '--max', '2m')) as Record<string, number>[];
  assert.deepEqual(
    cycles.map((r) => [r.cycleS, r.peakChangedBytes, r.shippedBytes]),
    [
      [60, all, 2 * all + 4096],
      [120, all, all + 4096],
    ],
  );
  const sim = JSON.parse(await run('simulate', '--link', '1x10Gbit', '--cycle', '1m')) as { cycles: unknown[] };
  assert.ok(sim.cycles.length >= 1);
  const models = JSON.parse(await run('report', '--models')) as { model: string; totalBytes: number }[];
  // Periodic (1 h): the one hour ships 2^32 tracks once (the third write's track is among them).
  assert.equal(models.find((m) => m.model === 'periodic')!.totalBytes, all);
});
