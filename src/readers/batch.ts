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
  /** Track size the records will be counted in (bytes), or null when unknown. */
  readonly trackBytes: number | null;
  /** A write must end at or before this byte (exclusive end): 2^32 tracks, and at most 2^53 - 1. */
  readonly maxWriteEndBytes: number;

  constructor(flush: (batch: IoBatch) => void, capacity = 16_384, trackBytes: number | null = null) {
    this.capacity = capacity;
    this.trackBytes = trackBytes;
    this.maxWriteEndBytes = trackBytes === null ? MAX_EXACT_BYTES : Math.min(MAX_EXACT_BYTES, MAX_TRACKS * trackBytes);
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

  /**
   * Append the first `count` records of columns (a kernel's output), at most the room left
   * (`capacity - length`); the batch is handed on when full, as with `push`.
   */
  append(
    volume: Uint32Array,
    timeUs: Float64Array,
    offsetBytes: Float64Array,
    lengthBytes: Float64Array,
    isWrite: Uint8Array,
    count: number,
  ): void {
    const i = this.length;
    this.volume.set(volume.subarray(0, count), i);
    this.timeUs.set(timeUs.subarray(0, count), i);
    this.offsetBytes.set(offsetBytes.subarray(0, count), i);
    this.lengthBytes.set(lengthBytes.subarray(0, count), i);
    this.isWrite.set(isWrite.subarray(0, count), i);
    this.length = i + count;
    if (this.length === this.capacity) this.flush();
  }

  /**
   * Why a record's byte range cannot be counted, as a phrase after the fields' names (`Offset +
   * Size end …`), or null when it can: a write's last track must be a 32-bit index (roaring
   * bitmaps) and every end must be exact in a double (2^53 - 1). Readers ask before `push`, so that
   * the error names file, line and field and --skip-bad can skip the record.
   */
  rangeProblem(offsetBytes: number, lengthBytes: number, isWrite: boolean): string | null {
    const endBytes = offsetBytes + lengthBytes;
    if (endBytes <= (isWrite ? this.maxWriteEndBytes : MAX_EXACT_BYTES)) return null;
    if (endBytes > MAX_EXACT_BYTES) return `end past byte 2^53 - 1 (${MAX_EXACT_BYTES}), beyond exact arithmetic`;
    const tracks = `the 2^32 tracks of ${this.trackBytes} B a volume can have (${this.maxWriteEndBytes} B)`;
    return `end at byte ${endBytes}, past ${tracks}`;
  }

  /** Hand the records collected so far to the sink, then reuse the arrays. */
  flush(): void {
    if (this.length === 0) return;
    this.#flush(this);
    this.length = 0;
  }
}

/** Byte offsets are doubles: whole numbers are exact up to 2^53 - 1. */
const MAX_EXACT_BYTES = Number.MAX_SAFE_INTEGER;
/** Track indexes are 32-bit (roaring bitmaps). */
const MAX_TRACKS = 2 ** 32;
