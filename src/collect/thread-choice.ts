import { cpus } from 'node:os';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';

/**
 * Whether one more decoding worker pays, decided from what was measured over the last window
 * rather than from the file's size or the number of cores. A file starts on one decoding worker;
 * another is added (cutting the largest remaining range in two) only when
 * - the collecting thread (store writes, the input's hash) waited on the decoders for most of the
 *   window: it has room for more rows, so more decoding shortens the run;
 * - a core was idle for most of the window (other processes, or this one, did not use it): a new
 *   worker would run beside the others instead of taking turns with them;
 * - enough input is left, at the measured rate, for the worker's start (about 0.1 CPU-s of module
 *   loading) and its cut (one interval per volume merged by the store) to pay back.
 */
export interface DecodeWindow {
  /** Decoding workers running. */
  decoders: number;
  /** At most this many. */
  maxDecoders: number;
  /** Length of the window. */
  windowS: number;
  /** Bytes the decoders consumed in the window. */
  decodedBytes: number;
  /** Bytes left to decode, over all decoders. */
  remainingBytes: number;
  /** Seconds the collecting thread was busy in the window (its event loop's active time). */
  consumerBusyS: number;
  /** Core-seconds the machine's cores were idle in the window (all processes). */
  idleCoreS: number;
}

/** The collecting thread must have been idle at least this share of the window. */
export const MAX_CONSUMER_BUSY_SHARE = 0.5;
/** Idle cores, on average over the window, needed to run one more worker. */
export const MIN_IDLE_CORES = 0.5;
/** Decoding time left at the measured rate below which a new worker does not pay back. */
export const MIN_REMAINING_S = 1;

/** True when one more decoding worker should be started (see DecodeWindow). */
export function shouldAddDecoder(w: DecodeWindow): boolean {
  if (w.decoders >= w.maxDecoders || w.windowS <= 0 || w.decodedBytes <= 0) return false;
  const remainingS = w.remainingBytes / (w.decodedBytes / w.windowS);
  return (
    remainingS >= MIN_REMAINING_S &&
    w.consumerBusyS <= MAX_CONSUMER_BUSY_SHARE * w.windowS &&
    w.idleCoreS >= MIN_IDLE_CORES * w.windowS
  );
}

/** Measures the collecting thread's busy time and the machine's idle core time between calls. */
export class LoadMeter {
  #atMs = performance.now();
  #loop: EventLoopUtilization = performance.eventLoopUtilization();
  #idleMs = idleMs();

  /** Since the last call (or construction): window, busy and idle core seconds. */
  take(): { windowS: number; consumerBusyS: number; idleCoreS: number } {
    const atMs = performance.now();
    const loop = performance.eventLoopUtilization();
    const idle = idleMs();
    const busy = performance.eventLoopUtilization(loop, this.#loop);
    const out = {
      windowS: (atMs - this.#atMs) / 1000,
      consumerBusyS: busy.active / 1000,
      idleCoreS: (idle - this.#idleMs) / 1000,
    };
    this.#atMs = atMs;
    this.#loop = loop;
    this.#idleMs = idle;
    return out;
  }
}

/** Idle milliseconds summed over the machine's cores since boot. */
function idleMs(): number {
  let ms = 0;
  for (const c of cpus()) ms += c.times.idle;
  return ms;
}
