import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../src/errors.js';
import { csv } from '../../src/readers/csv.js';
import { parseCsvMapping } from '../../src/readers/csv-mapping.js';
import { readers, sniffReader } from '../../src/readers/index.js';
import { decodeAll, FIXTURES, runCli, sharedMissing, SHARED_TRACES, tempDir, text } from '../helpers.js';
import { FIXTURE_RENDERINGS } from './renderings.js';

const BOM = Uint8Array.from([0xef, 0xbb, 0xbf]);
const withBom = (bytes: Uint8Array): Uint8Array => Uint8Array.from([...BOM, ...bytes]);

test('blkparse output starting with # header lines is detected and read', () => {
  const lines =
    '#Maj,Mn CPU   SeqNo     Seconds     PID  Evt Typ Sector   +Len Description\n' +
    '#------ --- ------- --------------- -----|--|---|---------+--- ----------\n' +
    '259,0    3        3     0.000000299  1867  Q   W 763360912 + 8 [dmcrypt_write/2]\n';
  assert.equal(sniffReader(text(lines), 'x').name, 'blkparse');
  assert.deepEqual(decodeAll(readers.blkparse!, text(lines)).records, [
    { volume: '259:0', timeUs: 0, offsetBytes: 763360912 * 512, lengthBytes: 4096, isWrite: true },
  ]);
});

const REAL_BLKPARSE = 'real/blkparse_nvme0n1.txt';
test('blkparse: the real sample with # header lines is detected', { skip: sharedMissing(REAL_BLKPARSE) }, () => {
  const head = readFileSync(join(SHARED_TRACES, 'real', 'blkparse_nvme0n1.txt')).subarray(0, 65536);
  assert.equal(sniffReader(head, 'blkparse_nvme0n1.txt').name, 'blkparse');
});

test('tencent: a first line naming the fields is detected and skipped', () => {
  const input = text('Timestamp,Offset,Size,IOType,VolumeID\r\n1538323200,3093012,8,1,1283\r\n');
  assert.equal(sniffReader(input, 'x').name, 'tencent');
  assert.deepEqual(decodeAll(readers.tencent!, input).records, [
    { volume: '1283', timeUs: 1538323200e6, offsetBytes: 3093012 * 512, lengthBytes: 4096, isWrite: true },
  ]);
  // Only the first line may be that header.
  const late = text('1538323200,3093012,8,1,1283\nTimestamp,Offset,Size,IOType,VolumeID\n');
  assert.throws(
    () => decodeAll(readers.tencent!, late),
    (err: unknown) =>
      err instanceof InputError &&
      err.message === 'tencent: test-input:2: Timestamp is not a whole number: "Timestamp"',
  );
});

test('a UTF-8 byte order mark is skipped by every text format, wherever the chunks are cut', () => {
  for (const { format, files, args } of FIXTURE_RENDERINGS) {
    const bytes = readFileSync(join(FIXTURES, files[0]!));
    if (format === 'vscsi' || format === 'blktrace') continue; // binary
    const options = format === 'csv' ? { csv: parseCsvMapping({ columns: args[1]! }) } : {};
    if (format !== 'csv') assert.equal(sniffReader(withBom(bytes).subarray(0, 65536), files[0]!).name, format);
    const plain = decodeAll(readers[format]!, bytes, options);
    assert.ok(plain.records.length > 0);
    for (const chunk of [1, 2, 3, 5, 1 << 20]) {
      const marked = decodeAll(readers[format]!, withBom(bytes), options, chunk);
      assert.deepEqual(marked.records, plain.records, `${format}, chunks of ${chunk}`);
      assert.equal(marked.stats.records, plain.stats.records);
    }
  }
  // Bytes that only start like a BOM are data (and here a bad field).
  assert.throws(
    () => decodeAll(readers.spc!, text('\u00ef0,1,512,w,0.5\n'), {}, 1),
    /spc: test-input:1: ASU is not a whole number/,
  );
});

test('generic csv reads RFC 4180 quoted fields: delimiters and doubled quotes inside quotes', () => {
  const mapping = parseCsvMapping({ columns: 'time=time:s,volume=host,op=op,offset=offset:B,length=size:B' });
  const input = text(
    '"time","host",op,offset,size\n1,"host,A",W,0,4096\n' +
      '2,"say ""hi""",W,4096,512\r\n"3",plain,"R","8192","1024"\n',
  );
  const { records } = decodeAll(csv, input, { csv: mapping }, 3);
  assert.deepEqual(records, [
    { volume: 'host,A', timeUs: 1e6, offsetBytes: 0, lengthBytes: 4096, isWrite: true },
    { volume: 'say "hi"', timeUs: 2e6, offsetBytes: 4096, lengthBytes: 512, isWrite: true },
    { volume: 'plain', timeUs: 3e6, offsetBytes: 8192, lengthBytes: 1024, isWrite: false },
  ]);
  const bad = (line: string, message: string): void => {
    assert.throws(
      () => decodeAll(csv, text(`time,host,op,offset,size\n${line}\n`), { csv: mapping }),
      (err: unknown) => err instanceof InputError && err.message === message,
    );
  };
  bad('1,"host,A,W,0,4096', 'csv: test-input:2: host: quoted field has no closing quote on its line: "host,A,W,0,4096');
  bad('1,"host"A,W,0,4096', 'csv: test-input:2: host: text after the closing quote: "host"A');
});

test('collect: a quoted volume name with a comma is one volume, not a silently dropped record', async () => {
  const dir = tempDir();
  const file = join(dir, 'quoted.csv');
  writeFileSync(file, 'time,host,op,offset,size\n1767571200,"host,A",W,0,4096\n1767571201,"host,A",W,65536,4096\n');
  const store = join(dir, 'q.db');
  const columns = 'time=time:s,volume=host,op=op,offset=offset:B,length=size:B';
  const r = await runCli('collect', file, '--store', store, '--columns', columns);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /collected 2 records .*\n {2}writes 2 \(8\.00 KiB\)/);
  const report = await runCli('report', '--store', store, '--per', 'interval', '--format', 'csv');
  assert.equal(report.stdout, 'start_s,volume,writes,write_bytes,changed_tracks\n1767571200,"host,A",2,8192,2\n');
});
