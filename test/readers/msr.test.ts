import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { msr } from '../../src/readers/msr.js';
import { decodeAll, FIXTURES, text } from '../helpers.js';
import { InputError } from '../../src/errors.js';

test('msr: FILETIME converts exactly to µs since the Unix epoch', () => {
  // 1990-01-01T00:00:00Z = 631,152,000 s after the Unix epoch: the first plausible time.
  const input = '134120448599999999,hostA,0,Write,6553600,512,1234\n122756256000000000,h,3,Read,0,4096,1\n';
  const { records } = decodeAll(msr, text(input));
  assert.deepEqual(records, [
    { volume: 'hostA_0', timeUs: 1767571259_999999, offsetBytes: 6553600, lengthBytes: 512, isWrite: true },
    { volume: 'h_3', timeUs: 631152000_000000, offsetBytes: 0, lengthBytes: 4096, isWrite: false },
  ]);
});

test('msr: chunk boundaries anywhere give the same records', () => {
  const bytes = readFileSync(join(FIXTURES, 'tiny.msr.csv'));
  const whole = decodeAll(msr, bytes);
  assert.equal(whole.records.length, 10);
  assert.equal(whole.stats.records, 10);
  for (const chunk of [1, 2, 7, 45, 46, 47]) assert.deepEqual(decodeAll(msr, bytes, {}, chunk).records, whole.records);
});

test('msr: CRLF line ends and a last line without newline are read', () => {
  const { records } = decodeAll(
    msr,
    text('134120448005000000,a,1,Write,0,4096,1\r\n134120448005000000,a,1,Write,0,4096,1'),
  );
  assert.equal(records.length, 2);
});

test('msr: bad fields are named with file and line; exit code class InputError', () => {
  const cases: [string, RegExp][] = [
    [
      '134120448005000000,a,1,Write,0,4096,1\n134120448005000000,a,1,Write,0,x96,1\n',
      /^msr: test-input:2: Size is not a whole number: "x96"$/,
    ],
    ['134120448005000000,a,1,Write,-5,4096,1\n', /^msr: test-input:1: Offset is negative: "-5"$/],
    ['134120448005000000,a,1,Trim,0,4096,1\n', /^msr: test-input:1: Type is neither Read nor Write: "Trim"$/],
    ['134120448005000000,a,1,Write,0\n', /^msr: test-input:1: missing field Size$/],
    ['134120448005000000,a,1,Write,0,4096,1,9\n', /^msr: test-input:1: too many fields \(expected 7\)$/],
    [
      '134120448005000000,a,1,Write,0,40',
      /^msr: test-input:1: missing field ResponseTime \(last line has no newline: the file looks truncated\)$/,
    ],
  ];
  for (const [input, message] of cases) {
    assert.throws(
      () => decodeAll(msr, text(input)),
      (err: unknown) => err instanceof InputError && message.test(err.message),
    );
  }
});

test('msr: a truncated last line says the file looks truncated', () => {
  assert.throws(
    () => decodeAll(msr, text('134120448005000000,a,1,Write,0,4096,1\n134120448005000000,a,1,Wr')),
    /test-input:2: Type is neither Read nor Write: "Wr" \(last line has no newline: the file looks truncated\)/,
  );
});

test('msr: --skip-bad counts bad lines and keeps the rest', () => {
  const { records, stats } = decodeAll(
    msr,
    text('134120448005000000,a,1,Write,0,4096,1\nnonsense\n134120448005000000,a,1,Read,0,4096,1\n'),
    { skipBad: true },
  );
  assert.equal(records.length, 2);
  assert.equal(stats.skipped, 1);
  assert.match(stats.firstSkipped!, /test-input:2: Timestamp is not a whole number: "nonsense"/);
});

test('msr: sniffs its own lines only', () => {
  assert.equal(msr.sniff(text('128166372003061629,hm,1,Read,3154152448,4096,12637\n')), true);
  assert.equal(msr.sniff(text('version,time,op,size,lbn\n')), false);
});
