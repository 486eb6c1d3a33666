import { setBitRange } from '../bitmap/bitset.js';
import { RoaringUnion } from '../bitmap/roaring-union.js';
import { RoaringWriter } from '../bitmap/roaring-writer.js';

/** Writes spanning more tracks than this are kept as ranges, not bits. */
export const LONG_RANGE_TRACKS = 2048;
const SUMMARY = 2048; // page words 2048..2111: bit w set when word w is not zero
const PAGE_WORDS = SUMMARY + 64;

/**
 * The collector's per-(volume, interval) flags: the first write to a track sets its flag.
 *
 * Tracks are kept in pages of 65,536 (one roaring chunk, 8 KiB of bits and a 256-byte summary of
 * the words in use), allocated when first written, so a write far out (track 4e9) costs one page,
 * not a bitset up to it. Writes longer
 * than `LONG_RANGE_TRACKS` tracks are ORed as ranges into a `RoaringUnion` (a run per chunk), so
 * one write of 2^32 tracks costs time and memory per chunk it spans, not per track. Closing
 * serializes each page straight into a roaring container (no list of tracks; time per word in
 * use), ORs in the ranges
 * when there are any, and clears for the next interval; pages left unwritten for a whole interval
 * are freed. Memory: 8 KiB per 65,536-track chunk written in this or the previous interval, plus
 * the union's bound for long writes.
 */
export class TrackSet {
  readonly #pages: (Uint32Array | undefined)[] = [];
  #ranges: RoaringUnion | null = null;
  readonly #writer = new RoaringWriter();

  /** Set the flag of `track` (0 <= track <= 2^32 - 1); later writes to it change nothing. */
  add(track: number): void {
    const key = track >>> 16;
    const page = this.#pages[key] ?? this.#page(key);
    const w = (track >>> 5) & 2047;
    const word = page[w]!;
    if (word === 0) page[SUMMARY + (w >>> 5)]! |= 1 << (w & 31);
    page[w] = word | (1 << (track & 31));
  }

  /** Set flags for tracks [first, last] — last inclusive. */
  addRange(first: number, last: number): void {
    if (last - first >= LONG_RANGE_TRACKS) {
      (this.#ranges ??= new RoaringUnion()).addRange(first, last);
      return;
    }
    for (let from = first; from <= last; ) {
      const key = from >>> 16;
      const to = Math.min(last, key * 65536 + 0xffff);
      const page = this.#pages[key] ?? this.#page(key);
      setBitRange(page, from & 0xffff, to & 0xffff);
      setBitRange(page, SUMMARY * 32 + ((from & 0xffff) >>> 5), SUMMARY * 32 + ((to & 0xffff) >>> 5));
      from = to + 1;
    }
  }

  /** The set as a portable roaring bitmap and its cardinality; then clear it for the next interval. */
  close(): { bitmap: Uint8Array; cardinality: number } {
    const pages = this.#pages;
    const ranges = this.#ranges;
    const writer = this.#writer;
    let kept = 0;
    for (let key = 0; key < pages.length; key++) {
      const page = pages[key];
      if (page === undefined) continue;
      let written: boolean;
      if (ranges === null) written = writer.addBitmap(key, page, 0, SUMMARY) > 0;
      else if ((written = !isEmpty(page))) ranges.addBitmap(key, page);
      if (!written) {
        pages[key] = undefined; // unwritten for a whole interval: free it
        continue;
      }
      clear(page);
      kept = key + 1;
    }
    pages.length = kept;
    if (ranges === null) {
      const cardinality = writer.cardinality;
      return { bitmap: writer.finish(), cardinality };
    }
    this.#ranges = null;
    return { bitmap: ranges.serialize(), cardinality: ranges.cardinality() };
  }

  #page(key: number): Uint32Array {
    const pages = this.#pages;
    while (pages.length <= key) pages.push(undefined);
    return (pages[key] = new Uint32Array(PAGE_WORDS));
  }
}

function isEmpty(page: Uint32Array): boolean {
  for (let u = SUMMARY; u < PAGE_WORDS; u++) if (page[u] !== 0) return false;
  return true;
}

/** Zero the words in use and the summary. */
function clear(page: Uint32Array): void {
  for (let u = 0; u < 64; u++) {
    let bits = page[SUMMARY + u]!;
    page[SUMMARY + u] = 0;
    while (bits !== 0) {
      const low = bits & -bits;
      bits ^= low;
      page[u * 32 + 31 - Math.clz32(low)] = 0;
    }
  }
}
