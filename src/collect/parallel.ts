import { Worker } from 'node:worker_threads';
import { InputError, UsageError } from '../errors.js';
import type { DecodeStats, Reader } from '../readers/reader.js';
import { countLinesBefore, splitFile, type ByteRange } from '../sources/split.js';
import { Warnings, type Warning } from '../warnings.js';
import type { IntervalWriter } from './interval-writer.js';
import { unpackRows } from './row-batch.js';
import { LoadMeter, shouldAddDecoder, type DecodeWindow } from './thread-choice.js';
import { WorkerControl } from './worker-control.js';
import type { RangeTask, WorkerMessage } from './worker-protocol.js';

export interface ParallelResult {
  stats: DecodeStats;
  /** Decoding workers that ran (a range cut while read counts its two workers). */
  decoders: number;
  backwards: number;
  reopened: number;
  outOfScope: number;
  warnings: Warning[];
}

/** One plain file to decode on worker threads, and where its intervals go. */
export interface ParallelJob {
  path: string;
  size: number;
  reader: Reader;
  /** The file's first bytes (record size of binary formats). */
  head: Uint8Array;
  /** Decoding workers: exactly this many, or at most this many when `adaptive`. */
  threads: number;
  /**
   * Start one decoding worker and add more only when measured to pay (thread-choice.ts), instead
   * of cutting the file into `threads` ranges up front.
   */
  adaptive?: boolean;
  /** The adaptive rule (default shouldAddDecoder) and how often it is asked (default 500 ms). */
  decide?: (window: DecodeWindow) => boolean;
  probeMs?: number;
  task: Omit<RangeTask, 'path' | 'start' | 'end' | 'format' | 'split' | 'control'>;
  writer: IntervalWriter;
  onProgress: (bytes: number, records: number) => void;
}

/** How often an adaptive run measures whether another decoding worker pays. */
const PROBE_MS = 500;

/** One decoding worker: its range (its end moves earlier when cut) and what it reported. */
interface Slot {
  range: ByteRange;
  control: WorkerControl;
  worker: Worker;
  bytes: number;
  records: number;
  result: ParallelResult | null;
  cutPending: boolean;
  /** It stopped on bad input, or was stopped because an earlier range did. */
  stopped: boolean;
}

/**
 * Decode one plain file on worker threads: cut it at line (or record) boundaries, let each worker
 * decode and track its range, and write every closed interval row into the run as it arrives. An
 * interval or volume that straddles a cut arrives from two workers and is merged by the store
 * (tracks ORed, counters summed), so the result equals a single-threaded pass whatever the cuts.
 * A worker more than MAX_IN_FLIGHT_BYTES of rows ahead of the store waits (worker-control.ts).
 */
export async function decodeInParallel(job: ParallelJob): Promise<ParallelResult> {
  const { path, size, reader, head, threads, task, writer, onProgress, decide = shouldAddDecoder } = job;
  const split = reader.split!;
  const rule = split.kind === 'lines' ? split : { kind: 'records' as const, recordBytes: split.recordBytes(head) };
  const initial = job.adaptive ? [{ start: 0, end: size }] : await splitFile(path, size, threads, rule);
  const slots: Slot[] = [];
  let writes = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  try {
    const results = await new Promise<Slot[]>((resolve, reject) => {
      let live = 0;
      // The error the user sees is the first in the file, not the first to arrive: a range's
      // failure waits for every range before it to finish or fail; ranges after it are stopped.
      let failed: RangeFailure | null = null;
      const settle = (): void => {
        if (failed === null) {
          if (live === 0) resolve(slots);
          return;
        }
        const at = failed.range.start;
        if (!slots.some((s) => s.result === null && !s.stopped && s.range.start < at)) reject(failed);
      };
      const fail = (slot: Slot, failure: RangeFailure): void => {
        slot.stopped = true;
        live--;
        if (failed === null || slot.range.start < failed.range.start) failed = failure;
        for (const s of slots) {
          if (s.result === null && !s.stopped && s.range.start > failed.range.start) {
            s.stopped = true;
            live--;
            void s.worker.terminate();
          }
        }
        settle();
      };
      const startWorker = (range: ByteRange): void => {
        if (failed !== null && range.start > failed.range.start) return; // after the first error: not needed
        const control = new WorkerControl();
        const producer = slots.length + 1; // producer 0: rows closed on this thread
        const worker = new Worker(new URL('./worker.js', import.meta.url), {
          workerData: {
            ...task,
            path,
            start: range.start,
            end: range.end,
            format: reader.name,
            split: rule,
            control: control.buffer,
          } satisfies RangeTask,
        });
        const slot: Slot = {
          range,
          control,
          worker,
          bytes: 0,
          records: 0,
          result: null,
          cutPending: false,
          stopped: false,
        };
        slots.push(slot);
        live++;
        const names: string[] = []; // this worker's volume table
        worker.on('message', (m: WorkerMessage) => {
          if (slot.stopped && m.kind !== 'rows') return;
          if (m.kind === 'rows') {
            for (const name of m.names) names.push(name);
            const rows = unpackRows(m.rows, names);
            const rowBytes = m.rows.byteLength;
            writes = writes.then(async () => {
              await writer.add(rows, producer);
              control.written(rowBytes);
            });
            writes.catch(reject);
          } else if (m.kind === 'progress') {
            slot.bytes += m.bytes;
            slot.records = m.records;
            onProgress(sum(slots.map((s) => s.bytes)), sum(slots.map((s) => s.records)));
          } else if (m.kind === 'cut') {
            slot.cutPending = false;
            if (m.at !== null) {
              slot.range.end = m.at;
              startWorker({ start: m.at, end: m.end });
            }
          } else if (m.kind === 'done') {
            slot.result = {
              stats: m.stats,
              decoders: 1,
              backwards: m.backwards,
              reopened: m.reopened,
              outOfScope: m.outOfScope,
              warnings: m.warnings,
            };
            live--;
            settle();
          } else {
            fail(slot, new RangeFailure(slot.range, m));
          }
        });
        worker.on('error', reject);
        worker.on('exit', (code) => {
          if (code !== 0 && !slot.stopped) {
            reject(new Error(`${path}: decoding worker ${producer - 1} exited with code ${code}`));
          }
        });
      };
      for (const range of initial) startWorker(range);
      if (job.adaptive && threads > 1) {
        const meter = new LoadMeter();
        let decoded = 0;
        timer = setInterval(() => {
          const now = sum(slots.map((s) => s.bytes));
          const load = meter.take();
          const running = slots.filter((s) => s.result === null);
          const window = {
            decoders: running.length,
            maxDecoders: threads,
            decodedBytes: now - decoded,
            remainingBytes: sum(running.map((s) => remainingBytes(s))),
            ...load,
          };
          decoded = now;
          if (failed !== null) return;
          if (running.length === 0 || running.length >= threads || running.some((s) => s.cutPending)) return;
          if (!decide(window)) return;
          const widest = running.reduce((a, b) => (remainingBytes(b) > remainingBytes(a) ? b : a));
          widest.cutPending = true;
          widest.control.requestCut(widest.range.start + widest.bytes + Math.floor(remainingBytes(widest) / 2));
        }, job.probeMs ?? PROBE_MS);
      }
    });
    clearInterval(timer);
    await writes;
    results.sort((a, b) => a.range.start - b.range.start);
    return await combine(
      path,
      results.map((s) => s.range),
      results.map((s) => s.result!),
    );
  } catch (err) {
    clearInterval(timer);
    await Promise.all(slots.map((s) => s.worker.terminate()));
    throw await renumbered(path, err);
  }
}

/** Bytes of a worker's range it has not read yet. */
const remainingBytes = (s: Slot): number => Math.max(0, s.range.end - s.range.start - s.bytes);

/** A worker's error, with the range index kept for renumbering lines. */
class RangeFailure extends Error {
  constructor(
    readonly range: ByteRange,
    readonly failure: Extract<WorkerMessage, { kind: 'error' }>,
  ) {
    super(failure.message);
  }
}

/** Turn a worker failure into the error the user sees, with the file's own line number. */
async function renumbered(path: string, err: unknown): Promise<unknown> {
  if (!(err instanceof RangeFailure)) return err;
  const { failure, range } = err;
  if (failure.errorClass === 'usage') return new UsageError(failure.message);
  if (failure.errorClass === 'other') return new Error(failure.message);
  if (failure.line === undefined) return new InputError(failure.message);
  const { message, line } = await wholeFileLine(path, range.start, failure.message, failure.line);
  return new InputError(message, { line });
}

/** A message naming line `line` of the range starting at `rangeStart`, renumbered for the whole file. */
async function wholeFileLine(
  path: string,
  rangeStart: number,
  message: string,
  line: number,
): Promise<{ message: string; line: number }> {
  if (rangeStart === 0) return { message, line };
  const fileLine = (await countLinesBefore(path, rangeStart)) + line;
  return { message: message.replace(`${path}:${line}:`, `${path}:${fileLine}:`), line: fileLine };
}

async function combine(path: string, ranges: ByteRange[], results: ParallelResult[]): Promise<ParallelResult> {
  const stats: DecodeStats = {
    records: sum(results.map((r) => r.stats.records)),
    skipped: sum(results.map((r) => r.stats.skipped)),
  };
  const first = results.findIndex((r) => r.stats.firstSkipped !== undefined);
  if (first >= 0) {
    const s = results[first]!.stats;
    stats.firstSkipped =
      s.firstSkippedLine === undefined
        ? s.firstSkipped!
        : (await wholeFileLine(path, ranges[first]!.start, s.firstSkipped!, s.firstSkippedLine)).message;
  }
  const warnings = new Warnings();
  for (const w of results.flatMap((r) => r.warnings)) warnings.add(w);
  return {
    stats,
    decoders: results.length,
    backwards: sum(results.map((r) => r.backwards)),
    reopened: sum(results.map((r) => r.reopened)),
    outOfScope: sum(results.map((r) => r.outOfScope)),
    warnings: warnings.list(),
  };
}

const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);
