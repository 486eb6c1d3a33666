/**
 * Worker-thread entry: decode one byte range of a trace file and track it, posting closed
 * interval rows (bitmaps transferred, not copied) back to the collecting thread, which writes
 * them into the run; rows of an interval that straddles two ranges are merged there exactly.
 */
import { openSync, readSync, closeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { InputError, UsageError } from '../errors.js';
import { IoBatch } from '../readers/batch.js';
import { readerByName } from '../readers/index.js';
import { VolumeTable } from '../readers/volumes.js';
import { Warnings } from '../warnings.js';
import { scopeIncludes } from '../scope/scope.js';
import { cutAtOrAfter } from '../sources/split.js';
import { Tracker } from './tracker.js';
import { WorkerControl } from './worker-control.js';
import type { RangeTask, WorkerMessage } from './worker-protocol.js';

const CHUNK_BYTES = 1 << 20;

function post(message: WorkerMessage, transfer: ArrayBuffer[] = []): void {
  parentPort!.postMessage(message, transfer);
}

function run(task: RangeTask): void {
  const volumes = new VolumeTable();
  const warnings = new Warnings();
  const scoped =
    task.scope.volumes === null ? {} : { includeVolume: (v: number) => scopeIncludes(task.scope, volumes.names[v]!) };
  const tracker = new Tracker({ ...task.tracker, packed: true, ...scoped });
  const batch = new IoBatch((b) => tracker.add(b), undefined, task.tracker.trackBytes);
  const decoder = readerByName(task.format).open({
    source: task.path,
    batch,
    volumes,
    warnings,
    startUs: task.startUs,
    skipBad: task.skipBad,
    volumeName: task.volumeName,
    ...(task.csv ? { csv: task.csv } : {}),
  });
  const control = new WorkerControl(task.control);
  let namesSent = 0;
  const sendClosed = (): void => {
    const rows = tracker.drainPacked();
    if (rows === null) return;
    const names = volumes.names.slice(namesSent);
    namesSent += names.length;
    control.posting(rows.byteLength);
    post({ kind: 'rows', rows, names }, [rows]);
    control.waitForRoom(); // the collecting thread writes slower than this worker decodes: wait for it
  };
  const fd = openSync(task.path, 'r');
  try {
    const buffer = new Uint8Array(CHUNK_BYTES);
    let end = task.end;
    for (let at = task.start; at < end;) {
      const want = control.takeCut();
      if (want !== null) {
        // Leave [cut, end) to a new worker; the carried partial line ends before the cut.
        const cut = cutAtOrAfter(fd, Math.max(want, at), end, task.split);
        post({ kind: 'cut', at: cut !== null && cut > at ? cut : null, end });
        if (cut !== null && cut > at) end = cut;
      }
      const n = readSync(fd, buffer, 0, Math.min(CHUNK_BYTES, end - at), at);
      if (n <= 0) throw new Error(`${task.path}: unexpected end of file at byte ${at}`);
      decoder.push(buffer.subarray(0, n));
      at += n;
      sendClosed();
      post({ kind: 'progress', bytes: n, records: decoder.stats.records });
    }
    decoder.end();
    batch.flush();
    tracker.finish();
    sendClosed();
  } finally {
    closeSync(fd);
  }
  post({
    kind: 'done',
    stats: decoder.stats,
    backwards: tracker.backwards,
    reopened: tracker.reopened,
    outOfScope: tracker.outOfScope,
    warnings: warnings.list(),
  });
}

try {
  run(workerData as RangeTask);
} catch (err) {
  const e = err as Error;
  post({
    kind: 'error',
    errorClass: err instanceof InputError ? 'input' : err instanceof UsageError ? 'usage' : 'other',
    message: err instanceof InputError || err instanceof UsageError ? e.message : (e.stack ?? e.message),
    ...(err instanceof InputError && err.line !== undefined ? { line: err.line } : {}),
  });
}
