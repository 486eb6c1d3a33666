import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { readers, sniffReader } from '../../src/readers/index.js';
import { TIME_UNITS, parseCsvMapping, type CsvMappingInput } from '../../src/readers/csv-mapping.js';
import { IoBatch } from '../../src/readers/batch.js';
import { VolumeSpanCache, VolumeTable } from '../../src/readers/volumes.js';
import { latin1 } from '../../src/readers/fields.js';
import { simdLines, simdModule } from '../../src/readers/simd.js';
import { FILETIME_DIGITS, simdCsvLines } from '../../src/readers/simd-csv.js';
import { InputError, UsageError } from '../../src/errors.js';
import { Warnings } from '../../src/warnings.js';
import type { Reader } from '../../src/readers/reader.js';
import { FIXTURES, SHARED_TRACES } from '../helpers.js';
import { FIXTURE_RENDERINGS } from './renderings.js';

/**
 * The WebAssembly kernels (src/readers/simd.ts) against the JS path alone: the same batches
 * (every flush, every column, volume ids and names), the same counts and the same errors, on every
 * fixture, every real sample in ../shared/traces and random or mutated input cut into random chunks.
 */
interface Outcome {
  flushes: { volume: number[]; timeUs: number[]; offsetBytes: number[]; lengthBytes: number[]; isWrite: number[] }[];
  volumes: string[];
  stats: unknown;
  error: string | null;
}

interface Run {
  reader: Reader;
  bytes: Uint8Array;
  cuts?: number[]; // chunk boundaries (sorted positions)
  capacity?: number;
  skipBad?: boolean;
  csv?: CsvMappingInput;
  startUs?: number;
}

function decode(run: Run, simd: boolean): Outcome {
  const flushes: Outcome['flushes'] = [];
  const volumes = new VolumeTable();
  const batch = new IoBatch(
    (b) => {
      flushes.push({
        volume: [...b.volume.subarray(0, b.length)],
        timeUs: [...b.timeUs.subarray(0, b.length)],
        offsetBytes: [...b.offsetBytes.subarray(0, b.length)],
        lengthBytes: [...b.lengthBytes.subarray(0, b.length)],
        isWrite: [...b.isWrite.subarray(0, b.length)],
      });
    },
    run.capacity ?? 16_384,
    65_536,
  );
  let error: string | null = null;
  let stats: unknown = null;
  try {
    const decoder = run.reader.open({
      source: 'input.csv',
      batch,
      volumes,
      warnings: new Warnings(),
      startUs: run.startUs ?? 0,
      skipBad: run.skipBad ?? false,
      volumeName: 'vol',
      simd,
      ...(run.csv ? { csv: parseCsvMapping(run.csv) } : {}),
    });
    let at = 0;
    for (const cut of [...(run.cuts ?? []), run.bytes.length]) {
      if (cut > at) decoder.push(run.bytes.subarray(at, cut));
      at = Math.max(at, cut);
    }
    decoder.end();
    batch.flush();
    stats = decoder.stats;
  } catch (err) {
    if (!(err instanceof InputError || err instanceof UsageError)) throw err;
    error = `${err.constructor.name}: ${err.message} (line ${(err as InputError).line})`;
    batch.flush();
  }
  return { flushes, volumes: volumes.names, stats, error };
}

function assertSame(run: Run, label: string): Outcome {
  const wasm = decode(run, true);
  assert.deepEqual(wasm, decode(run, false), label);
  return wasm;
}

test('simd: the kernels are built and load (npm run build / npm test build them)', () => {
  assert.notEqual(simdModule(), null, 'dist/src/readers/simd.wasm is missing: run `npm run build`');
});

test('simd: the msr kernel takes well-formed lines with exact values and stops at the first unusual one', () => {
  const batch = new IoBatch(() => assert.fail('no flush expected'), 16, 65_536);
  const volumes = new VolumeTable();
  const bulk = simdLines('msr', batch, new VolumeSpanCache(volumes, (b, s, e) => latin1(b, s, e).replace(',', '_')));
  assert.ok(bulk);
  const lines =
    '128166385295514663,hm,0,Write,9056014336,2048,2833\n' +
    '128166385295514878,hm,1,Read,0,512,7\r\n' +
    '128166385295515175,hm,0,write,5548077056,4096,2320\n';
  const chunk = new TextEncoder().encode(lines);
  bulk.load(chunk);
  const stopped = bulk.run(0, chunk.length);
  assert.equal(stopped, lines.indexOf('128166385295515175'));
  assert.equal(bulk.lines, 2);
  assert.equal(batch.length, 2);
  assert.deepEqual(volumes.names, ['hm_0', 'hm_1']);
  assert.deepEqual([...batch.volume.subarray(0, 2)], [0, 1]);
  // (12816638529 s - 11644473600 s) * 1e6 + 5514663 ticks / 10, and 5514878 ticks / 10.
  assert.deepEqual([...batch.timeUs.subarray(0, 2)], [1_172_164_929_551_466, 1_172_164_929_551_487]);
  assert.deepEqual([...batch.offsetBytes.subarray(0, 2)], [9_056_014_336, 0]);
  assert.deepEqual([...batch.lengthBytes.subarray(0, 2)], [2048, 512]);
  assert.deepEqual([...batch.isWrite.subarray(0, 2)], [1, 0]);
  // An incomplete last line is left for the next chunk.
  assert.equal(bulk.run(stopped + lines.length - stopped - 1, chunk.length), chunk.length - 1);
  assert.equal(bulk.lines, 0);
});

const CSV_ARGS: Record<string, CsvMappingInput> = {
  'tiny.csv': { columns: 'time=time:s,volume=volume,op=op,offset=lba:sector,length=size:B' },
  'systor17_vdi_sample.csv': { columns: 'time=Timestamp:epoch-s,volume=LUN,op=IOType,offset=Offset:B,length=Size:B' },
  'systor17_vdi_additional_sample.csv': {
    columns: 'time=Timestamp:epoch-s,volume=LUN,op=IOType,offset=Offset:B,length=Size:B',
  },
  'cloudPhysicsIO.csv': {
    columns: 'time=time:us,op=op,offset=lbn:sector,length=size:B',
    writeOps: '2a',
    readOps: '28',
  },
  'mqsim_tpcc_small.trace': {
    columns: 'time=1:ns,volume=2,offset=3:sector,length=4:sector,op=5',
    delimiter: ' ',
    writeOps: '0',
    readOps: '1',
  },
  'mqsim_wsrch_small.trace': {
    columns: 'time=1:ns,volume=2,offset=3:sector,length=4:sector,op=5',
    delimiter: ' ',
    writeOps: '0',
    readOps: '1',
  },
};
const START_US = Date.UTC(2026, 0, 5) * 1000;

/** Both paths over a whole file: in one chunk, in 4 KiB chunks, with and without --skip-bad. */
function checkFile(path: string, name: string, format: string | null): void {
  const bytes = new Uint8Array(readFileSync(path));
  const csv = CSV_ARGS[name];
  const reader = format !== null ? readers[format]! : csv ? readers.csv! : sniffReader(bytes.subarray(0, 65_536), name);
  for (const skipBad of [false, true]) {
    const cuts = Array.from({ length: Math.floor(bytes.length / 4096) }, (_, i) => (i + 1) * 4096);
    for (const chunked of [[], cuts]) {
      const run: Run = { reader, bytes, cuts: chunked, skipBad, startUs: START_US, ...(csv ? { csv } : {}) };
      const out = assertSame(run, `${name} (${reader.name}), skipBad ${skipBad}, ${chunked.length} cuts`);
      assert.ok(out.error !== null || out.flushes.length > 0, `${name}: no records decoded`);
    }
  }
}

for (const { format, files } of FIXTURE_RENDERINGS) {
  for (const file of files) {
    test(`simd: fixture ${file} (${format}) decodes alike on both paths`, () => {
      checkFile(join(FIXTURES, file), file.split('/').pop()!, format);
    });
  }
}

test('simd: every fixture file decodes alike on both paths', () => {
  const files = readdirSync(FIXTURES).filter((f) => statSync(join(FIXTURES, f)).isFile() && !f.endsWith('.json'));
  for (const file of files.filter((f) => !f.endsWith('.zst'))) checkFile(join(FIXTURES, file), file, null);
});

for (const dir of [SHARED_TRACES, join(SHARED_TRACES, 'real')]) {
  const isSample = (f: string): boolean => !f.endsWith('.md') && statSync(join(dir, f)).isFile();
  const files = existsSync(dir) ? readdirSync(dir).filter(isSample) : [];
  const skip = files.length === 0 ? `${dir} is absent` : false;
  test(`simd: every real sample in ${dir} decodes alike on both paths`, { skip }, () => {
    for (const file of files) checkFile(join(dir, file), file, null);
  });
}

const digitsOf = (min: number, max: number): fc.Arbitrary<string> =>
  fc
    .integer({ min, max })
    .chain((n) => fc.array(fc.constantFrom(...'0123456789'), { minLength: n, maxLength: n }).map((d) => d.join('')));

const msrLine = fc
  .record({
    // 128166385295514663 is 2007; 1990 .. 2100 span about 119e15 .. 154e15 ticks.
    time: fc.oneof(
      fc.bigInt({ min: 118_000_000_000_000_000n, max: 155_000_000_000_000_000n }).map(String),
      digitsOf(0, 20),
    ),
    host: fc.oneof(fc.constantFrom('hm', 'src1', 'web', 'a"b', ' x', 'prxy'), fc.string({ maxLength: 70 })),
    disk: fc.oneof(fc.constantFrom('0', '1', '12'), digitsOf(0, 3)),
    type: fc.constantFrom('Write', 'Read', 'write', 'READ', 'Wr', ''),
    offset: fc.oneof(fc.integer({ min: 0, max: 2 ** 40 }).map(String), digitsOf(0, 17)),
    size: fc.oneof(fc.constantFrom('512', '4096', '65536'), digitsOf(0, 17)),
    response: fc.oneof(fc.constantFrom('0', '2833'), digitsOf(0, 21)),
    eol: fc.constantFrom('\n', '\n', '\n', '\r\n', '\r\r\n', ',\n'),
  })
  .map((l) => `${l.time},${l.host},${l.disk},${l.type},${l.offset},${l.size},${l.response}${l.eol}`);

const WELL_FORMED = fc
  .record({
    seconds: fc.integer({ min: 12_000_000_000, max: 15_000_000_000 }),
    ticks: fc.integer({ min: 0, max: 9_999_999 }),
    host: fc.constantFrom('hm', 'src1', 'web', 'prxy'),
    disk: fc.integer({ min: 0, max: 3 }),
    write: fc.boolean(),
    offset: fc.integer({ min: 0, max: 2 ** 44 }),
    size: fc.integer({ min: 1, max: 1 << 20 }),
  })
  .map(
    (l) =>
      `${l.seconds}${String(l.ticks).padStart(7, '0')},${l.host},${l.disk},${l.write ? 'Write' : 'Read'},` +
      `${l.offset},${l.size},100\n`,
  );

const MUTANTS = [',', '\n', '\r', '"', '#', ' ', '0', '9', 'a', '\x00', '\xff', '\uFEFF'];

const alibabaLine = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .record({
        device: fc.integer({ min: 0, max: 40 }),
        write: fc.boolean(),
        offset: fc.integer({ min: 0, max: 2 ** 44 }),
        length: fc.integer({ min: 1, max: 1 << 20 }),
        timeUs: fc.integer({ min: 1_500_000_000_000_000, max: 1_700_000_000_000_000 }),
      })
      .map((l) => `${l.device},${l.write ? 'W' : 'R'},${l.offset},${l.length},${l.timeUs}\n`),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({
        device: digitsOf(0, 22),
        op: fc.constantFrom('W', 'R', 'w', 'r', 'X', 'WR', ''),
        offset: digitsOf(0, 17),
        length: digitsOf(0, 17),
        time: fc.oneof(digitsOf(0, 19), fc.integer({ min: 0, max: 5e15 }).map(String)),
        eol: fc.constantFrom('\n', '\r\n', ',\n', ' \n'),
      })
      .map((l) => `${l.device},${l.op},${l.offset},${l.length},${l.time}${l.eol}`),
  },
);

const tencentLine = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .record({
        timeS: fc.integer({ min: 1_500_000_000, max: 1_600_000_000 }),
        offset: fc.integer({ min: 0, max: 2 ** 36 }),
        size: fc.integer({ min: 1, max: 2048 }),
        write: fc.boolean(),
        volume: fc.integer({ min: 1000, max: 1040 }),
      })
      .map((l) => `${l.timeS},${l.offset},${l.size},${l.write ? 1 : 0},${l.volume}\n`),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({
        time: fc.oneof(digitsOf(0, 17), fc.integer({ min: 0, max: 5e9 }).map(String)),
        offset: digitsOf(0, 17),
        size: digitsOf(0, 17),
        type: fc.constantFrom('0', '1', '2', '00', ' 1', ''),
        volume: digitsOf(0, 17),
        eol: fc.constantFrom('\n', '\r\n', ',\n', ' \n'),
      })
      .map((l) => `${l.time},${l.offset},${l.size},${l.type},${l.volume}${l.eol}`),
  },
);

const fraction = (digits: string): string => (digits === '' ? '' : `.${digits}`);

const spcLine = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .record({
        asu: fc.integer({ min: 0, max: 30 }),
        lba: fc.integer({ min: 0, max: 2 ** 36 }),
        size: fc.integer({ min: 1, max: 1 << 20 }),
        op: fc.constantFrom('w', 'r', 'W', 'R'),
        seconds: fc.integer({ min: 0, max: 100_000 }),
        fraction: digitsOf(0, 8),
        extra: fc.constantFrom('', ',1', ',x,y'),
      })
      .map((l) => `${l.asu},${l.lba},${l.size},${l.op},${l.seconds}${fraction(l.fraction)}${l.extra}\n`),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({
        asu: digitsOf(0, 17),
        lba: digitsOf(0, 17),
        size: digitsOf(0, 17),
        op: fc.constantFrom('w', 'r', 'x', 'ww', ''),
        time: fc.constantFrom(
          '',
          '.',
          '1.',
          '.5',
          '1.2.3',
          '-1',
          '1e3',
          '999999999.999999',
          '9999999999',
          '12345678901234567',
        ),
        eol: fc.constantFrom('\n', '\r\n', ',\n', ' \n', ',,,,,,,,\n'),
      })
      .map((l) => `${l.asu},${l.lba},${l.size},${l.op},${l.time}${l.eol}`),
  },
);

const FORMATS = [
  {
    format: 'msr',
    lines: fc.oneof({ weight: 4, arbitrary: WELL_FORMED }, { weight: 1, arbitrary: msrLine }),
    header: 'Timestamp,Hostname\n',
  },
  { format: 'alibaba', lines: alibabaLine, header: 'device_id,opcode\n' },
  { format: 'tencent', lines: tencentLine, header: 'Timestamp,Offset,Size,IOType,VolumeID\n' },
  { format: 'spc', lines: spcLine, header: 'ASU,LBA\n' },
];

for (const { format, lines, header } of FORMATS) {
  /** A trace: well-formed lines and odd ones, then byte mutations, an optional BOM, random chunk cuts. */
  const trace = fc.record({
    lines: fc.array(
      fc.oneof({ weight: 5, arbitrary: lines }, { weight: 1, arbitrary: fc.constantFrom('\n', '# comment\n', header) }),
      { maxLength: 60 },
    ),
    mutations: fc.array(
      fc.record({ at: fc.nat(), byte: fc.constantFrom(...MUTANTS), kind: fc.constantFrom('set', 'insert', 'delete') }),
      { maxLength: 3 },
    ),
    bom: fc.boolean(),
    header: fc.boolean(),
    cuts: fc.array(fc.nat(), { maxLength: 6 }),
    capacity: fc.constantFrom(1, 3, 64, 16_384),
    skipBad: fc.boolean(),
    lastNewline: fc.boolean(),
    startUs: fc.constantFrom(0, START_US, -5_000_000, 4_102_444_700_000_000),
  });
  test(`simd: random and mutated ${format} input decodes alike on both paths (fast-check)`, () => {
    fc.assert(
      fc.property(trace, (t) => {
        let text = (t.bom ? '\uFEFF' : '') + (t.header ? header : '') + t.lines.join('');
        if (!t.lastNewline) text = text.replace(/\n$/, '');
        for (const m of t.mutations) {
          if (text.length === 0) break;
          const at = m.at % text.length;
          text =
            m.kind === 'delete'
              ? text.slice(0, at) + text.slice(at + 1)
              : text.slice(0, at) + m.byte + text.slice(m.kind === 'set' ? at + 1 : at);
        }
        const bytes = new TextEncoder().encode(text);
        const cuts = t.cuts.map((c) => c % (bytes.length + 1)).sort((a, b) => a - b);
        const run = {
          reader: readers[format]!,
          bytes,
          cuts,
          capacity: t.capacity,
          skipBad: t.skipBad,
          startUs: t.startUs,
        };
        assertSame(run, JSON.stringify(text));
      }),
      { numRuns: 2000 },
    );
  });
}

test('simd: the alibaba, tencent and spc kernels take well-formed lines with exact values', () => {
  const cases = [
    {
      format: 'alibaba' as const,
      text: '7,W,1024,4096,1577808000123456\n12,R,0,512,1577808000123457\r\n7,w,0,512,1577808000000000\n',
      stop: 2,
      names: ['7', '12'],
      timeUs: [1_577_808_000_123_456, 1_577_808_000_123_457],
      offset: [1024, 0],
      length: [4096, 512],
      write: [1, 0],
    },
    {
      format: 'tencent' as const,
      text: '1538323200,4247200,128,1,1058\n1538323199,1,16,0,1063\r\n1538323199,1, 16,0,1063\n',
      stop: 2,
      names: ['1058', '1063'],
      timeUs: [1_538_323_200_000_000, 1_538_323_199_000_000],
      offset: [4_247_200 * 512, 512],
      length: [128 * 512, 16 * 512],
      write: [1, 0],
    },
    {
      format: 'spc' as const,
      text: '0,303567,3584,w,0.5,7\n1,8,512,R,12\r\n1,8,512,r,12.1234567\n',
      stop: 2,
      names: ['0', '1'],
      timeUs: [START_US + 500_000, START_US + 12_000_000],
      offset: [303_567 * 512, 8 * 512],
      length: [3584, 512],
      write: [1, 0],
    },
  ];
  for (const c of cases) {
    const batch = new IoBatch(() => assert.fail('no flush expected'), 16, 65_536);
    const volumes = new VolumeTable();
    const bulk = simdLines(c.format, batch, new VolumeSpanCache(volumes, latin1), c.format === 'spc' ? START_US : 0);
    assert.ok(bulk);
    const chunk = new TextEncoder().encode(c.text);
    bulk.load(chunk);
    const lineStarts = [0, ...[...c.text].flatMap((ch, i) => (ch === '\n' ? [i + 1] : []))];
    assert.equal(bulk.run(0, chunk.length), lineStarts[c.stop], c.format);
    assert.equal(bulk.lines, c.stop);
    assert.deepEqual(volumes.names, c.names);
    assert.deepEqual([...batch.timeUs.subarray(0, 2)], c.timeUs);
    assert.deepEqual([...batch.offsetBytes.subarray(0, 2)], c.offset);
    assert.deepEqual([...batch.lengthBytes.subarray(0, 2)], c.length);
    assert.deepEqual([...batch.isWrite.subarray(0, 2)], c.write);
  }
});

test("simd: 6,001 msr volumes (past the kernel's table of 2,048) decode alike on both paths", () => {
  const lines: string[] = [];
  for (let i = 0; i < 6000; i++) lines.push(`128166385295514663,h${i % 3000},${i % 7},Write,${i * 512},512,1\n`);
  lines.push(`128166385295514663,${'x'.repeat(80)},0,Write,0,512,1\n`);
  const out = assertSame(
    { reader: readers.msr!, bytes: new TextEncoder().encode(lines.join('')), capacity: 1000 },
    'volumes',
  );
  assert.equal(out.volumes.length, 6001); // 3,000 hosts x 7 disks cycle every 21,000 lines
});

test('simd: non-ASCII msr names (UTF-8, invalid bytes, bidi controls) decode alike on both paths, as UTF-8', () => {
  const bytes = Buffer.concat([
    Buffer.from('128166385295514663,café,0,Write,0,512,1\n128166385295514664,a\u202eevil,1,Write,512,512,1\n', 'utf8'),
    Buffer.from('128166385295514665,日本,0,Read,0,512,1\n128166385295514666,café,0,Write,1024,512,1\n', 'utf8'),
    Buffer.from([...Buffer.from('128166385295514667,x'), 0xc3, ...Buffer.from('y,0,Write,0,512,1\n')]),
  ]);
  for (const cuts of [[], [21], [20, 42, 100]]) {
    const out = assertSame({ reader: readers.msr!, bytes, cuts }, `cuts ${cuts.join(',')}`);
    assert.deepEqual(out.volumes, ['café_0', 'a\u202eevil_1', '日本_0', 'x\ufffdy_0']);
    assert.deepEqual(
      out.flushes.flatMap((f) => f.volume),
      [0, 1, 2, 0, 3],
    );
    assert.equal(out.error, null);
  }
});

test('simd: the csv kernel takes well-formed mapped lines with exact values and stops at the first unusual one', () => {
  const batch = new IoBatch(() => assert.fail('no flush expected'), 16, 65_536);
  const volumes = new VolumeTable();
  volumes.idOf('vol');
  const mapping = {
    delimiter: ',',
    columns: [2, 0, 1, 4, 3], // time, offset, length, op, volume: `offset,length,time,volume,op`
    timeDigits: 3, // ms
    absolute: false,
    offsetUnitBytes: 512,
    lengthUnitBytes: 1,
    fixedVolume: 0,
    writeOps: ['W', 'write'],
    readOps: ['r', 'Write'], // a word in both lists is a write, as on the JS path
  };
  const bulk = simdCsvLines(mapping, batch, new VolumeSpanCache(volumes, latin1), 1_000_000);
  assert.ok(bulk);
  const text = '8,4096,12,sda,WRITE,x,y\n9,512,1500,sdb,R\r\n1,1,7,sda,wRiTe\n5,5,5,sda,flush\n';
  const chunk = new TextEncoder().encode(text);
  bulk.load(chunk);
  assert.equal(bulk.run(0, chunk.length), text.indexOf('5,5,5'));
  assert.equal(bulk.lines, 3);
  assert.deepEqual(volumes.names, ['vol', 'sda', 'sdb']);
  assert.deepEqual([...batch.volume.subarray(0, 3)], [1, 2, 1]);
  // 12 ms, 1500 ms and 7 ms in µs, plus the 1 s start.
  assert.deepEqual([...batch.timeUs.subarray(0, 3)], [1_012_000, 2_500_000, 1_007_000]);
  assert.deepEqual([...batch.offsetBytes.subarray(0, 3)], [8 * 512, 9 * 512, 512]);
  assert.deepEqual([...batch.lengthBytes.subarray(0, 3)], [4096, 512, 1]);
  assert.deepEqual([...batch.isWrite.subarray(0, 3)], [1, 0, 1]);
  // Without op and volume columns: every record a write on the file's volume; ns drop 3 digits.
  const plain = new IoBatch(() => assert.fail('no flush expected'), 16, 65_536);
  const noOps = { ...mapping, columns: [0, 1, 2, -1, -1], timeDigits: -3, absolute: true, fixedVolume: 7 };
  const bulk2 = simdCsvLines(noOps, plain, new VolumeSpanCache(new VolumeTable(), latin1), 0);
  assert.ok(bulk2);
  const text2 = '1767571200123456789,3,4096\n1767571200000000999,0,512\n1767571200000001000,0,1.0\n';
  const chunk2 = new TextEncoder().encode(text2);
  bulk2.load(chunk2);
  assert.equal(bulk2.run(0, chunk2.length), text2.indexOf('1767571200000001000'));
  assert.deepEqual([...plain.timeUs.subarray(0, 2)], [1_767_571_200_123_456, 1_767_571_200_000_000]);
  assert.deepEqual([...plain.offsetBytes.subarray(0, 2)], [3 * 512, 0]);
  assert.deepEqual([...plain.volume.subarray(0, 2)], [7, 7]);
  assert.deepEqual([...plain.isWrite.subarray(0, 2)], [1, 1]);
  // filetime: (12816638529 s - 11644473600 s) * 1e6 + 5514663 ticks / 10, as the msr kernel.
  const filetime = new IoBatch(() => assert.fail('no flush expected'), 16, 65_536);
  const ticks = { ...noOps, timeDigits: FILETIME_DIGITS };
  const bulk3 = simdCsvLines(ticks, filetime, new VolumeSpanCache(new VolumeTable(), latin1), 0);
  assert.ok(bulk3);
  const text3 = '128166385295514663,1,2\n1281663852955,1,2\n';
  const chunk3 = new TextEncoder().encode(text3);
  bulk3.load(chunk3);
  assert.equal(bulk3.run(0, chunk3.length), text3.indexOf('1281663852955,')); // 1970: implausible
  assert.deepEqual([...filetime.timeUs.subarray(0, 1)], [1_172_164_929_551_466]);
  // Outside the kernel's shape: another delimiter, a column past the 8th.
  const table = new VolumeSpanCache(new VolumeTable(), latin1);
  assert.equal(simdCsvLines({ ...mapping, delimiter: ';' }, batch, table, 0), undefined);
  assert.equal(simdCsvLines({ ...mapping, columns: [0, 1, 8, -1, -1] }, batch, table, 0), undefined);
});

const OP_WORDS = ['w', 'W', 'write', 'r', 'READ', 'rd', '1', '0', '2a', '@', '`', 'x', 'é', 'longerthan8', 'ws', 'Ww'];
const UNIT_BYTES = ['B', 'sector', '4k', '512', '3', '1KiB'];

/** A random csv mapping: columns in any order among 3 to 10, any time unit, op lists, with or without op/volume. */
const csvMapping = fc
  .record({
    columns: fc.integer({ min: 5, max: 10 }),
    order: fc.array(fc.nat(), { minLength: 5, maxLength: 5 }),
    unit: fc.constantFrom(...TIME_UNITS),
    offsetUnit: fc.constantFrom(...UNIT_BYTES),
    lengthUnit: fc.constantFrom(...UNIT_BYTES),
    op: fc.boolean(),
    volume: fc.boolean(),
    writeOps: fc.option(fc.subarray(OP_WORDS, { maxLength: 6 }), { nil: undefined }),
    readOps: fc.option(fc.subarray(OP_WORDS, { maxLength: 6 }), { nil: undefined }),
    named: fc.boolean(),
  })
  .map((m) => {
    // Distinct positions for time, offset, length, op, volume: a shuffle of the columns.
    const positions = Array.from({ length: m.columns }, (_, i) => i);
    m.order.forEach((r, i) => {
      const j = i + (r % (m.columns - i));
      [positions[i], positions[j]] = [positions[j]!, positions[i]!];
    });
    const at = positions.slice(0, 5);
    const ref = (i: number): string => (m.named ? `c${at[i]}` : String(at[i]! + 1));
    const parts = [`time=${ref(0)}:${m.unit}`, `offset=${ref(1)}:${m.offsetUnit}`, `length=${ref(2)}:${m.lengthUnit}`];
    if (m.op) parts.push(`op=${ref(3)}`);
    if (m.volume) parts.push(`volume=${ref(4)}`);
    const input: CsvMappingInput = { columns: parts.join(',') };
    if (m.writeOps) input.writeOps = m.writeOps;
    if (m.readOps) input.readOps = m.readOps;
    return { ...m, at, input };
  });

/** A time in `unit`: plausible ones mostly, then odd text. */
const csvTime = (unit: string): fc.Arbitrary<string> =>
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .record({
          seconds: fc.integer({ min: 0, max: 4_200_000_000 }),
          nanos: fc.integer({ min: 0, max: 999_999_999 }),
        })
        .map(({ seconds, nanos }) => {
          const ns = String(nanos).padStart(9, '0');
          const base = unit.replace('epoch-', '');
          if (base === 's') return String(seconds);
          if (base === 'ms') return `${seconds}${ns.slice(0, 3)}`;
          if (base === 'us') return `${seconds}${ns.slice(0, 6)}`;
          if (base === 'ns') return `${seconds}${ns}`;
          return String(BigInt(seconds + 11_644_473_600) * 10_000_000n + BigInt(nanos % 10_000_000));
        }),
    },
    {
      weight: 1,
      arbitrary: fc.oneof(
        digitsOf(0, 21),
        fc.constantFrom('', '.', '1.5', '-1', '1e3', ' 12', '12 ', '0', '9007199254740992', '9007199254740991'),
      ),
    },
  );

const csvNumber = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 2 ** 40 }).map(String) },
  { weight: 1, arbitrary: fc.oneof(digitsOf(0, 17), fc.constantFrom(' 5', '-1', '1.0', '"7"', '')) },
);

test('simd: random mappings and random, mutated csv input decode alike on both paths (fast-check)', () => {
  const trace = csvMapping.chain((m) =>
    fc.record({
      m: fc.constant(m),
      lines: fc.array(
        fc.oneof(
          {
            weight: 6,
            arbitrary: fc
              .record({
                time: csvTime(m.unit),
                offset: csvNumber,
                length: fc.oneof(fc.integer({ min: 1, max: 1 << 20 }).map(String), csvNumber),
                op: fc.oneof(fc.constantFrom(...OP_WORDS), fc.constantFrom('WRITE', 'Read', 'flush', '"w"', '')),
                volume: fc.oneof(
                  fc.constantFrom('sda', 'sdb', 'café', '"q,x"', 'a"b', ''),
                  fc.string({ maxLength: 70 }),
                ),
                filler: fc.constantFrom('', 'x', '"a,b"', '123', ' '),
                eol: fc.constantFrom('\n', '\n', '\r\n', ',\n', ',e,e,e,e,e\n', '\r\r\n'),
              })
              .map((l) => {
                const fields: string[] = Array.from({ length: m.columns }, () => l.filler);
                [l.time, l.offset, l.length, l.op, l.volume].forEach((v, i) => (fields[m.at[i]!] = v));
                return fields.join(',') + l.eol;
              }),
          },
          { weight: 1, arbitrary: fc.constantFrom('\n', '# comment\n', 'a,b\n') },
        ),
        { maxLength: 50 },
      ),
      mutations: fc.array(
        fc.record({
          at: fc.nat(),
          byte: fc.constantFrom(...MUTANTS),
          kind: fc.constantFrom('set', 'insert', 'delete'),
        }),
        { maxLength: 2 },
      ),
      header: fc.boolean(),
      cuts: fc.array(fc.nat(), { maxLength: 6 }),
      capacity: fc.constantFrom(1, 3, 64, 16_384),
      skipBad: fc.boolean(),
      lastNewline: fc.boolean(),
      startUs: fc.constantFrom(0, START_US, -5_000_000, 4_102_444_700_000_000),
    }),
  );
  fc.assert(
    fc.property(trace, (t) => {
      const header = Array.from({ length: t.m.columns }, (_, i) => `c${i}`).join(',') + '\n';
      let text = (t.header || t.m.named ? header : '') + t.lines.join('');
      if (!t.lastNewline) text = text.replace(/\n$/, '');
      for (const mu of t.mutations) {
        if (text.length === 0) break;
        const at = mu.at % text.length;
        text =
          mu.kind === 'delete'
            ? text.slice(0, at) + text.slice(at + 1)
            : text.slice(0, at) + mu.byte + text.slice(mu.kind === 'set' ? at + 1 : at);
      }
      const bytes = new TextEncoder().encode(text);
      const cuts = t.cuts.map((c) => c % (bytes.length + 1)).sort((a, b) => a - b);
      const run = { reader: readers.csv!, bytes, cuts, capacity: t.capacity, skipBad: t.skipBad, startUs: t.startUs };
      assertSame({ ...run, csv: t.m.input }, `${JSON.stringify(t.m.input)} ${JSON.stringify(text)}`);
    }),
    { numRuns: 3000 },
  );
});
