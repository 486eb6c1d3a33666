import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csv } from '../../src/readers/csv.js';
import { msr } from '../../src/readers/msr.js';
import { blkparse } from '../../src/readers/blkparse.js';
import { tracefs } from '../../src/readers/tracefs.js';
import { parseCsvMapping } from '../../src/readers/csv-mapping.js';
import { simdModule } from '../../src/readers/simd.js';
import { VolumeTable } from '../../src/readers/volumes.js';
import type { Reader } from '../../src/readers/reader.js';
import { decodeAll, text } from '../helpers.js';

/**
 * A volume name holding U+0000 is a bad record in every format that takes a name from the text
 * (SQLite stored it, PostgreSQL text cannot hold it): refused naming file, line and field, on the
 * WebAssembly kernel path (the kernel meets the name first and hands the line over) and on the JS
 * path alone; skipped like any bad record with skipBad, the name never becoming a volume.
 */
const kernels = simdModule() === null ? 'simd.wasm not built (npx asc --config assembly/asconfig.json)' : false;
const named = parseCsvMapping({ columns: 'time=time:epoch-s,offset=off:B,length=len:B,op=op,volume=vol' });

interface Case {
  reader: Reader;
  input: string;
  error: string;
  good: string[]; // the volumes of the records kept with skipBad
  csv?: boolean;
  kernel?: boolean; // the format has a WebAssembly kernel
}

const CASES: Record<string, Case> = {
  'csv volume column': {
    reader: csv,
    csv: true,
    kernel: true,
    input: 'time,vol,off,len,op\n1767565800,a,0,4096,w\n1767565800,nul\0name,0,4096,w\n1767565801,a,4096,4096,w\n',
    error: 'InputError: csv: test-input:3: vol holds a NUL byte: "nul\\x00name"',
    good: ['a', 'a'],
  },
  'csv quoted volume column': {
    reader: csv,
    csv: true,
    kernel: true,
    input: 'time,vol,off,len,op\n1767565800,a,0,4096,w\n1767565800,"q""\0",0,4096,w\n1767565801,"b",4096,4096,w\n',
    error: 'InputError: csv: test-input:3: vol holds a NUL byte: "q""\\x00"',
    good: ['a', 'b'],
  },
  'msr Hostname': {
    reader: msr,
    kernel: true,
    input:
      '134120448005000000,hostA,0,Write,0,4096,1234\n' +
      '134120448010000000,ho\0st,0,Write,4096,4096,1234\n' +
      '134120448020000000,hostA,0,Write,8192,4096,1234\n',
    error: 'InputError: msr: test-input:2: Hostname holds a NUL byte: "ho\\x00st"',
    good: ['hostA_0', 'hostA_0'],
  },
  'blkparse device': {
    reader: blkparse,
    input: ' 8,0  0  1  0.500000000  4000  Q  WS 0 + 8 [fio]\n 8\x00,0  0  2  0.600000000  4000  Q  WS 8 + 8 [fio]\n',
    error: 'InputError: blkparse: test-input:2: device holds a NUL byte: "8\\x00,0"',
    good: ['8:0'],
  },
  'tracefs device': {
    reader: tracefs,
    input:
      '  fio-4000 [000] .....  0.500000: block_bio_queue: 8,0 WS 0 + 8 [fio]\n' +
      '  fio-4000 [000] .....  0.600000: block_bio_queue: 8,\x000 WS 8 + 8 [fio]\n',
    error: 'InputError: tracefs: test-input:2: device holds a NUL byte: "8,\\x000"',
    good: ['8:0'],
  },
};

for (const [name, c] of Object.entries(CASES)) {
  for (const simd of c.kernel ? [true, false] : [false]) {
    const path = simd ? 'kernel' : 'JS';
    test(`NUL in a volume name: ${name} (${path} path)`, { skip: simd && kernels }, () => {
      const options = { simd, ...(c.csv ? { csv: named } : {}) };
      assert.throws(
        () => decodeAll(c.reader, text(c.input), options),
        (err: Error) => String(err) === c.error,
      );
      const kept = decodeAll(c.reader, text(c.input), { ...options, skipBad: true });
      assert.deepEqual(
        kept.records.map((r) => r.volume),
        c.good,
      );
      assert.equal(kept.stats.skipped, 1);
      assert.equal(kept.stats.firstSkipped, c.error.replace('InputError: ', ''));
    });
  }
}

test('NUL in a volume name: the name never becomes a volume (skipBad)', () => {
  const c = CASES['csv volume column']!;
  for (const simd of kernels ? [false] : [true, false]) {
    const volumes = new VolumeTable();
    decodeAll(c.reader, text(c.input), { simd, csv: named, skipBad: true, volumes });
    // `vol` is the volume of records when no column names one (the csv reader interns it first).
    assert.deepEqual(volumes.names, ['vol', 'a'], `simd ${simd}`);
  }
});
