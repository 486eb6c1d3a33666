import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../src/errors.js';
import { blkparse } from '../../src/readers/blkparse.js';
import { blktrace } from '../../src/readers/blktrace.js';
import type { Survey } from '../../src/readers/reader.js';
import { decodeAll, runCli, sharedMissing, SHARED_TRACES, tempDir, text, type Decoded } from '../helpers.js';

// struct blk_io_trace, little-endian, written here independently of the reader.
const Q = 1;
const D = 7;
const C = 8;
const WRITE = 1 << 1;
const READ = 1 << 0;
const NOTIFY = 1 << 10;

interface Event {
  timeNs: bigint;
  action: number;
  category: number;
  sector: number;
  bytes: number;
  device?: number;
  pdu?: number;
}

function blkRecords(events: Event[]): Uint8Array {
  const size = events.reduce((n, e) => n + 48 + (e.pdu ?? 0), 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let at = 0;
  events.forEach((e, i) => {
    view.setUint32(at, 0x65617407, true);
    view.setUint32(at + 4, i + 1, true);
    view.setBigUint64(at + 8, e.timeNs, true);
    view.setBigUint64(at + 16, BigInt(e.sector), true);
    view.setUint32(at + 24, e.bytes, true);
    view.setUint32(at + 28, (e.category << 16) | e.action, true);
    view.setUint32(at + 36, e.device ?? 8 << 20, true);
    view.setUint16(at + 46, e.pdu ?? 0, true);
    at += 48 + (e.pdu ?? 0);
  });
  return out;
}

/** Survey several inputs the way a collect does, then decode each with the survey. */
function decodeSurveyed(inputs: Uint8Array[], reader = blktrace, startUs = 0): Decoded[][] {
  const survey: Survey = reader.survey!(false);
  for (const input of inputs) {
    for (let p = 0; p < input.length; p += 100) survey.push(input.subarray(p, p + 100)); // cut mid-record
    survey.endInput();
  }
  return inputs.map((input) => decodeAll(reader, input, { survey, startUs }, 77).records);
}

const BOOT_NS = 175_669_815_001_344n; // a kernel clock value (ns since boot), as in a real trace

test('blktrace: times count from the earliest event of all per-CPU files, plus --start', () => {
  const cpu0 = blkRecords([
    { timeNs: BOOT_NS + 5_000_000n, action: Q, category: WRITE, sector: 8, bytes: 4096 },
    { timeNs: BOOT_NS + 2_500_000_000n, action: Q, category: READ, sector: 16, bytes: 512 },
  ]);
  const cpu1 = blkRecords([
    // A notify record earlier than everything: blkparse leaves notify records out of its origin.
    { timeNs: 1000n, action: 0, category: NOTIFY, sector: 0, bytes: 0, pdu: 16 },
    { timeNs: BOOT_NS + 1_000n, action: Q, category: WRITE, sector: 0, bytes: 1024 },
  ]);
  const [a, b] = decodeSurveyed([cpu0, cpu1], blktrace, 1_767_571_200_000_000);
  assert.deepEqual(
    a!.map((r) => [r.timeUs, r.isWrite]),
    [
      [1_767_571_200_004_999, true],
      [1_767_571_202_499_999, false],
    ],
  );
  assert.deepEqual(b, [
    { volume: '8:0', timeUs: 1_767_571_200_000_000, offsetBytes: 0, lengthBytes: 1024, isWrite: true },
  ]);
});

const NVME = 'real/nvme_sample.blktrace.0';
test(
  'blktrace: the real NVMe sample starts at --start, checked against a decoding here',
  {
    skip: sharedMissing(NVME),
  },
  () => {
    const bytes = readFileSync(join(SHARED_TRACES, 'real', 'nvme_sample.blktrace.0'));
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const raw: { t: bigint; action: number; sector: bigint; len: number; device: number }[] = [];
    for (let at = 0; at + 48 <= bytes.length; at += 48 + view.getUint16(at + 46, true)) {
      raw.push({
        t: view.getBigUint64(at + 8, true),
        sector: view.getBigUint64(at + 16, true),
        len: view.getUint32(at + 24, true),
        action: view.getUint32(at + 28, true),
        device: view.getUint32(at + 36, true),
      });
    }
    const events = raw.filter((r) => ((r.action >>> 16) & NOTIFY) === 0);
    let origin = events[0]!.t;
    for (const e of events) if (e.t < origin) origin = e.t;
    const expected = events
      .filter((e) => (e.action & 0xffff) === Q && ((e.action >>> 16) & (READ | WRITE)) !== 0 && e.len > 0)
      .map((e) => ({
        volume: `${e.device >>> 20}:${e.device & 0xfffff}`,
        timeUs: Number((e.t - origin) / 1000n),
        offsetBytes: Number(e.sector) * 512,
        lengthBytes: e.len,
        isWrite: ((e.action >>> 16) & WRITE) !== 0,
      }));
    assert.equal(expected.length, 963);
    assert.equal(expected[0]!.timeUs, 0);
    const [records] = decodeSurveyed([bytes]);
    assert.deepEqual(records, expected);
  },
);

test('blktrace: per-CPU files collected together share one time origin', async () => {
  const dir = tempDir();
  const cpu0 = join(dir, 'sda.blktrace.0');
  const cpu1 = join(dir, 'sda.blktrace.1');
  writeFileSync(
    cpu0,
    blkRecords([{ timeNs: BOOT_NS + 61_000_000_000n, action: Q, category: WRITE, sector: 0, bytes: 4096 }]),
  );
  writeFileSync(cpu1, blkRecords([{ timeNs: BOOT_NS, action: Q, category: WRITE, sector: 128, bytes: 4096 }]));
  const store = join(dir, 'cpus.db');
  const r = await runCli('collect', cpu0, cpu1, '--store', store, '--interval', '1m', '--start', '1767571200');
  assert.equal(r.code, 0, r.stderr);
  const report = await runCli('report', '--store', store, '--per', 'interval', '--format', 'csv');
  assert.equal(
    report.stdout,
    'start_s,volume,writes,write_bytes,changed_tracks\n1767571200,8:0,1,4096,1\n1767571260,8:0,1,4096,1\n',
  );
});

test('blktrace on standard input: the first event is the origin; an earlier one is bad input', () => {
  const input = blkRecords([
    { timeNs: BOOT_NS, action: Q, category: WRITE, sector: 0, bytes: 512 },
    { timeNs: BOOT_NS - 1000n, action: Q, category: WRITE, sector: 0, bytes: 512 },
  ]);
  assert.throws(
    () => decodeAll(blktrace, input),
    (err: unknown) =>
      err instanceof InputError &&
      err.message ===
        `blktrace: test-input: byte 48: time ${BOOT_NS - 1000n} ns is before the first event ` +
          `(${BOOT_NS} ns); ` +
          'a trace on standard input must start with its earliest event (give the per-CPU files instead)',
  );
  const { records, stats } = decodeAll(blktrace, input, { skipBad: true });
  assert.deepEqual(
    records.map((r) => r.timeUs),
    [0],
  );
  assert.equal(stats.skipped, 1);
});

const issueOnly = blkRecords([
  { timeNs: 10n, action: D, category: WRITE, sector: 8, bytes: 8192 },
  { timeNs: 20n, action: C, category: WRITE, sector: 8, bytes: 8192 },
  { timeNs: 2_000_000_010n, action: D, category: READ, sector: 64, bytes: 4096 },
]);

test('blktrace: a trace without queue events counts issue events and says so; one with them ignores D', () => {
  const [records] = decodeSurveyed([issueOnly]);
  assert.deepEqual(records, [
    { volume: '8:0', timeUs: 0, offsetBytes: 4096, lengthBytes: 8192, isWrite: true },
    { volume: '8:0', timeUs: 2_000_000, offsetBytes: 32768, lengthBytes: 4096, isWrite: false },
  ]);
  const withQueue = blkRecords([
    { timeNs: 5n, action: Q, category: WRITE, sector: 0, bytes: 4096 },
    { timeNs: 10n, action: D, category: WRITE, sector: 0, bytes: 4096 },
  ]);
  // Q in one per-CPU file, D only in the other: still only Q counts.
  const [q, d] = decodeSurveyed([withQueue, issueOnly]);
  assert.deepEqual(
    q!.map((r) => r.timeUs),
    [0],
  );
  assert.deepEqual(d, []);
  // Standard input cannot be read twice: no queue events but issue events fail at the end.
  assert.throws(
    () => decodeAll(blktrace, issueOnly),
    /blktrace: test-input: the trace has no queue \(Q\) events; its 2 issue \(D\) events can be counted only when/,
  );
});

const MICBENCH = 'real/micbench_btdumpfile.bin';
test(
  'blktrace: the real micbench trace (issue and complete events only) counts its 20 issued writes',
  {
    skip: sharedMissing(MICBENCH),
  },
  async () => {
    const dir = tempDir();
    const r = await runCli('collect', join(SHARED_TRACES, MICBENCH), '--store', join(dir, 'm.db'), '--interval', '1m');
    assert.equal(r.code, 0, r.stderr);
    // 20 D events with the write flag: 1 of 8192 B and 19 of 4096 B (read from the file by hand).
    assert.match(r.stdout, /\n {2}writes 20 \(84\.00 KiB\), reads 0 \(0 B\)\n/);
    assert.match(r.stdout, /\n {2}counted: issue \(D\) events — the trace has no queue \(Q\) events\n/);
  },
);

test('blkparse: a trace without Q lines counts D lines and says so; with Q lines D is ignored', async () => {
  const onlyD =
    ' 8,0 0 1 0.000000000 1 D W 0 + 8 [a]\n 8,0 0 2 0.000100000 1 C W 0 + 8 [0]\n' +
    ' 8,0 1 3 1.500000000 1 D R 64 + 8 [a]\n';
  const [records] = decodeSurveyed([text(onlyD)], blkparse);
  assert.deepEqual(
    records!.map((r) => [r.timeUs, r.offsetBytes, r.isWrite]),
    [
      [0, 0, true],
      [1_500_000, 32768, false],
    ],
  );
  const both = ' 8,0 0 1 0.000000000 1 Q W 0 + 8 [a]\n 8,0 0 2 0.000100000 1 D W 0 + 8 [a]\n';
  assert.deepEqual(
    decodeSurveyed([text(both), text(onlyD)], blkparse).map((rs) => rs.length),
    [1, 0],
  );
  assert.throws(
    () => decodeAll(blkparse, text(onlyD)),
    /blkparse: test-input: the trace has no queue \(Q\) events; its 2 issue \(D\) events/,
  );
  const dir = tempDir();
  const file = join(dir, 'issue.txt');
  writeFileSync(file, onlyD);
  const r = await runCli('collect', file, '--store', join(dir, 'd.db'), '--interval', '1m');
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /writes 1 \(4\.00 KiB\), reads 1 \(4\.00 KiB\)\n {2}1 volume.*\n {2}counted: issue \(D\) events/,
  );
});
