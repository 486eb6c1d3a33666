import { ARRAY_CONTAINER, forEachContainer, RUN_CONTAINER } from '../bitmap/roaring.js';
import { popcount32, type Bitset } from '../bitmap/bitset.js';

const CHUNK_BITS = 16; // one chunk per roaring container: 65,536 tracks, 8 KiB
const CHUNK_WORDS = 1 << (CHUNK_BITS - 5);

/**
 * The OR of many serialized roaring bitmaps of one volume, kept as 8 KiB chunks of the track
 * space that were actually touched: memory follows the tracks written, not the highest track
 * number. The count is kept as bits are set and the words set are listed, so counting is free
 * and clearing, counting and masking cost the words used — not the volume's size — which keeps
 * many small ORs (an hour of a sparse volume) cheap.
 */
export class TrackUnion {
  readonly #chunks = new Map<number, Uint32Array>();
  #touched = new Uint32Array(1024); // global word indexes with a bit set
  #touchedCount = 0;
  #count = 0;
  #lastKey = -1;
  #lastWords: Uint32Array = new Uint32Array(0);
  /** Chunks wholly set (a write spanning them): held as their key, not as 8 KiB of bits. */
  readonly #full = new Set<number>();

  /** OR a serialized roaring bitmap in, container by container (arrays and bitmaps word-wise). */
  add(blob: Uint8Array): void {
    forEachContainer(blob, (key, kind, card, at, view) => this.#addContainer(key, kind, card, at, view));
  }

  /**
   * OR several serialized roaring bitmaps in, the same as `add` of each, but container-major:
   * every container of one 65,536-track chunk from every blob, then the next chunk, so a chunk's
   * 8 KiB stay in the cache while all blobs meet it (ORing a month of day rollups of a sparse
   * volume otherwise sweeps its whole union once per day).
   */
  addAll(blobs: readonly Uint8Array[]): void {
    if (blobs.length === 1) return this.add(blobs[0]!);
    // Each container as (key, blob, offset, kind, card) in parallel arrays, ordered by a numeric
    // sort of key × 2^21 + its index (stable within a key): no object per container.
    let n = 0;
    const views: DataView[] = [];
    const fields: number[] = [];
    for (const blob of blobs) {
      forEachContainer(blob, (key, kind, card, at, view) => {
        if (views.length === 0 || views[views.length - 1] !== view) views.push(view);
        fields.push(key, views.length - 1, at, kind, card);
        n++;
      });
    }
    if (n >= 2 ** 21) {
      for (const blob of blobs) this.add(blob);
      return;
    }
    const order = new Float64Array(n);
    for (let i = 0; i < n; i++) order[i] = fields[5 * i]! * 2 ** 21 + i;
    order.sort();
    for (let j = 0; j < n; j++) {
      const i = order[j]! % 2 ** 21;
      const f = 5 * i;
      this.#addContainer(fields[f]!, fields[f + 3]!, fields[f + 4]!, fields[f + 2]!, views[fields[f + 1]!]!);
    }
  }

  #addContainer(key: number, kind: number, card: number, at: number, view: DataView): void {
    if (this.#full.size !== 0 && this.#full.has(key)) return;
    if (card === 1 << CHUNK_BITS) {
      // Every track of the chunk: the bits it held are subsumed, the rest counted, no words set.
      const words = this.#chunks.get(key);
      let held = 0;
      if (words !== undefined) for (let w = 0; w < CHUNK_WORDS; w++) held += popcount32(words[w]!);
      this.#count += (1 << CHUNK_BITS) - held;
      this.#full.add(key);
      return;
    }
    if (kind === RUN_CONTAINER) {
      const base = key * 2 ** CHUNK_BITS;
      const n = view.getUint16(at, true);
      for (let r = 0, p = at + 2; r < n; r++, p += 4) {
        const start = base + view.getUint16(p, true);
        this.#setRange(start, start + view.getUint16(p + 2, true) + 1);
      }
      return;
    }
    const words = this.#chunk(key);
    const wordBase = key * CHUNK_WORDS;
    if (kind === ARRAY_CONTAINER) {
      for (let i = 0, p = at; i < card; i++, p += 2) {
        const v = view.getUint16(p, true);
        const w = v >>> 5;
        const bit = 1 << (v & 31);
        const before = words[w]!;
        if ((before & bit) !== 0) continue;
        if (before === 0) this.#touch(wordBase + w);
        words[w] = before | bit;
        this.#count++;
      }
      return;
    }
    for (let w = 0, p = at; w < CHUNK_WORDS; w++, p += 4) {
      const before = words[w]!;
      const after = (before | view.getUint32(p, true)) >>> 0;
      if (after === before) continue;
      if (before === 0) this.#touch(wordBase + w);
      this.#count += popcount32(after ^ before);
      words[w] = after;
    }
  }

  get empty(): boolean {
    return this.#count === 0;
  }

  count(): number {
    return this.#count;
  }

  /** Tracks in both this union and `mask`. */
  countAnd(mask: Bitset): number {
    let n = 0;
    const m = mask.words;
    const full = this.#full;
    for (let i = 0; i < this.#touchedCount; i++) {
      const word = this.#touched[i]!;
      if (word >= m.length) continue;
      const key = word >>> (CHUNK_BITS - 5);
      if (full.size !== 0 && full.has(key)) continue; // counted whole below
      n += popcount32(this.#chunks.get(key)![word & (CHUNK_WORDS - 1)]! & m[word]!);
    }
    for (const key of full) n += mask.countRange(key * 2 ** CHUNK_BITS, (key + 1) * 2 ** CHUNK_BITS);
    return n;
  }

  /** Forget every track (the chunks stay allocated for the next OR). */
  clear(): void {
    this.#full.clear();
    if (this.#touchedCount > this.#chunks.size * (CHUNK_WORDS / 8)) {
      // Dense enough: zeroing whole chunks is cheaper than word by word.
      for (const words of this.#chunks.values()) words.fill(0);
      this.#touchedCount = 0;
      this.#count = 0;
      return;
    }
    for (let i = 0; i < this.#touchedCount; i++) {
      const word = this.#touched[i]!;
      this.#chunks.get(word >>> (CHUNK_BITS - 5))![word & (CHUNK_WORDS - 1)] = 0;
    }
    this.#touchedCount = 0;
    this.#count = 0;
  }

  #touch(word: number): void {
    if (this.#touchedCount === this.#touched.length) {
      const grown = new Uint32Array(this.#touched.length * 2);
      grown.set(this.#touched);
      this.#touched = grown;
    }
    this.#touched[this.#touchedCount++] = word;
  }

  #chunk(key: number): Uint32Array {
    if (key === this.#lastKey) return this.#lastWords;
    let words = this.#chunks.get(key);
    if (words === undefined) this.#chunks.set(key, (words = new Uint32Array(CHUNK_WORDS)));
    this.#lastKey = key;
    this.#lastWords = words;
    return words;
  }

  // to exclusive
  #setRange(from: number, to: number): void {
    if (to - from === 1) {
      // One track (array containers): the common case, kept short.
      const key = Math.floor(from / 2 ** CHUNK_BITS);
      const words = this.#chunk(key);
      const w = (from - key * 2 ** CHUNK_BITS) >>> 5;
      const bit = 1 << (from & 31);
      const before = words[w]!;
      if ((before & bit) !== 0) return;
      if (before === 0) this.#touch(key * CHUNK_WORDS + w);
      words[w] = before | bit;
      this.#count++;
      return;
    }
    while (from < to) {
      const key = Math.floor(from / 2 ** CHUNK_BITS);
      const chunkEnd = Math.min(to, (key + 1) * 2 ** CHUNK_BITS);
      const words = this.#chunk(key);
      const base = key * 2 ** CHUNK_BITS;
      for (let i = from - base, e = chunkEnd - base; i < e;) {
        const w = i >>> 5;
        const bits = Math.min(32 - (i & 31), e - i);
        const mask = bits === 32 ? 0xffffffff : ((1 << bits) - 1) << (i & 31);
        const before = words[w]!;
        const after = (before | mask) >>> 0;
        if (after !== before) {
          if (before === 0) this.#touch(key * CHUNK_WORDS + w);
          this.#count += popcount32(after ^ before);
          words[w] = after;
        }
        i += bits;
      }
      from = chunkEnd;
    }
  }
}
