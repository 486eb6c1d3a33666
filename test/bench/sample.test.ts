import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { ROOT, runCli, tempDir } from '../helpers.js';

const TRACK = 65536;
const INTERVAL_S = 300;
const FILETIME_UNIX_OFFSET_S = 11_644_473_600;

/**
 * An independent reading of the shipped sample: split lines with String.split, sets of track
 * numbers per volume (whole window) and per (volume, 5-minute interval).
 */
function independent(): {
  perVolume: Map<string, { writes: number; writeBytes: number; tracks: Set<number> }>;
  intervalTrackSum: number;
  writeBytes: number;
} {
  const text = gunzipSync(readFileSync(join(ROOT, 'samples', 'sample-msr.csv.gz'))).toString('utf8');
  const perVolume = new Map<string, { writes: number; writeBytes: number; tracks: Set<number> }>();
  const perInterval = new Map<string, Set<number>>();
  let writeBytes = 0;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const [ts, host, disk, type, offset, size] = line.split(',');
    if (type !== 'Write') continue;
    const volume = `${host}_${disk}`;
    const unixS = Number(BigInt(ts!) / 10_000_000n) - FILETIME_UNIX_OFFSET_S;
    const start = Math.floor(unixS / INTERVAL_S) * INTERVAL_S;
    const v = perVolume.get(volume) ?? { writes: 0, writeBytes: 0, tracks: new Set<number>() };
    perVolume.set(volume, v);
    const key = `${volume}@${start}`;
    const inInterval = perInterval.get(key) ?? new Set<number>();
    perInterval.set(key, inInterval);
    v.writes++;
    v.writeBytes += Number(size);
    writeBytes += Number(size);
    for (
      let t = Math.floor(Number(offset) / TRACK);
      t <= Math.floor((Number(offset) + Number(size) - 1) / TRACK);
      t++
    ) {
      v.tracks.add(t);
      inInterval.add(t);
    }
  }
  let intervalTrackSum = 0;
  for (const s of perInterval.values()) intervalTrackSum += s.size;
  return { perVolume, intervalTrackSum, writeBytes };
}

test('the shipped sample folds like a real trace, and churnlink reads it exactly', async () => {
  const ref = independent();
  const store = join(tempDir(), 'sample.db');
  const sample = join(ROOT, 'samples', 'sample-msr.csv.gz');
  assert.equal((await runCli('collect', sample, '--store', store, '--interval', '5m')).code, 0);
  const r = await runCli('report', '--store', store, '--by', 'volume', '--format', 'json');
  assert.equal(r.code, 0, r.stderr);
  const rows = JSON.parse(r.stdout) as { volume: string; writes: number; writeBytes: number; changedTracks: number }[];
  assert.deepEqual(
    rows.map((x) => [x.volume, x.writes, x.writeBytes, x.changedTracks]).sort(),
    [...ref.perVolume].map(([name, v]) => [name, v.writes, v.writeBytes, v.tracks.size]).sort(),
  );
  // Write folding, the tool's point: over the whole window each changed byte was written more
  // than twice (the CloudPhysics trace: 2.50), and 5-minute asynchronous cycles ship less than
  // the synchronous write stream.
  const windowTracks = [...ref.perVolume.values()].reduce((a, v) => a + v.tracks.size, 0);
  const windowFold = ref.writeBytes / (windowTracks * TRACK);
  const cycleFold = ref.writeBytes / (ref.intervalTrackSum * TRACK);
  assert.ok(windowFold > 2 && windowFold < 3.5, `window fold ${windowFold}`);
  assert.ok(cycleFold > 1.5, `5-minute cycle fold ${cycleFold}`);
});

test('the trace generator prints its usage for --help and refuses an unknown flag with exit 2', async () => {
  const { spawnSync } = await import('node:child_process');
  const bin = join(ROOT, 'dist', 'bench', 'generate.js');
  const help = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /^usage: node dist\/bench\/generate\.js \[--kind msr\|alibaba\]/);
  const bad = spawnSync(process.execPath, [bin, '--bogus'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^Unknown option '--bogus'\nusage: /);
  assert.equal(bad.stdout, '');
});
