import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir } from '../helpers.js';

const T0 = 1_767_571_200; // 2026-01-05T00:00:00Z
const filetime = (unixS: number): string => `${BigInt(unixS + 11_644_473_600) * 10_000_000n}`;
const KiB64 = 65_536;

/**
 * One volume, five 1-minute intervals changing 4, 0, 1, 2 and 3 tracks: sorted per-interval
 * figures [0, 1, 2, 3, 4]. Nearest rank: p40 is the ceil(0.4 * 5) = 2nd smallest = 1 track;
 * p99.9 the 5th = 4; p50 the 3rd = 2.
 */
async function store(): Promise<string> {
  const dir = tempDir();
  const lines: string[] = [];
  const plan: [number, number][] = [
    [0, 4],
    [120, 1],
    [180, 2],
    [240, 3],
  ];
  for (const [s, tracks] of plan) {
    for (let t = 0; t < tracks; t++) lines.push(`${filetime(T0 + s)},h,0,Write,${t * KiB64},4096,1`);
  }
  // The window runs from the first interval to the end of the last: five intervals, one of them empty.
  const trace = join(dir, 'p.csv');
  writeFileSync(trace, `${lines.join('\n')}\n`);
  const db = join(dir, 'p.db');
  const r = await runCli('collect', trace, '--store', db, '--interval', '1m');
  assert.equal(r.code, 0, r.stderr);
  return db;
}

test('report --percentile P: the per-interval changed tracks at any percentile, in json, csv and table', async () => {
  const db = await store();
  const json = await runCli('report', '--store', db, '--percentile', '40', '--format', 'json');
  assert.equal(json.code, 0, json.stderr);
  const [row] = JSON.parse(json.stdout) as Record<string, number>[];
  assert.deepEqual(
    [row!.intervals, row!.peakChangedTracks, row!.p50ChangedTracks, row!.percentile, row!.percentileChangedTracks],
    [5, 4, 2, 40, 1],
  );
  const high = JSON.parse((await runCli('report', '--store', db, '--percentile', '99.9', '--format', 'json')).stdout);
  assert.equal(high[0].percentileChangedTracks, 4);
  const plain = JSON.parse((await runCli('report', '--store', db, '--format', 'json')).stdout);
  assert.equal('percentile' in plain[0], false);
  const csv = await runCli('report', '--store', db, '--percentile', '40', '--format', 'csv');
  const [header, line] = csv.stdout.trim().split('\n');
  assert.ok(header!.includes(',p99_changed_tracks,percentile,percentile_changed_tracks'), header);
  assert.ok(line!.includes(',4,2,4,4,40,1'), line); // peak, p50, p95, p99, the percentile asked, its value
  const table = await runCli('report', '--store', db, '--percentile', '40');
  assert.match(table.stdout, /p40\/interval/);
  assert.match(
    table.stdout.split('\n').find((l) => l.startsWith('h_0'))!,
    / 64\.00 KiB$/,
  );
  for (const bad of ['0', '100.5', 'x']) {
    const r = await runCli('report', '--store', db, '--percentile', bad);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--percentile must be a number in \(0, 100\]/);
  }
});

test('report --threads: the same rows on one and two threads; a bad count is refused', async () => {
  const db = await store();
  const one = await runCli('report', '--store', db, '--per', '2m', '--format', 'csv', '--threads', '1');
  const two = await runCli('report', '--store', db, '--per', '2m', '--format', 'csv', '--threads', '2');
  assert.equal(one.code, 0, one.stderr);
  assert.equal(two.stdout, one.stdout);
  const bad = await runCli('report', '--store', db, '--threads', '0');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--threads must be auto or a whole number from 1 to 256; got "0"/);
});
