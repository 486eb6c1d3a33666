import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, sharedMissing, SHARED_TRACES, tempDir } from '../helpers.js';

/**
 * Every real sample in ../shared/traces/real/ collected through the CLI with format detection
 * (generic CSV ones with --columns), its whole-file figures per volume checked against an oracle:
 * a small, straightforward parser of each format written here, independent of the readers.
 */

const TRACK_BYTES = 65_536;

interface Figures {
  writes: number;
  writeBytes: number;
  reads: number;
  readBytes: number;
  tracks: Set<number>;
}
type Oracle = Map<string, Figures>;

function add(oracle: Oracle, volume: string, offsetBytes: number, lengthBytes: number, isWrite: boolean): void {
  let f = oracle.get(volume);
  if (f === undefined) {
    f = { writes: 0, writeBytes: 0, reads: 0, readBytes: 0, tracks: new Set() };
    oracle.set(volume, f);
  }
  if (!isWrite) {
    f.reads++;
    f.readBytes += lengthBytes;
    return;
  }
  f.writes++;
  f.writeBytes += lengthBytes;
  if (lengthBytes <= 0) return;
  const last = Math.floor((offsetBytes + lengthBytes - 1) / TRACK_BYTES);
  for (let t = Math.floor(offsetBytes / TRACK_BYTES); t <= last; t++) f.tracks.add(t);
}

const textLines = (file: string): string[] =>
  readFileSync(file, 'latin1')
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l !== '');

function msrOracle(file: string): Oracle {
  const o: Oracle = new Map();
  for (const line of textLines(file)) {
    const [, host, disk, type, offset, size] = line.split(',');
    add(o, `${host}_${disk}`, Number(offset), Number(size), type === 'Write');
  }
  return o;
}

function tencentOracle(file: string): Oracle {
  const o: Oracle = new Map();
  for (const line of textLines(file)) {
    const [, offset, size, ioType, volume] = line.split(',');
    add(o, volume!, Number(offset) * 512, Number(size) * 512, ioType === '1');
  }
  return o;
}

function systorOracle(file: string): Oracle {
  const o: Oracle = new Map();
  for (const line of textLines(file).slice(1)) {
    const [, , type, lun, offset, size] = line.split(',');
    assert.ok(type === 'R' || type === 'W', line);
    add(o, lun!, Number(offset), Number(size), type === 'W');
  }
  return o;
}

function mqsimOracle(file: string): Oracle {
  const o: Oracle = new Map();
  for (const line of textLines(file)) {
    const [, device, lba, size, type] = line.split(' ');
    add(o, device!, Number(lba) * 512, Number(size) * 512, type === '0');
  }
  return o;
}

function blkparseOracle(file: string): Oracle {
  const o: Oracle = new Map();
  for (const line of textLines(file)) {
    if (line.startsWith('#')) continue;
    const parts = line.trim().split(/\s+/);
    if (!parts[0]!.includes(',')) break; // the closing summary
    const [device, , , , , action, rwbs, sector, plus, sectors] = parts;
    if (action !== 'Q' || rwbs!.includes('D') || plus !== '+' || Number(sectors) === 0) continue;
    if (!rwbs!.includes('W') && !rwbs!.includes('R')) continue;
    add(o, device!.replace(',', ':'), Number(sector) * 512, Number(sectors) * 512, rwbs!.includes('W'));
  }
  return o;
}

function tracefsOracle(file: string): Oracle {
  const o: Oracle = new Map();
  for (const line of textLines(file)) {
    const m = /: block_rq_issue: (\d+),(\d+) (\S+) .* (\d+) \+ (\d+) \[/.exec(line);
    if (m === null) continue;
    const [, major, minor, rwbs, sector, sectors] = m;
    if (rwbs!.includes('D') || (!rwbs!.includes('W') && !rwbs!.includes('R'))) continue;
    add(o, `${major}:${minor}`, Number(sector) * 512, Number(sectors) * 512, rwbs!.includes('W'));
  }
  return o;
}

/** blktrace binary: queue events, or issue events when the file has no queue event. */
function blktraceOracle(file: string): Oracle {
  const bytes = readFileSync(file);
  const events: { action: number; category: number; sector: number; length: number; device: number }[] = [];
  for (let at = 0; at + 48 <= bytes.length; at += 48 + bytes.readUInt16LE(at + 46)) {
    const action = bytes.readUInt32LE(at + 28);
    if ((action >>> 16) & 0x400) continue; // notify
    events.push({
      action: action & 0xffff,
      category: action >>> 16,
      sector: Number(bytes.readBigUInt64LE(at + 16)),
      length: bytes.readUInt32LE(at + 24),
      device: bytes.readUInt32LE(at + 36),
    });
  }
  const kind = events.some((e) => e.action === 1) ? 1 : 7; // __BLK_TA_QUEUE, else __BLK_TA_ISSUE
  const o: Oracle = new Map();
  for (const e of events) {
    // Skipped: the other kind, discards (0x2000), pass-through (0x200), no bytes.
    if (e.action !== kind || e.category & 0x2000 || e.category & 0x200 || e.length === 0) continue;
    if (!(e.category & 3)) continue;
    add(o, `${e.device >>> 20}:${e.device & 0xfffff}`, e.sector * 512, e.length, (e.category & 2) !== 0);
  }
  return o;
}

const MQSIM = [
  '--columns',
  'time=1:ns,volume=2,offset=3:sector,length=4:sector,op=5',
  '--delimiter',
  ' ',
  '--write-ops',
  '0',
  '--read-ops',
  '1',
];
// SYSTOR'17 times are seconds since the epoch (1456095145.133076000 = 2016-02-21).
const SYSTOR = ['--columns', 'time=Timestamp:epoch-s,volume=LUN,op=IOType,offset=Offset:B,length=Size:B'];

interface Sample {
  file: string;
  format: string;
  args: string[];
  oracle: (file: string) => Oracle;
  volumes: number;
  writes: number;
  counted?: string;
}

const SAMPLES: Sample[] = [
  { file: 'msr_hm0_sample.csv', format: 'msr', args: [], oracle: msrOracle, volumes: 1, writes: 492 },
  { file: 'tencent_cbs_sample.csv', format: 'tencent', args: [], oracle: tencentOracle, volumes: 2038, writes: 25_479 },
  { file: 'systor17_vdi_sample.csv', format: 'csv', args: SYSTOR, oracle: systorOracle, volumes: 1, writes: 173 },
  {
    file: 'systor17_vdi_additional_sample.csv',
    format: 'csv',
    args: SYSTOR,
    oracle: systorOracle,
    volumes: 1,
    writes: 299,
  },
  { file: 'mqsim_tpcc_small.trace', format: 'csv', args: MQSIM, oracle: mqsimOracle, volumes: 16, writes: 2618 },
  { file: 'mqsim_wsrch_small.trace', format: 'csv', args: MQSIM, oracle: mqsimOracle, volumes: 6, writes: 4 },
  { file: 'blkparse_nvme0n1.txt', format: 'blkparse', args: [], oracle: blkparseOracle, volumes: 1, writes: 225 },
  { file: 'tracefs_tpoint_example.txt', format: 'tracefs', args: [], oracle: tracefsOracle, volumes: 1, writes: 5 },
  { file: 'nvme_sample.blktrace.0', format: 'blktrace', args: [], oracle: blktraceOracle, volumes: 1, writes: 0 },
  {
    file: 'micbench_btdumpfile.bin',
    format: 'blktrace',
    args: [],
    oracle: blktraceOracle,
    volumes: 1,
    writes: 20,
    counted: 'issue (D) events — the trace has no queue (Q) events',
  },
];

const dir = tempDir();

for (const sample of SAMPLES) {
  const path = `real/${sample.file}`;
  const name = `real sample ${sample.file}: detected as ${sample.format}; writes, bytes, 64 KiB tracks match an oracle`;
  test(name, { skip: sharedMissing(path) }, async () => {
    const file = join(SHARED_TRACES, path);
    const store = join(dir, `${sample.file}.db`);
    const collected = await runCli(
      'collect',
      file,
      '--store',
      store,
      '--interval',
      '1m',
      '--track',
      '64KiB',
      ...sample.args,
    );
    assert.equal(collected.code, 0, collected.stderr);
    const header = new RegExp(`^run 1: collected [\\d,]+ records from .* \\(${sample.format}\\) into `);
    assert.match(collected.stdout, header);
    assert.equal(collected.stdout.includes('counted: '), sample.counted !== undefined);
    if (sample.counted) assert.ok(collected.stdout.includes(`\n  counted: ${sample.counted}\n`), collected.stdout);
    const report = await runCli('report', '--store', store, '--by', 'volume', '--format', 'json');
    assert.equal(report.code, 0, report.stderr);
    const rows = JSON.parse(report.stdout) as ({ volume: string; changedTracks: number } & Omit<Figures, 'tracks'>)[];
    const got = new Map(
      rows.map((r) => [
        r.volume,
        {
          writes: r.writes,
          writeBytes: r.writeBytes,
          reads: r.reads,
          readBytes: r.readBytes,
          changedTracks: r.changedTracks,
        },
      ]),
    );
    const expected = new Map(
      [...sample.oracle(file)].map(([volume, f]) => [
        volume,
        {
          writes: f.writes,
          writeBytes: f.writeBytes,
          reads: f.reads,
          readBytes: f.readBytes,
          changedTracks: f.tracks.size,
        },
      ]),
    );
    assert.equal(expected.size, sample.volumes);
    assert.equal(
      [...expected.values()].reduce((n, f) => n + f.writes, 0),
      sample.writes,
    );
    assert.deepEqual(got, expected);
  });
}

const BLKPARSE = 'real/blkparse_nvme0n1.txt';
test(
  "real sample blkparse_nvme0n1.txt: the oracle agrees with blkparse's own summary",
  {
    skip: sharedMissing(BLKPARSE),
  },
  () => {
    const file = join(SHARED_TRACES, 'real', 'blkparse_nvme0n1.txt');
    // "Total (nvme0n1): ... Writes Queued: 248, 1,154KiB": 23 of those Q events are flushes without
    // a sector range (FWFS, FWS, FWFSM), which write no data.
    assert.match(
      readFileSync(file, 'latin1'),
      /Total \(nvme0n1\):\n Reads Queued: +0, +0KiB\t Writes Queued: +248, +1,154KiB/,
    );
    const volume = blkparseOracle(file).get('259:0')!;
    assert.equal(volume.writes, 248 - 23);
    assert.equal(volume.writeBytes, 1154 * 1024);
  },
);
