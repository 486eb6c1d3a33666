/**
 * Renders the tiny conformance trace into every input format under test/fixtures/. The trace is
 * defined once here; test/fixtures/expected.json holds its hand-computed result. Run after
 * changing the trace: `npm run build && node dist/scripts/render-fixtures.js`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const OUT = fileURLToPath(new URL('../../test/fixtures/', import.meta.url));
const START_S = 1767571200; // 2026-01-05T00:00:00Z; relative formats are collected with --start

/** [seconds after START_S as decimal text, volume 0|1, write, offset bytes, length bytes] */
export const TINY: [string, 0 | 1, boolean, number, number][] = [
  ['0.5', 0, true, 0, 4096],
  ['1', 0, true, 4096, 4096],
  ['2', 0, true, 196096, 1024],
  ['10', 0, false, 0, 65536],
  ['30', 1, true, 655360, 131072],
  ['59.9999999', 0, true, 6553600, 512],
  ['60', 0, true, 0, 512],
  ['61', 1, true, 655360, 512],
  ['125', 0, true, 131072, 65536],
  ['130', 1, false, 1310720, 8192],
];

/** Exact decimal seconds → integer units of 10^-digits s (truncated). */
function scaled(seconds: string, digits: number): bigint {
  const [whole, frac = ''] = seconds.split('.');
  return BigInt(whole!) * 10n ** BigInt(digits) + BigInt((frac + '0'.repeat(digits)).slice(0, digits) || '0');
}
const decimal = (units: bigint, digits: number): string =>
  `${units / 10n ** BigInt(digits)}.${(units % 10n ** BigInt(digits)).toString().padStart(digits, '0')}`;

function write(name: string, content: string | Uint8Array): void {
  mkdirSync(join(OUT, name, '..'), { recursive: true });
  writeFileSync(join(OUT, name), content);
}

const lines = (rows: string[]): string => rows.join('\n') + '\n';
const FILETIME_OFFSET_S = 11644473600n;

function render(): void {
  write(
    'tiny.msr.csv',
    lines(
      TINY.map(
        ([t, v, w, o, l]) =>
          `${(BigInt(START_S) + FILETIME_OFFSET_S) * 10_000_000n + scaled(t, 7)},hostA,${v},${w ? 'Write' : 'Read'},${o},${l},1234`,
      ),
    ),
  );
  const trimmed = (text: string): string => text.replace(/\.?0+$/, '');
  write(
    'tiny.csv',
    lines([
      'time,volume,op,lba,size',
      ...TINY.map(
        ([t, v, w, o, l]) =>
          `${trimmed(decimal(BigInt(START_S) * 10n ** 7n + scaled(t, 7), 7))},hostA_${v},${w ? 'W' : 'R'},${o / 512},${l}`,
      ),
    ]),
  );
  write(
    'tiny.spc.csv',
    lines(TINY.map(([t, v, w, o, l]) => `${v},${o / 512},${l},${w ? 'w' : 'r'},${decimal(scaled(t, 6), 6)}`)),
  );
  write(
    'tiny.alibaba.csv',
    lines(
      TINY.map(([t, v, w, o, l]) => `${v},${w ? 'W' : 'R'},${o},${l},${BigInt(START_S) * 1_000_000n + scaled(t, 6)}`),
    ),
  );
  write(
    'tiny.tencent.csv',
    lines(
      TINY.map(
        ([t, v, w, o, l]) => `${START_S + Math.trunc(Number(t))},${o / 512},${l / 512},${w ? 1 : 0},${1000 + v}`,
      ),
    ),
  );
  write(
    'tiny.fiu.txt',
    lines(
      TINY.map(
        ([t, v, w, o, l], i) =>
          `${scaled(t, 9)} ${4000 + i} fio ${o / 512} ${l / 512} ${w ? 'W' : 'R'} 8 ${v * 16} 5d41402abc4b2a76b9719d911017c592`,
      ),
    ),
  );
  const blk: string[] = [];
  TINY.forEach(([t, v, w, o, l], i) => {
    const ts = decimal(scaled(t, 9), 9).padStart(14);
    const dev = `8,${v * 16}`.padStart(4);
    const tail = `${o / 512} + ${l / 512} [fio]`;
    blk.push(
      `${dev}  ${i % 2}  ${String(3 * i + 1).padStart(7)} ${ts} ${String(4000 + i).padStart(5)}  Q  ${w ? 'WS' : 'R '} ${tail}`,
    );
    blk.push(
      `${dev}  ${i % 2}  ${String(3 * i + 2).padStart(7)} ${ts} ${String(4000 + i).padStart(5)}  G  ${w ? 'WS' : 'R '} ${tail}`,
    );
    blk.push(
      `${dev}  ${i % 2}  ${String(3 * i + 3).padStart(7)} ${ts} ${String(4000 + i).padStart(5)}  C  ${w ? 'WS' : 'R '} ${tail} [0]`,
    );
  });
  blk.push(
    '  8,0    0       31     0.000000001  4010  Q   D 0 + 2048 [fstrim]',
    '  8,0    0       32     0.000000002  4011  Q FWS [kworker/0:1H]',
  );
  blk.push(
    'CPU0 (8,0):',
    ' Reads Queued:           1,       64KiB\t Writes Queued:           6,       74KiB',
    'Total (8,0):',
    'Events (8,0): 33 entries',
    'Skips: 0 forward (0 -   0.0%)',
  );
  write('tiny.blkparse.txt', lines(blk));
  const tfs = [
    '# tracer: nop',
    '#',
    '#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION',
    '#              | |         |   |||||     |         |',
  ];
  TINY.forEach(([t, v, w, o, l], i) => {
    const ts = decimal(scaled(t, 6), 6);
    tfs.push(
      `             fio-${4000 + i}    [00${i % 2}] ..... ${ts.padStart(12)}: block_bio_queue: 8,${v * 16} ${w ? 'WS' : 'R'} ${o / 512} + ${l / 512} [fio]`,
    );
    tfs.push(
      `     kworker/0:1H-${99 + i}     [00${i % 2}] d..1. ${ts.padStart(12)}: block_rq_issue: 8,${v * 16} ${w ? 'WS' : 'R'} ${l} () ${o / 512} + ${l / 512} [kworker/0:1H]`,
    );
  });
  tfs.push('     Web Content-77      [001] ..... 200.000000: sched_switch: prev_comm=x');
  write('tiny.tracefs.txt', lines(tfs));
  for (const v of [0, 1] as const) {
    const rows = TINY.filter((r) => r[1] === v);
    write(
      `vscsi-csv/hostA_${v}.csv`,
      lines([
        'version,time,op,size,lbn',
        ...rows.map(([t, , w, o, l]) => `1,${decimal(scaled(t, 6), 6)},${w ? '2a' : '28'},${l},${o / 512}`),
      ]),
    );
    for (const version of [1, 2] as const) {
      const size = version === 1 ? 32 : 40;
      const buf = Buffer.alloc(size * (rows.length + 1));
      [...rows, null].forEach((r, i) => {
        const at = i * size;
        const [t, , w, o, l] = r ?? ['0', v, false, 0, 0];
        const cmd = r === null ? 0x35 : w ? 0x2a : 0x28; // a trailing SYNCHRONIZE CACHE, skipped
        if (version === 1) {
          buf.writeUInt32LE(0x80000000 + i, at);
          buf.writeUInt32LE(l, at + 4);
          buf.writeUInt32LE(1, at + 8);
          buf.writeUInt16LE(cmd, at + 12);
          buf.writeUInt16LE(0x0100, at + 14);
        } else {
          buf.writeUInt16LE(cmd, at);
          buf.writeUInt16LE(0x0200, at + 2);
          buf.writeUInt32LE(0x80000000 + i, at + 4);
          buf.writeUInt32LE(l, at + 8);
          buf.writeUInt32LE(1, at + 12);
          buf.writeBigUInt64LE(250n, at + 32);
        }
        buf.writeBigUInt64LE(BigInt(o / 512), at + 16);
        buf.writeBigUInt64LE(scaled(t, 6), at + 24);
      });
      write(`vscsi-v${version}/hostA_${v}.vscsi`, buf);
    }
  }
  for (const le of [true, false]) write(le ? 'tiny.blktrace.0' : 'tiny-be.blktrace.0', blktraceBytes(le));
}

function blktraceBytes(le: boolean): Buffer {
  const records: Buffer[] = [];
  const add = (
    timeNs: bigint,
    sector: number,
    bytes: number,
    action: number,
    device: number,
    pdu = Buffer.alloc(0),
  ): void => {
    const b = Buffer.alloc(48 + pdu.length);
    const u32 = (v: number, at: number): number => (le ? b.writeUInt32LE(v, at) : b.writeUInt32BE(v, at));
    const u64 = (v: bigint, at: number): number => (le ? b.writeBigUInt64LE(v, at) : b.writeBigUInt64BE(v, at));
    u32(0x65617407, 0);
    u32(records.length, 4);
    u64(timeNs, 8);
    u64(BigInt(sector), 16);
    u32(bytes, 24);
    u32(action >>> 0, 28);
    u32(4242, 32);
    u32(device, 36);
    u32(0, 40);
    if (le) b.writeUInt16LE(pdu.length, 46);
    else b.writeUInt16BE(pdu.length, 46);
    pdu.copy(b, 48);
    records.push(b);
  };
  const TC_READ = 1,
    TC_WRITE = 2,
    TC_QUEUE = 1 << 4,
    TC_COMPLETE = 1 << 7,
    TC_NOTIFY = 1 << 10,
    TC_DISCARD = 1 << 13;
  const act = (category: number, action: number): number => ((category << 16) | action) >>> 0;
  add(0n, 0, 0, act(TC_NOTIFY, 0), 8 << 20, Buffer.from('fio\0'));
  for (const [t, v, w, o, l] of TINY) {
    const device = (8 << 20) | (v * 16);
    add(scaled(t, 9), o / 512, l, act((w ? TC_WRITE : TC_READ) | TC_QUEUE, 1), device);
    add(scaled(t, 9), o / 512, l, act((w ? TC_WRITE : TC_READ) | TC_COMPLETE, 8), device);
  }
  add(1000n, 0, 1 << 20, act(TC_WRITE | TC_DISCARD | TC_QUEUE, 1), 8 << 20);
  return Buffer.concat(records);
}

render();
