import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { FIXTURES, ROOT, runCli, tempDir } from '../helpers.js';

const dir = tempDir();
const tiny = join(FIXTURES, 'tiny.msr.csv');
let n = 0;
const freshStore = (): string => join(dir, `cli-${n++}.db`);

async function collected(...extra: string[]): Promise<string> {
  const store = freshStore();
  const r = await runCli('collect', tiny, '--store', store, '--interval', '1m', ...extra);
  assert.equal(r.code, 0, r.stderr);
  return store;
}

test('collect prints a summary of what it stored', async () => {
  const store = freshStore();
  const r = await runCli('collect', tiny, '--store', store, '--interval', '1m');
  assert.equal(r.code, 0);
  assert.equal(
    r.stdout,
    [
      `run 1: collected 10 records from ${tiny} (msr) into ${store}`,
      '  writes 8 (202.50 KiB), reads 2 (72.00 KiB)',
      '  2 volumes, 3 intervals of 1 min, 2026-01-05T00:00:00Z to 2026-01-05T00:03:00Z',
      '',
    ].join('\n'),
  );
});

test('collect summary: counts of volumes and intervals carry thousands separators', async () => {
  // One write a minute for 1,200 minutes: 1,200 one-minute intervals of one volume.
  const trace = join(dir, 'minutes.msr.csv');
  const lines = Array.from(
    { length: 1200 },
    (_, i) => `${134120448005000000 + i * 600_000_000},hostA,0,Write,0,4096,1`,
  );
  writeFileSync(trace, lines.join('\n') + '\n');
  const r = await runCli('collect', trace, '--store', freshStore(), '--interval', '1m');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\n {2}1 volume, 1,200 intervals of 1 min, /);
});

test('report --per interval --format csv keeps the scripted contract', async () => {
  const store = await collected();
  const r = await runCli('report', '--store', store, '--per', 'interval', '--format', 'csv');
  assert.equal(r.code, 0);
  assert.equal(
    r.stdout,
    [
      'start_s,volume,writes,write_bytes,changed_tracks',
      '1767571200,hostA_0,4,9728,4',
      '1767571200,hostA_1,1,131072,2',
      '1767571260,hostA_0,1,512,1',
      '1767571260,hostA_1,1,512,1',
      '1767571320,hostA_0,1,65536,1',
      '1767571320,hostA_1,0,0,0',
      '',
    ].join('\n'),
  );
});

test('report --by volume --format json with --resync, --path and --link', async () => {
  const store = await collected();
  const r = await runCli(
    'report',
    '--store',
    store,
    '--by',
    'volume',
    '--format',
    'json',
    '--resync',
    '1s',
    '--path',
    '1Mbit',
    '--link',
    '2x1Mbit',
    '--overhead',
    '25%',
    '--compression',
    '2:1',
    '--efficiency',
    '0.5',
  );
  assert.equal(r.code, 0, r.stderr);
  const [a, b] = JSON.parse(r.stdout) as Record<string, number | string>[];
  // hostA_0: 4 tracks = 262,144 B; D = 262144 * 1.25 / 2 = 163,840 B; 8 D / (1 s * 0.5) = 2,621,440 bit/s.
  assert.deepEqual(
    {
      volume: a!.volume,
      writes: a!.writes,
      writeBytes: a!.writeBytes,
      changedTracks: a!.changedTracks,
      changedBytes: a!.changedBytes,
      requiredBandwidthBps: a!.requiredBandwidthBps,
      paths: a!.paths,
      resyncSeconds: a!.resyncSeconds,
    },
    {
      volume: 'hostA_0',
      writes: 6,
      writeBytes: 75776,
      changedTracks: 4,
      changedBytes: 262144,
      requiredBandwidthBps: 2621440,
      paths: 3,
      resyncSeconds: 1.31072,
    },
  );
  assert.equal(b!.volume, 'hostA_1');
  assert.equal(b!.requiredBandwidthBps, 1310720);
  // --path 1Mbit is kept as given; 3 paths share 2,621,440 bit/s: 873,813.33 bit/s each.
  assert.equal(a!.pathBps, 1e6);
  assert.equal(a!.requiredPerPathBps, 2621440 / 3);
  assert.equal(a!.pathBandwidthBps, undefined);
});

test('report table shows the figures with units and the link assumptions', async () => {
  const store = await collected();
  const r = await runCli('report', '--store', store, '--resync', '30m', '--path', 'T1');
  assert.equal(r.code, 0);
  assert.equal(
    r.stdout,
    [
      `store ${store}: 1 min intervals, 64.00 KiB tracks, 2026-01-05T00:00:00Z to 2026-01-05T00:03:00Z`,
      'link math: overhead 0.0 %, compression 1:1, efficiency 100.0 %, resync within 30 min, paths of 1.54 Mbit/s',
      '',
      'volume   writes     written  changed tracks     changed  % of size  fold  peak/interval  p95/interval      required  paths',
      '-------  ------  ----------  --------------  ----------  ---------  ----  -------------  ------------  ------------  -----',
      'hostA_0       6   74.00 KiB               4  256.00 KiB          -  0.29     256.00 KiB    256.00 KiB   1.17 kbit/s      1',
      'hostA_1       2  128.50 KiB               2  128.00 KiB          -  1.00     128.00 KiB    128.00 KiB  582.54 bit/s      1',
      '-------  ------  ----------  --------------  ----------  ---------  ----  -------------  ------------  ------------  -----',
      // All volumes together: 6 tracks = 393,216 B in 30 min = 1,747.6 bit/s.
      'total         8  202.50 KiB               6  384.00 KiB          -  0.53              -             -   1.75 kbit/s      1',
      '',
    ].join('\n'),
  );
});

test('a malformed line fails with file, line and field, exit 2, and leaves the store untouched', async () => {
  const store = await collected();
  const before = await runCli('runs', '--store', store, '--json');
  const bad = join(dir, 'bad.msr.csv');
  writeFileSync(
    bad,
    readFileSync(tiny, 'utf8').replace(
      '134120448610000000,hostA,1,Write,655360,512',
      '134120448610000000,hostA,1,Write,655360,5x2',
    ),
  );
  const r = await runCli('collect', bad, '--store', store);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, `churnlink collect: msr: ${bad}:8: Size is not a whole number: "5x2"\n`);
  const after = await runCli('runs', '--store', store, '--json');
  assert.equal(after.stdout, before.stdout);
  const skipped = await runCli('collect', bad, '--store', store, '--skip-bad');
  assert.equal(skipped.code, 0);
  assert.match(
    skipped.stdout,
    new RegExp(
      `skipped 1 bad record \\(first: msr: ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:8: Size is not a whole number: "5x2"\\)`,
    ),
  );
});

test('the same input twice is refused, or replaced with --replace', async () => {
  const store = await collected();
  const copy = join(dir, 'copy-of-tiny.csv');
  copyFileSync(tiny, copy);
  const again = await runCli('collect', copy, '--store', store);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /was already collected into .* as run 1 .*; refusing to count it twice. Use --replace/);
  const replaced = await runCli('collect', tiny, '--store', store, '--replace');
  assert.equal(replaced.code, 0);
  assert.match(replaced.stdout, /^run 2: .*\n.*\n.*\n {2}replaced run 1 \(same input\)\n$/);
  const report = await runCli('report', '--store', store, '--format', 'json');
  assert.deepEqual(
    (JSON.parse(report.stdout) as { writes: number }[]).map((v) => v.writes),
    [6, 2],
  );
});

test('mixing intervals or track sizes in one store is refused', async () => {
  const store = await collected();
  const other = join(dir, 'other.csv');
  writeFileSync(other, '134120448005000000,b,1,Write,0,4096,1\n');
  const r = await runCli('collect', other, '--store', store, '--track', '3390');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /holds 60 s intervals of 65536 B tracks; this collection asks for 60 s and 56664 B/);
  const ok = await runCli('collect', other, '--store', store);
  assert.equal(ok.code, 0, 'defaults come from the store');
});

test('unknown formats, empty files, bad flags and unknown commands exit 2 with a clear message', async () => {
  const junk = join(dir, 'junk.txt');
  writeFileSync(junk, 'hello world\nthis is not a trace\n');
  const unknown = await runCli('collect', junk, '--store', freshStore());
  assert.equal(unknown.code, 2);
  assert.match(
    unknown.stderr,
    /unrecognised trace format \(first bytes: "hello world"\); known formats: blktrace, vscsi, msr, alibaba, tencent, spc, fiu, blkparse, tracefs, vscsi-csv, csv; use --format NAME/,
  );
  const forced = await runCli('collect', junk, '--store', freshStore(), '--format', 'nope');
  assert.match(
    forced.stderr,
    /unknown format "nope"; known formats: blktrace, vscsi, msr, alibaba, tencent, spc, fiu, blkparse, tracefs, vscsi-csv, csv\n$/,
  );
  const empty = join(dir, 'empty.csv');
  writeFileSync(empty, '');
  assert.deepEqual(await runCli('collect', empty, '--store', freshStore()), {
    code: 2,
    stdout: '',
    stderr: `churnlink collect: ${empty}: empty input\n`,
  });
  const flag = await runCli('report', '--colour', 'blue');
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /Unknown option '--colour'/);
  assert.equal((await runCli('report', '--store', freshStore())).code, 2);
  assert.equal((await runCli('frobnicate')).code, 2);
  const pathOnly = await runCli('report', '--store', await collected(), '--path', 'OC3');
  assert.match(pathOnly.stderr, /--path needs --resync/);
});

test('the real binary: gzip on stdin, progress off when piped, exit codes', () => {
  const store = freshStore();
  const bin = join(ROOT, 'bin', 'churnlink.js');
  const input = gzipSync(readFileSync(tiny));
  const bounded = { timeout: 120_000, killSignal: 'SIGKILL' } as const; // a hung child fails the test
  const r = spawnSync(process.execPath, [bin, 'collect', '-', '--store', store, '--interval', '1m'], {
    input,
    ...bounded,
  });
  assert.equal(r.status, 0, r.stderr.toString());
  assert.equal(r.stderr.toString(), '');
  assert.match(r.stdout.toString(), /collected 10 records from - \(msr\)/);
  const again = spawnSync(process.execPath, [bin, 'collect', '-', '--store', store], { input, ...bounded });
  assert.equal(again.status, 2, 'same content on stdin is recognised after reading');
  assert.match(again.stderr.toString(), /^churnlink collect: - was already collected into .* as run 1 /);
  const report = spawnSync(process.execPath, [bin, 'report', '--store', store, '--format', 'csv'], bounded);
  assert.equal(report.status, 0);
  assert.match(
    report.stdout.toString(),
    /^volume,start_s,end_s,writes,write_bytes,reads,read_bytes,changed_tracks,changed_bytes,capacity_bytes,percent_changed,fold_ratio,intervals,peak_changed_tracks,p50_changed_tracks,p95_changed_tracks,p99_changed_tracks\nhostA_0,1767571200,1767571380,6,75776,1,65536,4,262144,,,0.289063,3,4,1,4,4\n/,
  );
});

test('corrupted gzip is bad input', async () => {
  const gz = gzipSync(readFileSync(tiny));
  const broken = join(dir, 'broken.csv.gz');
  writeFileSync(broken, gz.subarray(0, gz.length - 20));
  const r = await runCli('collect', broken, '--store', freshStore());
  assert.equal(r.code, 2);
  assert.match(r.stderr, /broken\.csv\.gz: corrupted gzip data: unexpected end of file/);
});
