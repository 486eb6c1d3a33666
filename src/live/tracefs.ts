import {
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  readSync,
  rmdirSync,
  writeFileSync,
} from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import type { BlockDevice } from './devices.js';
import { processStartTime } from '../collect/owner.js';

const MOUNTS = ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'];

/**
 * The instance name of this collector: `churnlink-PID-START`, START being when the process
 * started. A PID alone is not enough: after a kill -9 it may be reused by another process.
 */
export function instanceName(pid = process.pid): string {
  return `churnlink-${pid}-${processStartTime(pid) ?? 0}`;
}

/**
 * Remove instances left by collectors that died (kill -9): `churnlink-PID-START` whose PID does
 * not run or runs a process started at another time (the PID was reused), and instances named
 * by earlier versions `churnlink-PID` whose PID does not run.
 */
export function removeStaleInstances(root: string): string[] {
  const removed: string[] = [];
  for (const name of readdirSync(join(root, 'instances'))) {
    const m = /^churnlink-(\d+)(?:-(\d+))?$/.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (m[2] !== undefined ? processStartTime(pid) === m[2] : pidRuns(pid)) continue;
    try {
      writeFileSync(join(root, 'instances', name, 'tracing_on'), '0');
      rmdirSync(join(root, 'instances', name));
      removed.push(name);
    } catch {
      // still busy: leave it
    }
  }
  return removed;
}

function pidRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** The tracefs mount point, mounting it at /sys/kernel/tracing when it is not mounted yet. */
export function tracefsRoot(): string {
  for (const root of MOUNTS) if (existsSync(join(root, 'instances'))) return root;
  try {
    execFileSync('mount', ['-t', 'tracefs', 'nodev', MOUNTS[0]!], { stdio: 'pipe' });
  } catch (err) {
    throw new UsageError(
      `tracefs is not mounted and mounting it at ${MOUNTS[0]} failed: ${(err as Error).message.trim()}`,
      { cause: err },
    );
  }
  if (!existsSync(join(MOUNTS[0]!, 'instances')))
    throw new UsageError(`tracefs at ${MOUNTS[0]} has no instances/ (kernel too old?)`);
  return MOUNTS[0]!;
}

/**
 * A private trace instance (tracefs `instances/NAME`) with only `block_bio_queue` enabled and a
 * kernel-side filter to writes on the chosen devices, so other users of tracing are undisturbed
 * and the kernel ships only what is counted. Timestamps use the `mono` clock. Events are read as
 * binary ring-buffer pages, one non-blocking `trace_pipe_raw` per CPU.
 */
export class TraceInstance {
  readonly dir: string;
  /** Bytes per ring-buffer page (sub-buffer): the unit of a raw read. */
  readonly pageBytes: number;
  readonly #pipes: number[] = [];
  readonly #cpus: string[];

  constructor(root: string, name: string, devices: BlockDevice[], bufferKb: number) {
    this.dir = join(root, 'instances', name);
    if (existsSync(this.dir)) rmdirSync(this.dir); // a stale instance of a killed collector
    mkdirSync(this.dir);
    try {
      const set = (file: string, value: string): void => writeFileSync(join(this.dir, file), value);
      set('tracing_on', '0');
      set('trace_clock', 'mono');
      try {
        set('buffer_size_kb', String(bufferKb));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOMEM') throw err;
        throw new UsageError(
          `--buffer-kb ${bufferKb}: the kernel cannot allocate a trace buffer of ${bufferKb} KiB per CPU (ENOMEM); ` +
            'give a smaller --buffer-kb (default 32768)',
          { cause: err },
        );
      }
      const devs = devices.map((d) => `dev == ${d.kernelDev}`).join(' || ');
      set('events/block/block_bio_queue/filter', `(${devs}) && rwbs ~ "*W*"`);
      set('events/block/block_bio_queue/enable', '1');
      this.#cpus = readdirSync(join(this.dir, 'per_cpu')).filter((c) => /^cpu\d+$/.test(c));
      for (const cpu of this.#cpus)
        this.#pipes.push(
          openSync(join(this.dir, 'per_cpu', cpu, 'trace_pipe_raw'), constants.O_RDONLY | constants.O_NONBLOCK),
        );
      const subbuf = join(this.dir, 'buffer_subbuf_size_kb');
      this.pageBytes = existsSync(subbuf) ? Number(readFileSync(subbuf, 'utf8').trim()) * 1024 : 4096;
      set('tracing_on', '1');
    } catch (err) {
      this.close();
      throw err;
    }
  }

  get cpus(): number {
    return this.#pipes.length;
  }

  /** Read one ring-buffer page of a CPU into `page` (0 when none is waiting); never blocks. */
  readPage(cpu: number, page: Uint8Array): number {
    try {
      return readSync(this.#pipes[cpu]!, page, 0, this.pageBytes, null);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EAGAIN') return 0;
      throw err;
    }
  }

  /** The layout of block_bio_queue events in this kernel. */
  formatText(): string {
    return readFileSync(join(this.dir, 'events/block/block_bio_queue/format'), 'utf8');
  }

  /** Events the ring buffer lost so far (overruns and dropped events, all CPUs). */
  lostEvents(): number {
    let lost = 0;
    for (const cpu of this.#cpus) {
      const stats = readFileSync(join(this.dir, 'per_cpu', cpu, 'stats'), 'utf8');
      for (const m of stats.matchAll(/^(overrun|dropped events): (\d+)$/gm)) lost += Number(m[2]);
    }
    return lost;
  }

  /** Stop tracing and remove the instance. */
  close(): void {
    try {
      writeFileSync(join(this.dir, 'tracing_on'), '0');
      writeFileSync(join(this.dir, 'events/block/block_bio_queue/enable'), '0');
    } catch {
      // already gone
    }
    for (const fd of this.#pipes.splice(0)) closeSync(fd);
    if (existsSync(this.dir)) rmdirSync(this.dir);
  }
}
