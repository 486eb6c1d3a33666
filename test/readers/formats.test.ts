import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readers, sniffReader } from '../../src/readers/index.js';
import { InputError } from '../../src/errors.js';
import { decodeAll, FIXTURES, text } from '../helpers.js';
import { FIXTURE_RENDERINGS } from './renderings.js';

test('every fixture is sniffed as its own format', () => {
  for (const { format, files } of FIXTURE_RENDERINGS) {
    if (format === 'csv') continue; // generic csv is never guessed
    const head = readFileSync(join(FIXTURES, files[0]!)).subarray(0, 65536);
    assert.equal(sniffReader(head, files[0]!).name, format, files[0]);
  }
});

/** [format, input, message] — every bad record names format, file, line (or byte) and field. */
const BAD: [string, string | Uint8Array, RegExp][] = [
  [
    'spc',
    '0,20941264,8192,W,0.551706\n0,2094x264,8192,W,0.6\n',
    /^spc: test-input:2: LBA is not a whole number: "2094x264"$/,
  ],
  ['spc', '0,20941264,8192,Q,0.551706\n', /^spc: test-input:1: Opcode is neither r nor w: "Q"$/],
  ['spc', '0,20941264,-8192,W,0.551706\n', /^spc: test-input:1: Size is negative: "-8192"$/],
  ['alibaba', '0,W,126703644672,4096,1577808000000008\n1,W,1,2\n', /^alibaba: test-input:2: missing field timestamp$/],
  ['alibaba', '0,X,1,4096,1577808000000008\n', /^alibaba: test-input:1: opcode is neither R nor W: "X"$/],
  ['alibaba', '0,W,1,4096,1577808000000008,7\n', /^alibaba: test-input:1: too many fields \(expected 5\)$/],
  ['tencent', '1538323200,3093012,8,2,1283\n', /^tencent: test-input:1: IOType is neither 0 nor 1: "2"$/],
  ['tencent', '1538323200,3093012,8,1\n', /^tencent: test-input:1: missing field VolumeID$/],
  ['fiu', '89966527597236 4008 nfsd 1031386032 8 X 6 0 bd5\n', /^fiu: test-input:1: op is neither R nor W: "X"$/],
  ['fiu', '89966527597236 4008 nfsd 1031386032 8 W 6\n', /^fiu: test-input:1: missing field minor$/],
  [
    'blkparse',
    '  8,0    3        1     0.000000000  4162  Q  WS 3417048 + x [kjournald]\n',
    /^blkparse: test-input:1: sectors is not a whole number: "x"$/,
  ],
  ['blkparse', 'garbage line here\n', /^blkparse: test-input:1: device is not major,minor: "garbage"$/],
  [
    'tracefs',
    'dd-1 [000] ..... 5.000000: block_bio_queue: 8,0 W 12x + 8 [dd]\n',
    /^tracefs: test-input:1: sector is not a whole number: "12x"$/,
  ],
  [
    'tracefs',
    'dd-1 [000] ..... 5.0a0000: block_bio_queue: 8,0 W 12 + 8 [dd]\n',
    /^tracefs: test-input:1: time is not a number: "5.0a0000"$/,
  ],
  ['vscsi-csv', 'version,time,op,size,lbn\n3,1,2a,512,1\n', /^vscsi-csv: test-input:2: version is not 1 or 2: "3"$/],
  ['vscsi-csv', 'version,time,op,size,lbn\n1,1,zz,512,1\n', /^vscsi-csv: test-input:2: op is not hexadecimal: "zz"$/],
  [
    'vscsi',
    readFileSync(join(FIXTURES, 'vscsi-v1/hostA_0.vscsi')).subarray(0, 70),
    /^vscsi: test-input: byte 64: truncated last record \(6 bytes left over\)$/,
  ],
  [
    'blktrace',
    readFileSync(join(FIXTURES, 'tiny.blktrace.0')).subarray(0, 99),
    /^blktrace: test-input: byte 52: truncated last record \(47 bytes left over\)$/,
  ],
  [
    'blktrace',
    Uint8Array.from([
      ...readFileSync(join(FIXTURES, 'tiny.blktrace.0')).subarray(0, 52),
      ...new Uint8Array(48).fill(7),
    ]),
    /^blktrace: test-input: byte 52: bad magic 0x07070707 \(not a blk_io_trace record\)$/,
  ],
];

test('bad records give InputErrors naming file, line or byte, and field', () => {
  for (const [format, input, message] of BAD) {
    const bytes = typeof input === 'string' ? text(input) : input;
    assert.throws(
      () => decodeAll(readers[format]!, bytes),
      (err: unknown) => err instanceof InputError && message.test(err.message),
      `${format}: ${message}`,
    );
  }
});

test('--skip-bad skips a bad line and keeps going in text formats', () => {
  const { records, stats } = decodeAll(readers.spc!, text('0,1,512,w,0.5\n0,x,512,w,0.6\n1,2,512,r,0.7\n'), {
    skipBad: true,
  });
  assert.deepEqual(
    records.map((r) => r.volume),
    ['0', '1'],
  );
  assert.equal(stats.skipped, 1);
});

test('blkparse: only Q events count; discards, flushes and the summary are skipped', () => {
  const { records } = decodeAll(readers.blkparse!, readFileSync(join(FIXTURES, 'tiny.blkparse.txt')));
  assert.equal(records.length, 10);
});

test('blktrace: both endiannesses decode to the same records', () => {
  const le = decodeAll(readers.blktrace!, readFileSync(join(FIXTURES, 'tiny.blktrace.0')));
  const be = decodeAll(readers.blktrace!, readFileSync(join(FIXTURES, 'tiny-be.blktrace.0')), {}, 7);
  assert.equal(le.records.length, 10);
  assert.deepEqual(be.records, le.records);
  assert.deepEqual(le.records[2], {
    volume: '8:0',
    timeUs: 2_000_000,
    offsetBytes: 196096,
    lengthBytes: 1024,
    isWrite: true,
  });
});

test('vscsi: v1 and v2 records decode the same; non-data SCSI commands are skipped', () => {
  const v1 = decodeAll(readers.vscsi!, readFileSync(join(FIXTURES, 'vscsi-v1/hostA_0.vscsi')), {}, 5);
  const v2 = decodeAll(readers.vscsi!, readFileSync(join(FIXTURES, 'vscsi-v2/hostA_0.vscsi')), {}, 13);
  assert.equal(v1.records.length, 7);
  assert.equal(v1.stats.records, 8); // the trailing SYNCHRONIZE CACHE is read and skipped
  assert.deepEqual(v2.records, v1.records);
  assert.deepEqual(v1.records[5], {
    volume: 'vol',
    timeUs: 60_000_000,
    offsetBytes: 0,
    lengthBytes: 512,
    isWrite: true,
  });
});
