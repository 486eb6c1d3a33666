import { ARRAY_CONTAINER, ARRAY_MAX, BITMAP_BYTES, BITMAP_CONTAINER, COOKIE_NO_RUNS, COOKIE_RUNS } from './roaring.js';
import { NO_OFFSET_THRESHOLD, RUN_CONTAINER } from './roaring.js';

/**
 * The containers of a serialized roaring bitmap read in place, one after the other, by a reader
 * reused across bitmaps: no closure, view or object per bitmap (for tight loops over many small
 * cells). The same checks as `forEachContainer`: a malformed blob throws.
 */
export class ContainerReader {
  view: DataView = new DataView(new ArrayBuffer(0));
  /** The current container's high 16 bits, kind (`ARRAY_CONTAINER`...), cardinality and body offset in `view`. */
  key = 0;
  kind = 0;
  card = 0;
  at = 0;
  #start = 0;
  #end = 0;
  #size = 0;
  #next = 0;
  #header = 0;
  #runFlags = -1;
  #p = 0;
  #lastKey = -1;

  /** Start reading the bitmap of `length` bytes at `start` in `view`. */
  reset(view: DataView, start: number, length: number): void {
    this.view = view;
    this.#start = start;
    this.#end = start + length;
    this.#need(start + 4);
    const cookie = view.getUint32(start, true);
    let p: number;
    if ((cookie & 0xffff) === COOKIE_RUNS) {
      this.#size = (cookie >>> 16) + 1;
      const flagBytes = (this.#size + 7) >>> 3;
      this.#need(start + 4 + flagBytes);
      this.#runFlags = start + 4;
      p = start + 4 + flagBytes;
    } else if (cookie === COOKIE_NO_RUNS) {
      this.#need(start + 8);
      this.#size = view.getUint32(start + 4, true);
      this.#runFlags = -1;
      p = start + 8;
    } else {
      throw new Error(`roaring: not a portable roaring bitmap (cookie ${cookie})`);
    }
    if (this.#size > 65536) throw new Error(`roaring: ${this.#size} containers (at most 65536)`);
    this.#need(p + 4 * this.#size);
    this.#header = p;
    p += 4 * this.#size;
    if (this.#runFlags < 0 || this.#size >= NO_OFFSET_THRESHOLD) p += 4 * this.#size;
    this.#p = p;
    this.#next = 0;
    this.#lastKey = -1;
  }

  /** Move to the next container; false after the last. */
  next(): boolean {
    const c = this.#next;
    if (c >= this.#size) return false;
    const view = this.view;
    const p = this.#p;
    const key = view.getUint16(this.#header + 4 * c, true);
    if (key <= this.#lastKey) throw new Error(`roaring: container keys not ascending (${key} after ${this.#lastKey})`);
    this.#lastKey = key;
    const card = view.getUint16(this.#header + 4 * c + 2, true) + 1;
    let bytes: number;
    if (this.#runFlags >= 0 && (view.getUint8(this.#runFlags + (c >>> 3)) & (1 << (c & 7))) !== 0) {
      this.#need(p + 2);
      this.kind = RUN_CONTAINER;
      bytes = 2 + 4 * view.getUint16(p, true);
    } else if (card <= ARRAY_MAX) {
      this.kind = ARRAY_CONTAINER;
      bytes = 2 * card;
    } else {
      this.kind = BITMAP_CONTAINER;
      bytes = BITMAP_BYTES;
    }
    this.#need(p + bytes);
    this.key = key;
    this.card = card;
    this.at = p;
    this.#p = p + bytes;
    this.#next = c + 1;
    return true;
  }

  #need(end: number): void {
    if (end > this.#end) throw new Error(`roaring: truncated bitmap (${this.#end - this.#start} bytes)`);
  }
}
