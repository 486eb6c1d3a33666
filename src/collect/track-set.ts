import { popcount32, setBitRange } from '../bitmap/bitset.js';
import { RoaringUnion } from '../bitmap/roaring-union.js';
import { RoaringWriter } from '../bitmap/roaring-writer.js';
import type { ByteSink } from './row-batch.js';

/** Writes spanning more tracks than this are kept as ranges, not bits. */
export const LONG_RANGE_TRACKS = 2048;
/**
 * A chunk holds its tracks as a sorted list up to this many, then as bits: low enough that the
 * list's binary search stays cheap, high enough that a page of bits costs at most 66 B a track.
 */
const LIST_MAX = 128;
const SUMMARY = 2048; // page words 2048..2111: bit w set when word w is not zero
const PAGE_WORDS = SUMMARY + 64;

/**
 * The collector's per-(volume, interval) flags: the first write to a track sets its flag.
 *
 * Tracks are kept per 65,536-track chunk: a sorted list of 16-bit values (2 bytes a track,
 * capacity doubling) up to `LIST_MAX` tracks, then a page of bits (8 KiB, plus a 256-byte summary
 * of the words in use). A chunk whose page held more than `LIST_MAX` tracks keeps it, cleared, for
 * the next interval, so busy chunks stay on the bit-test fast path; other chunks are freed at
 * close. Writes longer than `LONG_RANGE_TRACKS` tracks are ORed as ranges into a `RoaringUnion`
 * (a run per chunk), so one write of 2^32 tracks costs time and memory per chunk it spans, not per
 * track. Closing writes each chunk straight into a roaring container (no list of all tracks; time
 * per track listed or word in use) and ORs in the ranges when there are any.
 *
 * Memory: per chunk with at most `LIST_MAX` tracks, 4 bytes a track (list capacity doubles) plus
 * ~100 bytes; per chunk with more (now or in the previous interval), 8.25 KiB, i.e. at most 66
 * bytes a track; plus the union's bound for long writes.
 */
export class TrackSet {
  readonly #pages: (Uint32Array | undefined)[] = [];
  readonly #lists: (Uint16Array | undefined)[] = []; // [count, ascending values...]
  #ranges: RoaringUnion | null = null;
  readonly #writer = new RoaringWriter();

  /** Set the flag of `track` (0 <= track <= 2^32 - 1); later writes to it change nothing. */
  add(track: number): void {
    const key = track >>> 16;
    const page = this.#pages[key];
    if (page === undefined) {
      this.#addToList(key, track & 0xffff);
      return;
    }
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
    for (let from = first; from <= last;) {
      const key = from >>> 16;
      const to = Math.min(last, key * 65536 + 0xffff);
      const page = this.#pages[key] ?? this.#mergeIntoList(key, from & 0xffff, to & 0xffff);
      if (page !== null) setPageRange(page, from & 0xffff, to & 0xffff);
      from = to + 1;
    }
  }

  /** The set as a portable roaring bitmap and its cardinality; then clear it for the next interval. */
  close(): { bitmap: Uint8Array; cardinality: number } {
    const fromRanges = this.#collect();
    if (fromRanges !== null) return fromRanges;
    const cardinality = this.#writer.cardinality;
    return { bitmap: this.#writer.finish(), cardinality };
  }

  /**
   * `close()` writing the bitmap at the end of `out` instead (the same bytes, no bitmap of its
   * own); returns the cardinality.
   */
  closeInto(out: ByteSink): number {
    const fromRanges = this.#collect();
    if (fromRanges !== null) {
      const at = out.reserve(fromRanges.bitmap.byteLength);
      out.bytes.set(fromRanges.bitmap, at);
      return fromRanges.cardinality;
    }
    const writer = this.#writer;
    const cardinality = writer.cardinality;
    const at = out.reserve(writer.serializedBytes());
    writer.finishInto(out.bytes, at);
    return cardinality;
  }

  /**
   * Hand every chunk to the roaring writer (or, with long ranges, to their union, returned
   * serialized) and clear the set for the next interval.
   */
  #collect(): { bitmap: Uint8Array; cardinality: number } | null {
    const pages = this.#pages;
    const lists = this.#lists;
    const ranges = this.#ranges;
    const writer = this.#writer;
    let kept = 0;
    const keys = Math.max(pages.length, lists.length);
    for (let key = 0; key < keys; key++) {
      const list = lists[key];
      if (list !== undefined) {
        if (ranges === null) writer.addSorted(key, list, 1, list[0]!);
        else ranges.addSorted(key, list, 1, list[0]!);
        continue;
      }
      const page = pages[key];
      if (page === undefined) continue;
      let card: number;
      if (ranges === null) card = writer.addBitmap(key, page, 0, SUMMARY);
      else {
        card = pageCardinality(page);
        if (card > 0) ranges.addBitmap(key, page);
      }
      if (card <= LIST_MAX) {
        pages[key] = undefined; // a quiet chunk: a list serves it better next interval
        continue;
      }
      clearPage(page);
      kept = key + 1;
    }
    pages.length = kept;
    lists.length = kept;
    lists.fill(undefined);
    if (ranges === null) return null;
    this.#ranges = null;
    return { bitmap: ranges.serialize(), cardinality: ranges.cardinality() };
  }

  /** Add `low` to chunk `key`'s list, turning it into a page when it would pass LIST_MAX. */
  #addToList(key: number, low: number): void {
    const lists = this.#lists;
    if (lists.length <= key) this.#ensure(key);
    let list = lists[key];
    if (list === undefined) lists[key] = list = new Uint16Array(9);
    const n = list[0]!;
    const lo = lowerBound(list, n, low);
    if (lo <= n && list[lo] === low) return;
    if (n === LIST_MAX) {
      const page = this.#toPage(key, list);
      setPageRange(page, low, low);
      return;
    }
    if (n + 1 === list.length) {
      const grown = new Uint16Array(Math.min(2 * n + 1, LIST_MAX + 1));
      grown.set(list);
      lists[key] = list = grown;
    }
    list.copyWithin(lo + 1, lo, n + 1);
    list[lo] = low;
    list[0] = n + 1;
  }

  /**
   * Add values `from .. to` (inclusive) of chunk `key` to its list, in place; when the result
   * would pass LIST_MAX, return the chunk's new page for the caller to set them in.
   */
  #mergeIntoList(key: number, from: number, to: number): Uint32Array | null {
    const lists = this.#lists;
    if (lists.length <= key) this.#ensure(key);
    let list = lists[key] ?? EMPTY;
    const n = list[0]!;
    const below = lowerBound(list, n, from); // first index with value >= from
    const above = lowerBound(list, n, to + 1); // first index with value > to
    const total = n + (to - from + 1) - (above - below);
    if (total > LIST_MAX) return this.#toPage(key, list);
    if (total + 1 > list.length) {
      let capacity = Math.max(8, list.length - 1);
      while (capacity < total) capacity *= 2;
      const grown = new Uint16Array(Math.min(capacity, LIST_MAX) + 1);
      grown.set(list.subarray(0, n + 1));
      lists[key] = list = grown;
    }
    list.copyWithin(below + (to - from + 1), above, n + 1);
    for (let v = from, p = below; v <= to; v++, p++) list[p] = v;
    list[0] = total;
    return null;
  }

  /** Replace chunk `key`'s list by a page of bits holding the same values. */
  #toPage(key: number, list: Uint16Array): Uint32Array {
    const pages = this.#pages;
    if (pages.length <= key) this.#ensure(key);
    const page = new Uint32Array(PAGE_WORDS);
    for (let i = 1; i <= list[0]!; i++) setPageRange(page, list[i]!, list[i]!);
    pages[key] = page;
    this.#lists[key] = undefined;
    return page;
  }

  /** Grow both chunk tables to hold `key`, so the hot path reads within bounds. */
  #ensure(key: number): void {
    while (this.#pages.length <= key) this.#pages.push(undefined);
    while (this.#lists.length <= key) this.#lists.push(undefined);
  }
}

const EMPTY = new Uint16Array(1);

/** The first index i in 1..n with list[i] >= value (n + 1 if none): binary search. */
function lowerBound(list: Uint16Array, n: number, value: number): number {
  let lo = 1;
  let hi = n + 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Set bits first..last (inclusive) of a page and mark their words in the summary. */
function setPageRange(page: Uint32Array, first: number, last: number): void {
  setBitRange(page, first, last);
  setBitRange(page, SUMMARY * 32 + (first >>> 5), SUMMARY * 32 + (last >>> 5));
}

function pageCardinality(page: Uint32Array): number {
  let card = 0;
  for (let u = 0; u < 64; u++) {
    let bits = page[SUMMARY + u]!;
    while (bits !== 0) {
      const low = bits & -bits;
      bits ^= low;
      card += popcount32(page[u * 32 + 31 - Math.clz32(low)]!);
    }
  }
  return card;
}

/** Zero the words in use and the summary. */
function clearPage(page: Uint32Array): void {
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
