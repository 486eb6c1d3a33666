import { Worker } from 'node:worker_threads';
import { InputError, UsageError } from '../errors.js';
import type { DecodeStats, Reader } from '../readers/reader.js';
import { countLinesBefore, splitFile, type ByteRange } from '../sources/split.js';
import { Warnings, type Warning } from '../warnings.js';
import type { IntervalWriter } from './interval-writer.js';
import { unpackRows } from './row-batch.js';
import type { RangeTask, WorkerMessage } from './worker-protocol.js';

export interface ParallelResult {
  stats: DecodeStats;
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
  threads: number;
  task: Omit<RangeTask, 'path' | 'start' | 'end' | 'format'>;
  writer: IntervalWriter;
  onProgress: (bytes: number, records: number) => void;
}

/**
 * Decode one plain file on `threads` worker threads: cut it at line (or record) boundaries, let
 * each worker decode and track its range, and write every closed interval row into the run as
 * it arrives. An interval or volume that straddles a cut arrives from two workers and is merged
 * by the store (tracks ORed, counters summed), so the result equals a single-threaded pass.
 */
export async function decodeInParallel(job: ParallelJob): Promise<ParallelResult> {
  const { path, size, reader, head, threads, task, writer, onProgress } = job;
  const split = reader.split!;
  const ranges = await splitFile(
    path,
    size,
    threads,
    split.kind === 'lines' ? split : { kind: 'records', recordBytes: split.recordBytes(head) },
  );
  const workers: Worker[] = [];
  const bytes = new Array<number>(ranges.length).fill(0);
  const records = new Array<number>(ranges.length).fill(0);
  let writes = Promise.resolve();
  try {
    const results = await Promise.all(
      ranges.map(
        (range, index) =>
          new Promise<ParallelResult>((resolve, reject) => {
            const worker = new Worker(new URL('./worker.js', import.meta.url), {
              workerData: {
                ...task,
                path,
                start: range.start,
                end: range.end,
                format: reader.name,
              } satisfies RangeTask,
            });
            workers.push(worker);
            const names: string[] = []; // this worker's volume table
            worker.on('message', (m: WorkerMessage) => {
              if (m.kind === 'rows') {
                for (const name of m.names) names.push(name);
                const rows = unpackRows(m.rows, names);
                writes = writes.then(() => writer.add(rows, index + 1)); // producer 0: rows closed on this thread
                writes.catch(reject);
              } else if (m.kind === 'progress') {
                bytes[index]! += m.bytes;
                records[index] = m.records;
                onProgress(sum(bytes), sum(records));
              } else if (m.kind === 'done') {
                resolve({
                  stats: m.stats,
                  backwards: m.backwards,
                  reopened: m.reopened,
                  outOfScope: m.outOfScope,
                  warnings: m.warnings,
                });
              } else {
                reject(new RangeFailure(range, m));
              }
            });
            worker.on('error', reject);
            worker.on('exit', (code) => {
              if (code !== 0) reject(new Error(`${path}: decoding worker ${index} exited with code ${code}`));
            });
          }),
      ),
    );
    await writes;
    return await combine(path, ranges, results);
  } catch (err) {
    await Promise.all(workers.map((w) => w.terminate()));
    throw await renumbered(path, err);
  }
}

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
    backwards: sum(results.map((r) => r.backwards)),
    reopened: sum(results.map((r) => r.reopened)),
    outOfScope: sum(results.map((r) => r.outOfScope)),
    warnings: warnings.list(),
  };
}

const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);
