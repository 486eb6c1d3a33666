import { walkRoaring } from '../bitmap/roaring.js';
import { popcount32, type Bitset } from '../bitmap/bitset.js';

const CHUNK_BITS = 16; // one chunk per roaring container: 65,536 tracks, 8 KiB
const CHUNK_WORDS = 1 << (CHUNK_BITS - 5);

/**
 * The OR of many serialized roaring bitmaps of one volume, kept as 8 KiB chunks of the track
 * space that were actually touched: memory follows the tracks written, not the highest track
 * number, and clearing costs the chunks used, not the volume's size. Counting and masking work
 * chunk by chunk.
 */
export class TrackUnion {
  readonly #chunks = new Map<number, Uint32Array>();
  readonly #spare: Uint32Array[] = [];

  /** OR a serialized roaring bitmap in. */
  add(blob: Uint8Array): void {
    walkRoaring(blob, { range: (first, last) => this.#setRange(first, last + 1) });
  }

  get empty(): boolean {
    return this.#chunks.size === 0;
  }

  count(): number {
    let n = 0;
    for (const words of this.#chunks.values()) for (let i = 0; i < CHUNK_WORDS; i++) n += popcount32(words[i]!);
    return n;
  }

  /** Tracks in both this union and `mask`. */
  countAnd(mask: Bitset): number {
    let n = 0;
    const m = mask.words;
    for (const [key, words] of this.#chunks) {
      const base = key * CHUNK_WORDS;
      const end = Math.min(CHUNK_WORDS, m.length - base);
      for (let i = 0; i < end; i++) n += popcount32(words[i]! & m[base + i]!);
    }
    return n;
  }

  /** Forget every track, keeping a few chunks for reuse. */
  clear(): void {
    for (const words of this.#chunks.values()) {
      if (this.#spare.length < 64) this.#spare.push(words.fill(0));
    }
    this.#chunks.clear();
  }

  // to exclusive
  #setRange(from: number, to: number): void {
    while (from < to) {
      const key = Math.floor(from / 2 ** CHUNK_BITS);
      const chunkEnd = Math.min(to, (key + 1) * 2 ** CHUNK_BITS);
      let words = this.#chunks.get(key);
      if (words === undefined) this.#chunks.set(key, (words = this.#spare.pop() ?? new Uint32Array(CHUNK_WORDS)));
      const base = key * 2 ** CHUNK_BITS;
      for (let i = from - base, e = chunkEnd - base; i < e; ) {
        if ((i & 31) === 0 && i + 32 <= e) {
          words[i >>> 5] = 0xffffffff;
          i += 32;
        } else {
          words[i >>> 5]! |= 1 << (i & 31);
          i++;
        }
      }
      from = chunkEnd;
    }
  }
}
