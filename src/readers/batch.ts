/**
 * Struct-of-arrays batch of decoded I/O records, reused for the whole run: readers append, the
 * batch hands itself to its sink when full and starts over. No per-record objects.
 */
export class IoBatch {
  length = 0;
  readonly capacity: number;
  readonly volume: Uint32Array;
  readonly timeUs: Float64Array; // µs since the Unix epoch (or since --start)
  readonly offsetBytes: Float64Array;
  readonly lengthBytes: Float64Array;
  readonly isWrite: Uint8Array; // 1 write, 0 read
  readonly #flush: (batch: IoBatch) => void;

  constructor(flush: (batch: IoBatch) => void, capacity = 16_384) {
    this.capacity = capacity;
    this.volume = new Uint32Array(capacity);
    this.timeUs = new Float64Array(capacity);
    this.offsetBytes = new Float64Array(capacity);
    this.lengthBytes = new Float64Array(capacity);
    this.isWrite = new Uint8Array(capacity);
    this.#flush = flush;
  }

  push(volume: number, timeUs: number, offsetBytes: number, lengthBytes: number, isWrite: boolean): void {
    const i = this.length;
    this.volume[i] = volume;
    this.timeUs[i] = timeUs;
    this.offsetBytes[i] = offsetBytes;
    this.lengthBytes[i] = lengthBytes;
    this.isWrite[i] = isWrite ? 1 : 0;
    this.length = i + 1;
    if (this.length === this.capacity) this.flush();
  }

  /** Hand the records collected so far to the sink, then reuse the arrays. */
  flush(): void {
    if (this.length === 0) return;
    this.#flush(this);
    this.length = 0;
  }
}
