import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, createWriteStream, ftruncateSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { InputError } from '../../src/errors.js';
import { msr } from '../../src/readers/msr.js';
import { decodeAll, text } from '../helpers.js';
import { runChild } from '../support/child.js';

// Hostile inputs are generated lazily as streams (or into a temporary directory removed after the
// tests); nothing large is kept in memory by the test or stored in the repository.
const dir = mkdtempSync(join(tmpdir(), 'churnlink-hostile-lines-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const MIB = 1 << 20;
const RSS_LIMIT_KIB = 200 * 1024; // 200 MiB: the CLI at rest takes ~60 MiB
// Decompression runs on a worker thread: a second V8 heap, and 1 MiB chunks of garbage on both
// sides between collections (measured 170-220 MiB for 0.5 to 2 GB of output, 2 cores).
const RSS_LIMIT_GZIP_KIB = 256 * 1024;
const GOOD_MSR = '128166372000000000,hm,0,Write,4096,8192,100\n';
const LIMIT_TEXT = 'line is longer than 65,536 bytes (64 KiB), the limit for a text trace';

/** `mib` MiB of one repeated byte, then an optional tail, as a lazy stream. */
function stream(head: string, mib: number, byte: number, tail = ''): Readable {
  const block = Buffer.alloc(MIB, byte);
  return Readable.from(
    (function* () {
      if (head) yield Buffer.from(head);
      for (let i = 0; i < mib; i++) yield block;
      if (tail) yield Buffer.from(tail);
    })(),
    { objectMode: false },
  );
}

const store = (name: string): string => join(dir, `${name}.db`);

test('a 600 MB line fails fast naming file and line, in bounded memory', async () => {
  const r = await runChild(['collect', '-', '--store', store('long'), '--format', 'msr'], {
    stdin: stream(GOOD_MSR, 600, 0x61),
    timeoutMs: 60_000,
  });
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr, `churnlink collect: msr: -:2: ${LIMIT_TEXT}: "${'a'.repeat(40)}…"\n`);
  assert.ok(r.maxRssKiB !== null && r.maxRssKiB < RSS_LIMIT_KIB, `maxRSS ${r.maxRssKiB} KiB`);
});

test('--skip-bad streams past a 600 MB line without buffering it and keeps the records around it', async () => {
  const r = await runChild(['collect', '-', '--store', store('long-skip'), '--format', 'msr', '--skip-bad'], {
    stdin: stream(GOOD_MSR, 600, 0x61, `\n${GOOD_MSR}`),
    timeoutMs: 60_000,
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /collected 2 records .*\n {2}writes 2 \(16\.00 KiB\)/);
  const first = `msr: -:2: ${LIMIT_TEXT}: "${'a'.repeat(40)}…"`;
  assert.ok(r.stdout.includes(`skipped 1 bad record (first: ${first})`), r.stdout);
  assert.ok(r.maxRssKiB !== null && r.maxRssKiB < RSS_LIMIT_KIB, `maxRSS ${r.maxRssKiB} KiB`);
});

test('1 GB of zeros on stdin as msr: exit 2 at 64 KiB; with --skip-bad read to the end in bounded memory', async () => {
  const r = await runChild(['collect', '-', '--store', store('zeros'), '--format', 'msr'], {
    stdin: stream('', 1024, 0),
    timeoutMs: 60_000,
  });
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr, `churnlink collect: msr: -:1: ${LIMIT_TEXT} (binary data?)\n`);
  assert.ok(r.maxRssKiB !== null && r.maxRssKiB < RSS_LIMIT_KIB, `maxRSS ${r.maxRssKiB} KiB`);
  const skip = await runChild(['collect', '-', '--store', store('zeros-skip'), '--format', 'msr', '--skip-bad'], {
    stdin: stream(GOOD_MSR, 1024, 0),
    timeoutMs: 60_000,
  });
  assert.ok(skip.stdout.includes(`(first: msr: -:2: ${LIMIT_TEXT} (binary data?))`), skip.stdout);
  assert.equal(skip.code, 0, skip.stderr);
  assert.ok(skip.maxRssKiB !== null && skip.maxRssKiB < RSS_LIMIT_KIB, `maxRSS ${skip.maxRssKiB} KiB`);
});

test('a gzip of one 500 MB line: exit 2 naming the line, in bounded memory', async () => {
  const file = join(dir, 'one-line.csv.gz');
  await pipeline(stream('', 500, 0x31), createGzip({ level: 1 }), createWriteStream(file));
  const r = await runChild(['collect', file, '--store', store('gzip'), '--format', 'alibaba'], { timeoutMs: 60_000 });
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr, `churnlink collect: alibaba: ${file}:1: ${LIMIT_TEXT}: "${'1'.repeat(40)}…"\n`);
  assert.ok(r.maxRssKiB !== null && r.maxRssKiB < RSS_LIMIT_KIB, `maxRSS ${r.maxRssKiB} KiB`);
  const skipArgs = ['collect', file, '--store', store('gzip-skip'), '--format', 'alibaba', '--skip-bad'];
  const skip = await runChild(skipArgs, { timeoutMs: 60_000 });
  assert.ok(skip.maxRssKiB !== null && skip.maxRssKiB < RSS_LIMIT_GZIP_KIB, `maxRSS ${skip.maxRssKiB} KiB`);
  assert.match(skip.stdout + skip.stderr, /alibaba: .*one-line\.csv\.gz:1: line is longer than 65,536 bytes/);
});

test('a 4 GiB file of zeros fails fast: no cut or first pass scans it to its end', async () => {
  const file = join(dir, 'zeros.bin');
  const fd = openSync(file, 'w');
  ftruncateSync(fd, 4 * 1024 * MIB); // sparse: costs no disk
  closeSync(fd);
  // Reading it all takes 10-30 s here; a deadline of 20 s catches a scan to the end.
  const cases = [
    ['--format', 'msr', '--threads', '2'],
    ['--format', 'msr', '--threads', '4'],
    ['--format', 'blkparse'],
  ];
  for (const args of cases) {
    const r = await runChild(['collect', file, '--store', store(`zeros-file-${args.join('')}`), ...args], {
      timeoutMs: 20_000,
    });
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.signal ?? r.stderr}`);
    assert.equal(r.stderr, `churnlink collect: ${args[1]}: ${file}:1: ${LIMIT_TEXT} (binary data?)\n`);
    assert.ok(r.maxRssKiB !== null && r.maxRssKiB < RSS_LIMIT_KIB, `maxRSS ${r.maxRssKiB} KiB`);
  }
});

test('binary formats fail fast on a zero or garbage stream', async () => {
  for (const [format, byte, message] of [
    ['blktrace', 0, 'churnlink collect: blktrace: -: byte 0: bad magic 0x00000000 (not a blk_io_trace record)\n'],
    ['blktrace', 0xff, 'churnlink collect: blktrace: -: byte 0: bad magic 0xffffffff (not a blk_io_trace record)\n'],
    ['vscsi', 0, 'churnlink collect: vscsi: -: byte 0: not a vscsi v1 or v2 record\n'],
  ] as const) {
    const r = await runChild(['collect', '-', '--store', store(`bin-${format}-${byte}`), '--format', format], {
      stdin: stream('', 1024, byte),
      timeoutMs: 60_000,
    });
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr, message);
    assert.ok(r.maxRssKiB !== null && r.maxRssKiB < RSS_LIMIT_KIB, `maxRSS ${r.maxRssKiB} KiB`);
  }
});

test('a line of exactly 64 KiB is read; one byte more is bad input; messages quote 40 characters of a field', () => {
  // ResponseTime padded with leading zeros to make the line exactly 65,536 bytes long.
  const prefix = '128166372000000000,hm,0,Write,4096,8192,';
  const exact = `${prefix}${'0'.repeat(65_536 - prefix.length - 1)}1\n`;
  assert.equal(exact.length, 65_537);
  for (const chunk of [1000, 1 << 20]) {
    assert.equal(decodeAll(msr, text(exact), {}, chunk).records.length, 1);
    assert.throws(
      () => decodeAll(msr, text(`${prefix}0${exact.slice(prefix.length)}`), {}, chunk),
      (err: unknown) =>
        err instanceof InputError && err.message === `msr: test-input:1: ${LIMIT_TEXT}: "${prefix.slice(0, 40)}…"`,
    );
  }
  const field = 'x'.repeat(60_000);
  assert.throws(
    () => decodeAll(msr, text(`128166372000000000,hm,0,Write,4096,${field},1\n`)),
    (err: unknown) =>
      err instanceof InputError &&
      err.message === `msr: test-input:1: Size is not a whole number: "${'x'.repeat(40)}…"`,
  );
});
