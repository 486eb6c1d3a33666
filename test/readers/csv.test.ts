import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csv } from '../../src/readers/csv.js';
import { parseCsvMapping } from '../../src/readers/csv-mapping.js';
import { decodeAll, text } from '../helpers.js';

test('csv: mapping string with units, names and positions', () => {
  assert.deepEqual(parseCsvMapping({ columns: 'time=time:s,offset=lbn:sector,length=size:B,op=op', writeOps: '2a' }), {
    delimiter: ',',
    time: { column: 'time', unit: 's' },
    offset: { column: 'lbn', unitBytes: 512 },
    length: { column: 'size', unitBytes: 1 },
    op: { column: 'op', writeOps: ['2a'], readOps: ['r', 'read', 'rd', '0', '28', '88', 'a8', 'rs'] },
  });
  assert.deepEqual(parseCsvMapping({ columns: { time: '1:us', offset: '2:4KiB', length: '3' } }).offset, {
    column: 2,
    unitBytes: 4096,
  });
  assert.throws(() => parseCsvMapping({}), /no column mapping/);
  assert.throws(() => parseCsvMapping({ columns: 'time=a:s,offset=b' }), /lacks length/);
  assert.throws(
    () => parseCsvMapping({ columns: 'time=a:fortnights,offset=b,length=c' }),
    /csv time unit must be one of/,
  );
  assert.throws(
    () => parseCsvMapping({ columns: 'time=a,offset=b,length=c,colour=d' }),
    /csv column key must be one of/,
  );
});

test('csv: header names resolve columns; seconds with fractions are exact µs', () => {
  const mapping = parseCsvMapping({ columns: 'time=time:s,offset=lbn:sector,length=size:B,op=op' });
  const input = 'version,time,op,size,lbn\n1,5633898.0000015,2a,512,42932745\n1,5633899,28,4096,8\n1,5633900,35,0,0\n';
  const { records, stats } = decodeAll(csv, text(input), { csv: mapping, volumeName: 'cp' });
  assert.deepEqual(records, [
    { volume: 'cp', timeUs: 5633898_000001, offsetBytes: 42932745 * 512, lengthBytes: 512, isWrite: true },
    { volume: 'cp', timeUs: 5633899_000000, offsetBytes: 4096, lengthBytes: 4096, isWrite: false },
  ]);
  assert.equal(stats.records, 3); // the 0x35 SYNCHRONIZE CACHE is read but neither writes nor reads
});

test('csv: positions without header, volume column, other delimiter, --start offset', () => {
  const mapping = parseCsvMapping({ columns: 'time=1:ms,volume=2,offset=3:B,length=4:B', delimiter: ';' });
  const { records } = decodeAll(csv, text('1500;sdb;65536;4096\n2000;sdc;0;512\n'), {
    csv: mapping,
    startUs: 1_000_000,
  });
  assert.deepEqual(records, [
    { volume: 'sdb', timeUs: 2_500_000, offsetBytes: 65536, lengthBytes: 4096, isWrite: true },
    { volume: 'sdc', timeUs: 3_000_000, offsetBytes: 0, lengthBytes: 512, isWrite: true },
  ]);
});

test('csv: errors name file, line and field; unknown header column is a usage error', () => {
  const mapping = parseCsvMapping({ columns: 'time=time:s,offset=lbn:sector,length=size:B' });
  assert.throws(
    () => decodeAll(csv, text('time,lbn,size\n1,2,3\n1,2\n'), { csv: mapping }),
    /^InputError: csv: test-input:3: missing field size$/,
  );
  assert.throws(
    () => decodeAll(csv, text('time,lbn,size\n1,2,abc\n'), { csv: mapping }),
    /csv: test-input:2: size is not a whole number: "abc"/,
  );
  assert.throws(
    () => decodeAll(csv, text('t,lbn,size\n1,2,3\n'), { csv: mapping }),
    /column "time" not found in header \(t, lbn, size\)/,
  );
  // An empty volume name (plain or quoted) is refused: it once became a volume named "".
  const named = parseCsvMapping({ columns: 'time=time:s,offset=lbn:sector,length=size:B,volume=vol' });
  for (const empty of ['', '""']) {
    for (const simd of [true, false]) {
      assert.throws(
        () => decodeAll(csv, text(`time,lbn,size,vol\n1,2,3,a\n1,2,3,${empty}\n`), { csv: named, simd }),
        /^InputError: csv: test-input:3: vol is empty$/,
        `${JSON.stringify(empty)} simd ${simd}`,
      );
    }
  }
});
