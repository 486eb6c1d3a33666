import { popcount32 } from './bitset.js';
import { ARRAY_MAX, BITMAP_BYTES, COOKIE_NO_RUNS, COOKIE_RUNS, NO_OFFSET_THRESHOLD, runEncodes } from './roaring.js';

/**
 * Writes a portable roaring bitmap container by container, in ascending key order, from runs or
 * from 2048-word bitmaps, without ever listing the values. Each container gets the smallest of
 * the array, bitmap and run encodings (by `runEncodes`), the same choice as
 * `serializeRoaring` and CRoaring after runOptimize, so equal sets give identical bytes.
 * Memory: the output (at most 8 KiB per container) and 11 bytes of header per container.
 */
export class RoaringWriter {
  /** Values written since the last `finish()`. */
  cardinality = 0;
  #keys = new Uint16Array(16);
  #cards = new Uint32Array(16);
  #isRun = new Uint8Array(16);
  #size = 0;
  #body = new Uint8Array(256);
  #bodyView = new DataView(this.#body.buffer);
  #bodyBytes = 0;
  #hasRuns = false;
  #lastKey = -1;
  readonly #used = new Uint16Array(2048); // indexes of the non-zero words of a bitmap being added

  /**
   * Add container `key` holding the inclusive ranges `runs[2i] .. runs[2i + 1]` (i < nRuns) of low
   * 16-bit values: ascending, disjoint and not adjacent (as a merge leaves them).
   */
  addRuns(key: number, runs: Uint16Array, nRuns: number): void {
    let card = 0;
    for (let r = 0; r < nRuns; r++) card += runs[2 * r + 1]! - runs[2 * r]! + 1;
    if (card === 0) return;
    const kind = this.#begin(key, card, nRuns);
    let p = this.#bodyBytes;
    const view = this.#bodyView;
    if (kind === RUN) {
      view.setUint16(p, nRuns, true);
      p += 2;
      for (let r = 0; r < nRuns; r++, p += 4) {
        view.setUint16(p, runs[2 * r]!, true);
        view.setUint16(p + 2, runs[2 * r + 1]! - runs[2 * r]!, true);
      }
    } else if (kind === ARRAY) {
      for (let r = 0; r < nRuns; r++) {
        for (let v = runs[2 * r]!; v <= runs[2 * r + 1]!; v++, p += 2) view.setUint16(p, v, true);
      }
    } else {
      const out = this.#body;
      for (let r = 0; r < nRuns; r++) {
        for (let v = runs[2 * r]!; v <= runs[2 * r + 1]!; v++) out[p + (v >>> 3)]! |= 1 << (v & 7);
      }
      p += BITMAP_BYTES;
    }
    this.#bodyBytes = p;
  }

  /** Add container `key` holding the `n` ascending 16-bit values `values[at] .. values[at + n - 1]`. */
  addSorted(key: number, values: Uint16Array, at: number, n: number): void {
    if (n === 0) return;
    let nRuns = 1;
    for (let i = at + 1; i < at + n; i++) if (values[i] !== values[i - 1]! + 1) nRuns++;
    const kind = this.#begin(key, n, nRuns);
    let p = this.#bodyBytes;
    const view = this.#bodyView;
    if (kind === RUN) {
      view.setUint16(p, nRuns, true);
      p += 2;
      let first = values[at]!;
      for (let i = at + 1; i <= at + n; i++) {
        if (i < at + n && values[i] === values[i - 1]! + 1) continue;
        p = putRun(view, p, first, values[i - 1]!);
        if (i < at + n) first = values[i]!;
      }
    } else if (kind === ARRAY) {
      for (let i = at; i < at + n; i++, p += 2) view.setUint16(p, values[i]!, true);
    } else {
      const out = this.#body;
      for (let i = at; i < at + n; i++) out[p + (values[i]! >>> 3)]! |= 1 << (values[i]! & 7);
      p += BITMAP_BYTES;
    }
    this.#bodyBytes = p;
  }

  /**
   * Add container `key` from the 2048 words `words[at] .. words[at + 2047]` (bit v = value v);
   * returns its cardinality (0: nothing added). With `summaryAt`, `words[summaryAt ..
   * summaryAt + 63]` has bit w set for each non-zero word w, and only those words are read
   * (a sparse page costs time per word used, not per 2048 words).
   */
  addBitmap(key: number, words: Uint32Array, at = 0, summaryAt = -1): number {
    const used = this.#used;
    let n = 0;
    if (summaryAt < 0) {
      for (let w = 0; w < 2048; w++) if (words[at + w] !== 0) used[n++] = w;
    } else {
      for (let u = 0; u < 64; u++) {
        let bits = words[summaryAt + u]!;
        while (bits !== 0) {
          const low = bits & -bits;
          bits ^= low;
          used[n++] = u * 32 + 31 - Math.clz32(low);
        }
      }
    }
    let card = 0;
    let nRuns = 0;
    for (let k = 0; k < n; k++) {
      const w = used[k]!;
      const word = words[at + w]!;
      const previous = k > 0 && used[k - 1] === w - 1 ? words[at + w - 1]! : 0;
      card += popcount32(word);
      nRuns += popcount32(word & ~((word << 1) | (previous >>> 31)));
    }
    if (card === 0) return 0;
    const kind = this.#begin(key, card, nRuns);
    let p = this.#bodyBytes;
    const view = this.#bodyView;
    if (kind === BITMAP) {
      for (let k = 0; k < n; k++) view.setUint32(p + 4 * used[k]!, words[at + used[k]!]!, true);
      p += BITMAP_BYTES;
    } else if (kind === ARRAY) {
      for (let k = 0; k < n; k++) {
        const w = used[k]!;
        let word = words[at + w]!;
        while (word !== 0) {
          const low = word & -word;
          word ^= low;
          view.setUint16(p, w * 32 + 31 - Math.clz32(low), true);
          p += 2;
        }
      }
    } else {
      view.setUint16(p, nRuns, true);
      p += 2;
      let first = -2;
      let last = -2;
      for (let k = 0; k < n; k++) {
        const w = used[k]!;
        let word = words[at + w]!;
        if (word === 0xffff_ffff) {
          if (w * 32 === last + 1) last = w * 32 + 31;
          else {
            if (first >= 0) p = putRun(view, p, first, last);
            first = w * 32;
            last = first + 31;
          }
          continue;
        }
        while (word !== 0) {
          const low = word & -word;
          word ^= low;
          const v = w * 32 + 31 - Math.clz32(low);
          if (v === last + 1) last = v;
          else {
            if (first >= 0) p = putRun(view, p, first, last);
            first = last = v;
          }
        }
      }
      if (first >= 0) p = putRun(view, p, first, last);
    }
    this.#bodyBytes = p;
    return card;
  }

  /** The serialized bitmap of everything added since the last call; the writer starts over. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.serializedBytes());
    this.finishInto(out, 0);
    return out;
  }

  /** Bytes the serialized bitmap of everything added so far takes. */
  serializedBytes(): number {
    return this.#headerBytes() + this.#bodyBytes;
  }

  /**
   * Write the serialized bitmap of everything added since the last call into `out` at `at`
   * (`serializedBytes()` of room, zeroed); the writer starts over.
   */
  finishInto(out: Uint8Array, at: number): void {
    const size = this.#size;
    const hasRuns = this.#hasRuns;
    const withOffsets = !hasRuns || size >= NO_OFFSET_THRESHOLD;
    const headerBytes = this.#headerBytes();
    let p = at;
    if (hasRuns) {
      put32(out, p, (COOKIE_RUNS | ((size - 1) << 16)) >>> 0);
      p += 4;
      for (let c = 0; c < size; c++) if (this.#isRun[c] === 1) out[p + (c >>> 3)]! |= 1 << (c & 7);
      p += (size + 7) >>> 3;
    } else {
      put32(out, p, COOKIE_NO_RUNS);
      put32(out, p + 4, size);
      p += 8;
    }
    for (let c = 0; c < size; c++, p += 4) {
      put16(out, p, this.#keys[c]!);
      put16(out, p + 2, this.#cards[c]! - 1);
    }
    if (withOffsets) {
      // Bodies follow in order; an offset is the header size plus the bodies before it.
      let offset = headerBytes;
      for (let c = 0; c < size; c++, p += 4) {
        put32(out, p, offset);
        offset += this.#bodyBytesOf(c);
      }
    }
    const body = this.#body;
    const bodyBytes = this.#bodyBytes;
    if (bodyBytes <= 64)
      for (let i = 0; i < bodyBytes; i++) out[p + i] = body[i]!; // tiny: no subarray
    else out.set(body.subarray(0, bodyBytes), p);
    body.fill(0, 0, bodyBytes); // bitmap bodies are ORed into zeroed bytes
    this.#size = 0;
    this.#bodyBytes = 0;
    this.#hasRuns = false;
    this.#lastKey = -1;
    this.cardinality = 0;
    if (body.length > 1 << 20) {
      this.#body = new Uint8Array(256); // do not keep a huge buffer for the next, usually small, bitmap
      this.#bodyView = new DataView(this.#body.buffer);
    }
  }

  #headerBytes(): number {
    const size = this.#size;
    const hasRuns = this.#hasRuns;
    const withOffsets = !hasRuns || size >= NO_OFFSET_THRESHOLD;
    return (hasRuns ? 4 + ((size + 7) >>> 3) : 8) + 4 * size + (withOffsets ? 4 * size : 0);
  }

  #runCounts = new Uint32Array(16);

  #bodyBytesOf(c: number): number {
    if (this.#isRun[c] === 1) return 2 + 4 * this.#runCounts[c]!;
    const card = this.#cards[c]!;
    return card <= ARRAY_MAX ? 2 * card : BITMAP_BYTES;
  }

  /** Record the header of container `key` and make room for its body; returns the kind chosen. */
  #begin(key: number, card: number, nRuns: number): number {
    if (key <= this.#lastKey) throw new Error(`roaring writer: key ${key} after ${this.#lastKey}`);
    this.#lastKey = key;
    const plain = card <= ARRAY_MAX ? 2 * card : BITMAP_BYTES;
    const run = 2 + 4 * nRuns;
    const kind = runEncodes(card, nRuns) ? RUN : card <= ARRAY_MAX ? ARRAY : BITMAP;
    const c = this.#size;
    if (c === this.#keys.length) {
      this.#keys = grown(this.#keys, new Uint16Array(2 * c));
      this.#cards = grown(this.#cards, new Uint32Array(2 * c));
      this.#isRun = grown(this.#isRun, new Uint8Array(2 * c));
      this.#runCounts = grown(this.#runCounts, new Uint32Array(2 * c));
    }
    this.#keys[c] = key;
    this.#cards[c] = card;
    this.#isRun[c] = kind === RUN ? 1 : 0;
    this.#runCounts[c] = nRuns;
    this.#size = c + 1;
    if (kind === RUN) this.#hasRuns = true;
    this.cardinality += card;
    const need = this.#bodyBytes + (kind === RUN ? run : plain);
    if (need > this.#body.length) {
      let length = this.#body.length;
      while (length < need) length *= 2;
      this.#body = grown(this.#body, new Uint8Array(length));
      this.#bodyView = new DataView(this.#body.buffer);
    }
    return kind;
  }
}

const ARRAY = 0;
const BITMAP = 1;
const RUN = 2;

function put16(out: Uint8Array, p: number, value: number): void {
  out[p] = value & 0xff;
  out[p + 1] = value >>> 8;
}

function put32(out: Uint8Array, p: number, value: number): void {
  out[p] = value & 0xff;
  out[p + 1] = (value >>> 8) & 0xff;
  out[p + 2] = (value >>> 16) & 0xff;
  out[p + 3] = value >>> 24;
}

function putRun(view: DataView, p: number, first: number, last: number): number {
  view.setUint16(p, first, true);
  view.setUint16(p + 2, last - first, true);
  return p + 4;
}

function grown<T extends Uint8Array | Uint16Array | Uint32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
