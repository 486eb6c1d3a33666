/**
 * Deterministic generator of large block traces for the sample, tests and benchmarks: several
 * volumes, each a mix of a hot region, sequential log appends, random writes and reads.
 *
 *   node dist/bench/generate.js --kind msr --records 50000000 --volumes 8 --hours 24 --seed 1 > big.csv
 *
 * Kinds: msr (MSR Cambridge CSV, FILETIME), alibaba (device_id,opcode,offset,length,timestamp µs).
 * Same arguments → byte-identical output.
 */
import { parseArgs } from 'node:util';
import { once } from 'node:events';
import { prng } from '../src/prng.js';
import { SampleWorkload } from './workload.js';

export { prng };

const FILETIME_UNIX_OFFSET_S = 11_644_473_600;
const START_UNIX_S = Date.UTC(2026, 0, 5) / 1000; // 2026-01-05T00:00Z, fixed for reproducibility
const GiB = 1024 ** 3;

export interface GenerateOptions {
  kind: 'msr' | 'alibaba';
  /**
   * `bench` (default): V volumes of hot region, log, random writes and reads — the benchmarks'
   * shape. `sample`: the four servers of samples/scope.yaml with realistic folding (workload.ts).
   */
  profile?: 'bench' | 'sample';
  records: number;
  volumes: number;
  hours: number;
  seed: number;
}

interface VolumeModel {
  host: string;
  disk: number;
  capacity: number;
  hotBytes: number;
  logStart: number;
  logBytes: number;
  logAt: number;
}

const HOSTS = ['src1', 'web', 'prxy', 'mds', 'usr', 'proj'];

function formatLine(
  kind: GenerateOptions['kind'],
  timeUs: number,
  host: string,
  disk: number,
  volumeIndex: number,
  isWrite: boolean,
  offset: number,
  size: number,
  responseUs: number,
): string {
  if (kind === 'alibaba') return `${volumeIndex},${isWrite ? 'W' : 'R'},${offset},${size},${timeUs}`;
  const seconds = Math.floor(timeUs / 1e6) + FILETIME_UNIX_OFFSET_S;
  const ticks = String((timeUs % 1e6) * 10).padStart(7, '0');
  return `${seconds}${ticks},${host},${disk},${isWrite ? 'Write' : 'Read'},${offset},${size},${responseUs}`;
}

/** The sample profile: records spread evenly over the hours, a checkpoint burst each hour. */
function* generateSample(o: GenerateOptions): Generator<string> {
  const workload = new SampleWorkload(o.seed);
  const spanUs = o.hours * 3600 * 1e6;
  const lines: string[] = [];
  for (let i = 0; i < o.records; i++) {
    const base = (i / o.records) * spanUs;
    const io = workload.next(base % 3.6e9 < 6e8);
    const s = workload.servers[io.server]!;
    const timeUs = Math.floor(START_UNIX_S * 1e6 + base);
    lines.push(
      formatLine(
        o.kind,
        timeUs,
        s.host,
        s.disk,
        io.server,
        io.isWrite,
        io.offsetBytes,
        io.lengthBytes,
        100 + ((i * 7919) % 5000),
      ),
    );
    if (lines.length === 8192) {
      yield lines.join('\n') + '\n';
      lines.length = 0;
    }
  }
  if (lines.length > 0) yield lines.join('\n') + '\n';
}

/** Yield trace text in chunks of lines. */
export function* generate(o: GenerateOptions): Generator<string> {
  if (o.profile === 'sample') {
    yield* generateSample(o);
    return;
  }
  const rand = prng(o.seed);
  const volumes: VolumeModel[] = [];
  for (let v = 0; v < o.volumes; v++) {
    const capacity = (16 + 16 * (v % 4)) * GiB;
    volumes.push({
      host: HOSTS[v % HOSTS.length]!,
      disk: Math.floor(v / HOSTS.length),
      capacity,
      hotBytes: GiB / 4,
      logStart: capacity - 4 * GiB,
      logBytes: 4 * GiB,
      logAt: 0,
    });
  }
  const spanUs = o.hours * 3600 * 1e6;
  const lines: string[] = [];
  for (let i = 0; i < o.records; i++) {
    // Time advances evenly; the first 10 minutes of every hour are a burst of scattered writes
    // (a batch job), so per-interval churn varies and percentiles differ from the mean.
    const base = (i / o.records) * spanUs;
    const timeUs = Math.floor(START_UNIX_S * 1e6 + base);
    const burst = base % 3.6e9 < 6e8;
    const vol = volumes[Math.floor(rand() * rand() * volumes.length)]!; // skewed: volume 0 busiest
    const r = burst && rand() < 0.6 ? 0.95 : rand();
    let isWrite = true;
    let offset: number;
    let size: number;
    if (r < 0.3) {
      isWrite = false;
      offset = Math.floor((rand() * vol.capacity) / 4096) * 4096;
      size = 4096 * (1 + Math.floor(rand() * 16));
    } else if (r < 0.65) {
      // Hot region: skewed towards its start, small writes that fold heavily.
      offset = Math.floor((rand() * rand() * vol.hotBytes) / 4096) * 4096;
      size = 4096 * (1 + Math.floor(rand() * 4));
    } else if (r < 0.9) {
      // Sequential log: appends that wrap.
      size = 65536 * (1 + Math.floor(rand() * 4));
      offset = vol.logStart + vol.logAt;
      vol.logAt = (vol.logAt + size) % (vol.logBytes - 262144);
    } else {
      offset = Math.floor((rand() * vol.capacity) / 4096) * 4096;
      size = 4096 * (1 + Math.floor(rand() * 32));
      if (offset + size > vol.capacity) offset = vol.capacity - size;
    }
    if (o.kind === 'msr') {
      const seconds = Math.floor(timeUs / 1e6) + FILETIME_UNIX_OFFSET_S;
      const ticks = String((timeUs % 1e6) * 10).padStart(7, '0');
      lines.push(
        `${seconds}${ticks},${vol.host},${vol.disk},${isWrite ? 'Write' : 'Read'},${offset},${size},${100 + Math.floor(rand() * 5000)}`,
      );
    } else {
      lines.push(`${volumes.indexOf(vol)},${isWrite ? 'W' : 'R'},${offset},${size},${timeUs}`);
    }
    if (lines.length === 8192) {
      yield lines.join('\n') + '\n';
      lines.length = 0;
    }
  }
  if (lines.length > 0) yield lines.join('\n') + '\n';
}

const USAGE = `usage: node dist/bench/generate.js [--kind msr|alibaba] [--records N] [--volumes V] [--hours H]
                                  [--seed S] [--profile bench|sample] > trace.csv
Writes a deterministic block trace to stdout (defaults: msr, 1000000 records, 8 volumes, 24 hours,
seed 1, profile bench). Same arguments, byte-identical output.
`;

async function cli(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        kind: { type: 'string', default: 'msr' },
        records: { type: 'string', default: '1000000' },
        volumes: { type: 'string', default: '8' },
        hours: { type: 'string', default: '24' },
        seed: { type: 'string', default: '1' },
        profile: { type: 'string', default: 'bench' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const kind = values.kind === 'alibaba' ? 'alibaba' : 'msr';
  const profile = values.profile === 'sample' ? 'sample' : 'bench';
  const options = {
    kind,
    profile,
    records: Number(values.records),
    volumes: Number(values.volumes),
    hours: Number(values.hours),
    seed: Number(values.seed),
  } as const;
  for (const chunk of generate(options)) {
    if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await cli();
