import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IoBatch } from '../../src/readers/batch.js';
import { runCli, tempDir } from '../helpers.js';

const dir = tempDir();
const PAST_2_32 = 'past the 2^32 tracks of 512 B a volume can have (2199023255552 B)';
const PAST_2_53 = 'end past byte 2^53 - 1 (9007199254740991), beyond exact arithmetic';

test('IoBatch.rangeProblem: a write may end at 2^32 tracks (or 2^53 - 1), not a byte more; reads at 2^53 - 1', () => {
  const batch = new IoBatch(() => {}, 4, 512);
  assert.equal(batch.maxWriteEndBytes, 2 ** 41);
  assert.equal(batch.rangeProblem(2 ** 41 - 512, 512, true), null); // last track: 2^32 - 1
  assert.equal(batch.rangeProblem(2 ** 41 - 512, 513, true), `end at byte 2199023255553, ${PAST_2_32}`);
  assert.equal(batch.rangeProblem(2 ** 41 - 512, 513, false), null);
  assert.equal(batch.rangeProblem(2 ** 53, 1, false), PAST_2_53);
  const big = new IoBatch(() => {}, 4, 4 * 1024 * 1024); // 2^32 tracks of 4 MiB pass 2^53
  assert.equal(big.maxWriteEndBytes, Number.MAX_SAFE_INTEGER);
});

test('collect: a write past the last 32-bit track names file, line and fields; --skip-bad skips it', async () => {
  const file = join(dir, 'huge.csv');
  // 2^48 - 1 bytes at --track 512 ends in track 2^39: no 32-bit index.
  writeFileSync(file, '128166372000000000,hm,0,Write,0,4096,1\n128166372000000000,hm,0,Write,0,281474976710655,1\n');
  const bad = await runCli('collect', file, '--store', join(dir, 'h1.db'), '--track', '512');
  assert.equal(bad.code, 2);
  const problem = `Offset + Size end at byte 281474976710655, ${PAST_2_32}`;
  assert.equal(bad.stderr, `churnlink collect: msr: ${file}:2: ${problem}\n`);
  const skip = await runCli('collect', file, '--store', join(dir, 'h2.db'), '--track', '512', '--skip-bad');
  assert.equal(skip.code, 0, skip.stderr);
  assert.match(skip.stdout, /writes 1 \(4\.00 KiB\)[^]*skipped 1 bad record \(first: msr: .*huge\.csv:2: Offset/);
});

test('collect: every text reader and blktrace reject a range past 2^53 - 1 as a bad record', async () => {
  const cases: [string, string[], string | Uint8Array, string][] = [
    ['fiu.txt', ['--format', 'fiu'], '1 1 p 17592186044416 8 W 8 0\n', `fiu: {file}:1: lba + size ${PAST_2_53}`],
    [
      't.csv',
      ['--columns', 'time=1:s,offset=2:sector,length=3:B'],
      '1,17592186044416,512\n',
      `csv: {file}:1: offset + length ${PAST_2_53}`,
    ],
    [
      'bp.txt',
      ['--format', 'blkparse'],
      '8,0 0 1 0.000000001 1 Q W 17592186044416 + 8 [a]\n',
      `blkparse: {file}:1: sector + sectors ${PAST_2_53}`,
    ],
  ];
  const blk = new Uint8Array(48);
  const view = new DataView(blk.buffer);
  view.setUint32(0, 0x65617407, true);
  view.setBigUint64(16, 2n ** 63n, true); // sector
  view.setUint32(24, 4096, true);
  view.setUint32(28, (2 << 16) | 1, true); // write, queue
  cases.push(['x.blktrace.0', ['--format', 'blktrace'], blk, `blktrace: {file}: byte 0: sector + bytes ${PAST_2_53}`]);
  for (const [name, args, content, message] of cases) {
    const file = join(dir, name);
    writeFileSync(file, content);
    const r = await runCli('collect', file, '--store', join(dir, `${name}.db`), ...args);
    assert.equal(r.code, 2, name);
    assert.equal(r.stderr, `churnlink collect: ${message.replace('{file}', file)}\n`);
    const s = await runCli('collect', file, '--store', join(dir, `${name}-skip.db`), ...args, '--skip-bad');
    assert.equal(s.code, 0, s.stderr);
    assert.ok(s.stdout.endsWith(`  skipped 1 bad record (first: ${message.replace('{file}', file)})\n`), s.stdout);
  }
});
