/**
 * What a decoding worker and the collecting thread share besides messages: a count of the row
 * bytes the worker has posted that the collecting thread has not written yet (back-pressure), and
 * a request to end the worker's range early so that a second worker can take its rest (a cut).
 * Messages cannot carry either: the worker decodes in one synchronous loop and never reads its
 * message port, and the collecting thread must be able to stop a worker that outruns the store.
 */

/**
 * Row bytes one worker may have in flight (posted, not yet written). Past this the worker waits:
 * without a bound, workers decoding faster than the store writes queue their closed rows on the
 * collecting thread for as long as the input lasts.
 */
export const MAX_IN_FLIGHT_BYTES = 8 << 20;

/** No cut requested. */
const NO_CUT = -1n;
/** How long a waiting worker sleeps before it looks again (it is also woken by every release). */
const WAIT_MS = 200;

/** The shared words of one worker. Create it on the collecting thread; the worker wraps the same buffer. */
export class WorkerControl {
  readonly buffer: SharedArrayBuffer;
  readonly #inFlight: Int32Array;
  readonly #cut: BigInt64Array;

  /** `buffer`: the one the collecting thread created (in a worker); none: create it. */
  constructor(buffer?: SharedArrayBuffer) {
    this.buffer = buffer ?? new SharedArrayBuffer(16);
    this.#inFlight = new Int32Array(this.buffer, 0, 1);
    this.#cut = new BigInt64Array(this.buffer, 8, 1);
    if (buffer === undefined) Atomics.store(this.#cut, 0, NO_CUT);
  }

  /** Worker: `bytes` of rows are about to be posted. */
  posting(bytes: number): void {
    Atomics.add(this.#inFlight, 0, bytes);
  }

  /**
   * Worker: block while more than `maxBytes` are in flight. Only a worker may call it
   * (Atomics.wait blocks the thread).
   */
  waitForRoom(maxBytes = MAX_IN_FLIGHT_BYTES): void {
    for (let held = Atomics.load(this.#inFlight, 0); held > maxBytes; held = Atomics.load(this.#inFlight, 0)) {
      Atomics.wait(this.#inFlight, 0, held, WAIT_MS);
    }
  }

  /** Collecting thread: `bytes` of rows were written; wake the worker if it waits. */
  written(bytes: number): void {
    Atomics.sub(this.#inFlight, 0, bytes);
    Atomics.notify(this.#inFlight, 0);
  }

  /** Row bytes posted and not yet written. */
  inFlight(): number {
    return Atomics.load(this.#inFlight, 0);
  }

  /** Collecting thread: ask the worker to end its range at the first cut at or after byte `at`. */
  requestCut(at: number): void {
    Atomics.store(this.#cut, 0, BigInt(at));
  }

  /** Worker: the requested cut (taking it), or null for none. */
  takeCut(): number | null {
    const at = Atomics.exchange(this.#cut, 0, NO_CUT);
    return at === NO_CUT ? null : Number(at);
  }
}
