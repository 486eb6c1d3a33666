import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../src/errors.js';
import { alibaba } from '../../src/readers/alibaba.js';
import { csv } from '../../src/readers/csv.js';
import { parseCsvMapping } from '../../src/readers/csv-mapping.js';
import { msr } from '../../src/readers/msr.js';
import { tencent } from '../../src/readers/tencent.js';
import { decodeAll, runCli, tempDir, text } from '../helpers.js';

// Absolute-time formats accept 1990-01-01T00:00:00Z (inclusive) .. 2100-01-01T00:00:00Z (exclusive).
const FROM_S = 631_152_000; // 1990-01-01T00:00:00Z
const UNTIL_S = 4_102_444_800; // 2100-01-01T00:00:00Z
const FILETIME_OFFSET_S = 11_644_473_600;
const SPAN = 'outside 1990-01-01 .. 2100-01-01 UTC';
const filetime = (unixS: number): string => `${BigInt(unixS + FILETIME_OFFSET_S) * 10_000_000n}`;

const isInput =
  (message: string) =>
  (err: unknown): boolean => {
    assert.ok(err instanceof InputError, String(err));
    assert.equal(err.message, message);
    return true;
  };

test('msr: a record at time 0 (FILETIME 1601) is bad input naming file, line and field', () => {
  const input = text('128166372000000000,hm,0,Write,4096,8192,100\n0,hm,0,Write,4096,4096,100\n');
  assert.throws(
    () => decodeAll(msr, input),
    isInput(`msr: test-input:2: Timestamp is not a plausible time: "0" (1601-01-01, ${SPAN})`),
  );
  const { records, stats } = decodeAll(msr, input, { skipBad: true });
  assert.deepEqual(
    records.map((r) => r.timeUs),
    [(12816637200 - FILETIME_OFFSET_S) * 1e6],
  );
  assert.equal(stats.skipped, 1);
  assert.equal(stats.firstSkippedLine, 2);
});

test('msr: the plausible span is [1990-01-01, 2100-01-01) UTC, on the fast and the slow path', () => {
  // " 1" as the response time is not a fast-path line: the slow path decides the same.
  for (const response of ['1', ' 1']) {
    const lines = [FROM_S, UNTIL_S - 1].map((s) => `${filetime(s)},h,0,Write,0,512,${response}\n`).join('');
    const ok = decodeAll(msr, text(lines));
    assert.deepEqual(
      ok.records.map((r) => r.timeUs),
      [FROM_S * 1e6, (UNTIL_S - 1) * 1e6],
    );
  }
  assert.throws(
    () => decodeAll(msr, text(`${filetime(UNTIL_S)},h,0,Write,0,512,1\n`)),
    isInput(`msr: test-input:1: Timestamp is not a plausible time: "${filetime(UNTIL_S)}" (2100-01-01, ${SPAN})`),
  );
  const justBefore = `${BigInt(FROM_S + FILETIME_OFFSET_S) * 10_000_000n - 10n}`; // 1 µs before 1990
  assert.throws(
    () => decodeAll(msr, text(`${justBefore},h,0,Write,0,512,1\n`)),
    isInput(`msr: test-input:1: Timestamp is not a plausible time: "${justBefore}" (1989-12-31, ${SPAN})`),
  );
});

test('alibaba: a truncated last line read as 1970 is bad input, skippable', () => {
  const input = text('1,W,0,4096,1767571200000000\n0,W,4096,4096,1767');
  assert.throws(
    () => decodeAll(alibaba, input),
    isInput(
      `alibaba: test-input:2: timestamp is not a plausible time: "1767" (1970-01-01, ${SPAN})` +
        ' (last line has no newline: the file looks truncated)',
    ),
  );
  const { records, stats } = decodeAll(alibaba, input, { skipBad: true });
  assert.equal(records.length, 1);
  assert.equal(stats.skipped, 1);
});

test('tencent and csv filetime check the span; relative formats with --start do not', () => {
  assert.throws(
    () => decodeAll(tencent, text('1538323200,0,8,1,5\n12,0,8,1,5\n')),
    isInput(`tencent: test-input:2: Timestamp is not a plausible time: "12" (1970-01-01, ${SPAN})`),
  );
  const mapping = parseCsvMapping({ columns: 'time=1:filetime,offset=2:B,length=3:B' });
  assert.throws(
    () => decodeAll(csv, text('5,0,512\n'), { csv: mapping }),
    isInput(`csv: test-input:1: time is not a plausible time: "5" (1601-01-01, ${SPAN})`),
  );
  const seconds = parseCsvMapping({ columns: 'time=1:s,offset=2:B,length=3:B' });
  const relative = decodeAll(csv, text('5,0,512\n'), { csv: seconds, startUs: 7e6 });
  assert.deepEqual(
    relative.records.map((r) => r.timeUs),
    [12e6],
  );
  // epoch-* units are absolute: checked, and --start is not added.
  const values = [
    ['epoch-s', '1456095145.133076'],
    ['epoch-ms', '1456095145133.076'],
    ['epoch-us', '1456095145133076'],
    ['epoch-ns', '1456095145133076000'],
  ];
  for (const [unit, value] of values) {
    const epoch = parseCsvMapping({ columns: `time=1:${unit},offset=2:B,length=3:B` });
    const { records } = decodeAll(csv, text(`${value},0,512\n`), { csv: epoch, startUs: 7e6 });
    assert.deepEqual(
      records.map((r) => r.timeUs),
      [1456095145133076],
      unit,
    );
    assert.throws(
      () => decodeAll(csv, text(`${value},0,512\n0,0,512\n`), { csv: epoch }),
      isInput(`csv: test-input:2: time is not a plausible time: "0" (1970-01-01, ${SPAN})`),
    );
  }
});

test('collect: the msr record at time 0 exits 2 with the line; --skip-bad keeps the 2007 record', async () => {
  const dir = tempDir();
  const file = join(dir, 'stray.csv');
  writeFileSync(file, '128166372000000000,hm,0,Write,4096,8192,100\n0,hm,0,Write,4096,4096,100\n');
  const bad = await runCli('collect', file, '--store', join(dir, 'a.db'), '--format', 'msr');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /msr: .*stray\.csv:2: Timestamp is not a plausible time: "0"/);
  const skipped = await runCli('collect', file, '--store', join(dir, 'b.db'), '--skip-bad');
  assert.equal(skipped.code, 0, skipped.stderr);
  assert.match(skipped.stdout, /writes 1 \(8\.00 KiB\)/);
  assert.match(skipped.stdout, /skipped 1 bad record/);
  assert.match(skipped.stdout, /2007-02-22T17:00:00Z/);
});

// Relative-time formats: the time plus --start must land in [1970-01-01, 2100-01-01) UTC.
test('relative times: a time past 2100 once the start is added is bad input naming the field (text and binary)', async () => {
  const { spc } = await import('../../src/readers/spc.js');
  const { vscsi } = await import('../../src/readers/vscsi.js');
  const REL = 'outside 1970-01-01 .. 2100-01-01 UTC';
  // spc: seconds from the start; 4,102,444,799 s is the last second before 2100.
  const spcInput = text('0,8,4096,w,4102444799.000000\n0,8,4096,w,4102444800\n');
  assert.throws(
    () => decodeAll(spc, spcInput),
    isInput(`spc: test-input:2: Timestamp plus the start time is 4102444800 s since the epoch, ${REL}`),
  );
  assert.deepEqual(
    decodeAll(spc, spcInput, { skipBad: true }).records.map((r) => r.timeUs),
    [4102444799e6],
  );
  // The same second is refused when --start pushes it past 2100.
  assert.throws(
    () => decodeAll(spc, text('0,8,4096,w,1\n'), { startUs: (UNTIL_S - 1) * 1e6 }),
    isInput(`spc: test-input:1: Timestamp plus the start time is 4102444800 s since the epoch, ${REL}`),
  );
  // vscsi v2 binary (40 B little-endian records: u16 cmd, u16 ver, u32 sn, u32 len, u32 nSG, u64 lbn,
  // u64 ts, u64 rt): two writes of 4 KiB at lbn 8, the first at 5 s, the second at 3e18 µs.
  const two = new Uint8Array(80);
  const view = new DataView(two.buffer);
  for (const [i, tsUs] of [5_000_000n, 3_000_000_000_000_000_000n].entries()) {
    view.setUint16(40 * i, 0x2a, true); // WRITE(10)
    view.setUint16(40 * i + 2, 2 << 8, true); // version 2 in the high byte
    view.setUint32(40 * i + 8, 4096, true);
    view.setBigUint64(40 * i + 16, 8n, true);
    view.setBigUint64(40 * i + 24, tsUs, true);
  }
  assert.throws(
    () => decodeAll(vscsi, two),
    isInput(`vscsi: test-input: byte 40: ts plus the start time is 3000000000000 s since the epoch, ${REL}`),
  );
});
