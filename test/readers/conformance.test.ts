import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/sqlite.js';
import { decodeRoaring } from '../../src/bitmap/roaring.js';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { gzipSync } from 'node:zlib';
import { FIXTURES, ROOT, runCli, tempDir } from '../helpers.js';
import { FIXTURE_RENDERINGS } from './renderings.js';

/**
 * One tiny trace rendered in every format must give the same hand-computed result
 * (test/fixtures/expected.json), through the whole collect pipeline and the store.
 */
const expected = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8')) as {
  intervalS: number;
  intervals: {
    startS: number;
    volume: string;
    writes: number;
    writeBytes: number;
    reads: number;
    readBytes: number;
    changedTracks: number;
    tracks: number[];
  }[];
  volumes: { volume: string; writes: number; writeBytes: number; changedTracks: number }[];
};

const dir = tempDir();

type Rendering = (typeof FIXTURE_RENDERINGS)[number];

/** Collect `paths` (or stdin) into a fresh store and compare with expected.json. */
async function checkRendering(
  { format, args, volumes, stderr }: Rendering,
  paths: string[],
  label: string,
  stdin?: Buffer,
): Promise<void> {
  const store = join(dir, `${label.replace(/[^\w.-]/g, '_')}.db`);
  let collected: { code: number; stdout: string; stderr: string };
  if (stdin) {
    const r = spawnSync(
      process.execPath,
      [
        join(ROOT, 'bin', 'churnlink.js'),
        'collect',
        '-',
        '--store',
        store,
        '--interval',
        '60s',
        '--volume',
        volumes[0],
        ...args,
      ],
      {
        input: stdin,
        timeout: 120_000,
        killSignal: 'SIGKILL',
      },
    );
    collected = { code: r.status ?? -1, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
  } else {
    collected = await runCli('collect', ...paths, '--store', store, '--interval', '60s', '--track', '64KiB', ...args);
  }
  assert.equal(collected.stderr, (stderr ?? '').replace('{file}', stdin ? '-' : paths[0]!));
  assert.equal(collected.code, 0);
  assert.match(collected.stdout, new RegExp(`\\(${format}\\)`));
  const rename = (name: string): string =>
    name === volumes[0] ? 'hostA_0' : name === volumes[1] ? 'hostA_1' : `unexpected ${name}`;
  const s = new SqliteStore(store);
  const rows = (await s.readIntervals({})).map((r) => ({
    startS: r.startS,
    volume: rename(r.volume),
    writes: r.writes,
    writeBytes: r.writeBytes,
    reads: r.reads,
    readBytes: r.readBytes,
    changedTracks: r.changedTracks,
    tracks: decodeRoaring(r.bitmap),
  }));
  await s.close();
  rows.sort((a, b) => a.startS - b.startS || a.volume.localeCompare(b.volume));
  assert.deepEqual(rows, expected.intervals);
  const report = await runCli('report', '--store', store, '--by', 'volume', '--format', 'json');
  assert.equal(report.code, 0);
  const reported = (JSON.parse(report.stdout) as Record<string, unknown>[]).map((v) => ({
    volume: rename(String(v.volume)),
    writes: v.writes,
    writeBytes: v.writeBytes,
    changedTracks: v.changedTracks,
  }));
  reported.sort((a, b) => a.volume.localeCompare(b.volume));
  assert.deepEqual(reported, expected.volumes);
}

for (const rendering of FIXTURE_RENDERINGS) {
  const { format, files } = rendering;
  const paths = files.map((f) => join(FIXTURES, f));
  test(`conformance: ${files.join(' + ')} (${format}) gives the expected intervals and volume report`, async () => {
    await checkRendering(rendering, paths, files.join('+'));
  });
  test(`conformance: ${files.join(' + ')} (${format}) gzip-compressed gives the same`, async () => {
    const gzDir = join(dir, `gz-${files[0]!.replace(/\//g, '-')}`);
    mkdirSync(gzDir, { recursive: true });
    const gz = paths.map((p) => {
      const out = join(gzDir, `${basename(p)}.gz`);
      writeFileSync(out, gzipSync(readFileSync(p)));
      return out;
    });
    await checkRendering(rendering, gz, `gz-${files.join('+')}`);
  });
  if (files.length === 1) {
    test(`conformance: ${files[0]} (${format}) on stdin gives the same`, async () => {
      await checkRendering(rendering, [], `stdin-${files[0]}`, readFileSync(paths[0]!));
    });
  }
}

test('conformance: a zstd-compressed trace (made by the zstd tool) gives the same', async () => {
  const copy = join(dir, 'tiny.msr.csv.zst');
  copyFileSync(join(FIXTURES, 'tiny.msr.csv.zst'), copy);
  await checkRendering(FIXTURE_RENDERINGS[0]!, [copy], 'zstd');
});
