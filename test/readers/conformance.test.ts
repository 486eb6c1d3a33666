import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/sqlite.js';
import { decodeRoaring } from '../../src/bitmap/roaring.js';
import { FIXTURES, runCli, tempDir } from '../helpers.js';

/**
 * One tiny trace rendered in every format must give the same hand-computed result
 * (test/fixtures/expected.json), through the whole collect pipeline and the store.
 */
const expected = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8')) as {
  intervalS: number;
  intervals: { startS: number; volume: string; writes: number; writeBytes: number; reads: number; readBytes: number; changedTracks: number; tracks: number[] }[];
  volumes: { volume: string; writes: number; writeBytes: number; changedTracks: number }[];
};

export const FIXTURE_RENDERINGS: { format: string; file: string; args: string[] }[] = [
  { format: 'msr', file: 'tiny.msr.csv', args: [] },
  { format: 'csv', file: 'tiny.csv', args: ['--columns', 'time=time:s,volume=volume,op=op,offset=lba:sector,length=size:B'] },
];

const dir = tempDir();

for (const { format, file, args } of FIXTURE_RENDERINGS) {
  test(`conformance: ${file} (${format}) gives the expected intervals and volume report`, async () => {
    const store = join(dir, `${file}.db`);
    const collected = await runCli('collect', join(FIXTURES, file), '--store', store, '--interval', '60s', '--track', '64KiB', ...args);
    assert.equal(collected.stderr, '');
    assert.equal(collected.code, 0);
    assert.match(collected.stdout, new RegExp(`\\(${format}\\)`));
    const s = new SqliteStore(store);
    const rows = (await s.readIntervals({})).map((r) => ({ startS: r.startS, volume: r.volume, writes: r.writes, writeBytes: r.writeBytes, reads: r.reads, readBytes: r.readBytes, changedTracks: r.changedTracks, tracks: decodeRoaring(r.bitmap) }));
    await s.close();
    assert.deepEqual(rows, expected.intervals);
    const report = await runCli('report', '--store', store, '--by', 'volume', '--format', 'json');
    assert.equal(report.code, 0);
    const volumes = (JSON.parse(report.stdout) as Record<string, unknown>[]).map((v) => ({ volume: v.volume, writes: v.writes, writeBytes: v.writeBytes, changedTracks: v.changedTracks }));
    assert.deepEqual(volumes, expected.volumes);
  });
}
