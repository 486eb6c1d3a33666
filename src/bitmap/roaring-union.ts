import { popcount32, setBitRange as setBits } from './bitset.js';
import { ARRAY_CONTAINER, BITMAP_CONTAINER, forEachContainer, type RangeSink } from './roaring.js';
import { RoaringWriter } from './roaring-writer.js';

/** Runs above this count become a bitmap: 2048 runs of 4 bytes are the 8 KiB of a bitmap. */
const MAX_RUNS = 2048;
const FULL = Uint16Array.of(0, 0xffff); // shared, never written: runs arrays are replaced, not edited

/** One 65,536-value chunk: inclusive runs (immutable, replaced on change) or an owned bitmap. */
class Chunk {
  runs: Uint16Array | null = null;
  nRuns = 0;
  bits: Uint32Array | null = null;
}

// Merge scratch, shared by all unions (single-threaded; a chunk has at most 32,768 runs).
const incoming = new Uint16Array(2 * 32_768);
const merged = new Uint16Array(2 * 32_768);

/**
 * Exact OR of many roaring bitmaps (and value ranges) held as per-chunk containers, never as a
 * list of values: each 65,536-value chunk is a list of runs while that takes at most 8 KiB, else an
 * 8 KiB bitmap. Memory is therefore at most 8 KiB (plus ~100 bytes) per chunk present in the
 * result, runs stay small (one run per full chunk: a union of all 2^32 values takes a few MiB),
 * and OR-ing a blob costs time in proportion to its containers and the chunks they meet.
 * `serialize()` needs the output size twice while it copies the bodies behind the header.
 *
 *   const u = new RoaringUnion();
 *   for (const blob of blobs) u.add(blob);
 *   u.cardinality();   // distinct values
 *   u.serialize();     // portable bytes, identical to serializeRoaring of the sorted union
 */
export class RoaringUnion {
  readonly #chunks = new Map<number, Chunk>();

  /** OR a serialized portable roaring bitmap in. Throws on a malformed blob. */
  add(blob: Uint8Array): void {
    forEachContainer(blob, (key, kind, card, at, view) => {
      const chunk = this.#chunk(key);
      if (kind === BITMAP_CONTAINER) {
        const bits = toBitmap(chunk);
        for (let w = 0, p = at; w < 2048; w++, p += 4) bits[w]! |= view.getUint32(p, true);
        return;
      }
      let n = 0;
      if (kind === ARRAY_CONTAINER) {
        let last = -2;
        for (let i = 0, p = at; i < card; i++, p += 2) {
          const v = view.getUint16(p, true);
          if (v <= last) throw new Error(`roaring: array container ${key} not ascending (${v} after ${last})`);
          if (v === last + 1) incoming[2 * n - 1] = v;
          else {
            incoming[2 * n] = v;
            incoming[2 * n + 1] = v;
            n++;
          }
          last = v;
        }
      } else {
        const count = view.getUint16(at, true);
        let last = -2;
        for (let r = 0, p = at + 2; r < count; r++, p += 4) {
          const first = view.getUint16(p, true);
          const end = first + view.getUint16(p + 2, true);
          if (first <= last || end > 0xffff) throw new Error(`roaring: run container ${key} is malformed`);
          last = end;
          if (n > 0 && first === incoming[2 * n - 1]! + 1) {
            incoming[2 * n - 1] = end; // adjacent runs: one run
            continue;
          }
          incoming[2 * n] = first;
          incoming[2 * n + 1] = end;
          n++;
        }
      }
      orRuns(chunk, incoming, n);
    });
  }

  /** OR the values `first .. last` (inclusive; 0 <= first <= last <= 2^32 - 1) in. */
  addRange(first: number, last: number): void {
    if (!(first >= 0 && first <= last && last <= 0xffff_ffff)) {
      throw new RangeError(`roaring union: bad range ${first}..${last}`);
    }
    const lastKey = Math.floor(last / 65536);
    for (let key = Math.floor(first / 65536); key <= lastKey; key++) {
      const from = key === Math.floor(first / 65536) ? first % 65536 : 0;
      const to = key === lastKey ? last % 65536 : 0xffff;
      const chunk = this.#chunk(key);
      if (from === 0 && to === 0xffff && chunk.bits === null) {
        chunk.runs = FULL;
        chunk.nRuns = 1;
        continue;
      }
      incoming[0] = from;
      incoming[1] = to;
      orRuns(chunk, incoming, 1);
    }
  }

  /** OR every value of another union in. */
  or(other: RoaringUnion): void {
    for (const [key, chunk] of other.#chunks) {
      if (chunk.bits !== null) this.addBitmap(key, chunk.bits);
      else orRuns(this.#chunk(key), chunk.runs!, chunk.nRuns);
    }
  }

  /** OR the `n` ascending 16-bit values `values[at] .. values[at + n - 1]` of chunk `key` in. */
  addSorted(key: number, values: Uint16Array, at: number, n: number): void {
    let runs = 0;
    for (let i = at; i < at + n; i++) {
      if (runs > 0 && values[i] === incoming[2 * runs - 1]! + 1) incoming[2 * runs - 1] = values[i]!;
      else {
        incoming[2 * runs] = incoming[2 * runs + 1] = values[i]!;
        runs++;
      }
    }
    orRuns(this.#chunk(key), incoming, runs);
  }

  /** OR chunk `key` given as the 2048 words `words[at] .. words[at + 2047]` (bit v = value v). */
  addBitmap(key: number, words: Uint32Array, at = 0): void {
    const bits = toBitmap(this.#chunk(key));
    for (let w = 0; w < 2048; w++) bits[w]! |= words[at + w]!;
  }

  /** Number of distinct values. Time: a pass over the containers. */
  cardinality(): number {
    let total = 0;
    for (const chunk of this.#chunks.values()) {
      if (chunk.bits !== null) for (let w = 0; w < 2048; w++) total += popcount32(chunk.bits[w]!);
      else for (let r = 0; r < chunk.nRuns; r++) total += chunk.runs![2 * r + 1]! - chunk.runs![2 * r]! + 1;
    }
    return total;
  }

  /**
   * Number of values in both this union and `other` (e.g. changed tracks inside a data set's
   * extents), chunk by chunk, without building the intersection.
   */
  countAnd(other: RoaringUnion): number {
    let total = 0;
    for (const [key, a] of this.#chunks) {
      const b = other.#chunks.get(key);
      if (b !== undefined) total += countChunkAnd(a, b);
    }
    return total;
  }

  /** The union in the portable serialization (same bytes as `serializeRoaring` of its values). */
  serialize(): Uint8Array {
    const writer = new RoaringWriter();
    for (const key of this.#sortedKeys()) {
      const chunk = this.#chunks.get(key)!;
      if (chunk.bits !== null) writer.addBitmap(key, chunk.bits);
      else writer.addRuns(key, chunk.runs!, chunk.nRuns);
    }
    return writer.finish();
  }

  /** Hand every run of consecutive values to `sink`, ascending. */
  walk(sink: RangeSink): void {
    let first = -2;
    let last = -2;
    const put = (a: number, b: number): void => {
      if (a === last + 1) last = b;
      else {
        if (first >= 0) sink.range(first, last);
        first = a;
        last = b;
      }
    };
    for (const key of this.#sortedKeys()) {
      const chunk = this.#chunks.get(key)!;
      const base = key * 65536;
      if (chunk.bits === null) {
        for (let r = 0; r < chunk.nRuns; r++) put(base + chunk.runs![2 * r]!, base + chunk.runs![2 * r + 1]!);
        continue;
      }
      for (let w = 0; w < 2048; w++) {
        let word = chunk.bits[w]!;
        while (word !== 0) {
          const low = word & -word;
          word ^= low;
          const v = base + w * 32 + 31 - Math.clz32(low);
          put(v, v);
        }
      }
    }
    if (first >= 0) sink.range(first, last);
  }

  /** Forget every value (and the memory holding them). */
  clear(): void {
    this.#chunks.clear();
  }

  /** Whether no value has been added since the last clear. */
  get isEmpty(): boolean {
    return this.#chunks.size === 0;
  }

  #chunk(key: number): Chunk {
    let chunk = this.#chunks.get(key);
    if (chunk === undefined) this.#chunks.set(key, (chunk = new Chunk()));
    return chunk;
  }

  #sortedKeys(): number[] {
    return [...this.#chunks.keys()].sort((a, b) => a - b);
  }
}

function countChunkAnd(a: Chunk, b: Chunk): number {
  if (a.bits !== null && b.bits !== null) {
    let n = 0;
    for (let w = 0; w < 2048; w++) n += popcount32(a.bits[w]! & b.bits[w]!);
    return n;
  }
  if (a.bits !== null || b.bits !== null) {
    const bits = a.bits ?? b.bits!;
    const runs = a.bits === null ? a : b;
    let n = 0;
    for (let r = 0; r < runs.nRuns; r++) n += countBits(bits, runs.runs![2 * r]!, runs.runs![2 * r + 1]!);
    return n;
  }
  // Both runs: walk them together, summing overlaps.
  const x = a.runs!;
  const y = b.runs!;
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.nRuns && j < b.nRuns) {
    const from = Math.max(x[2 * i]!, y[2 * j]!);
    const to = Math.min(x[2 * i + 1]!, y[2 * j + 1]!);
    if (from <= to) n += to - from + 1;
    if (x[2 * i + 1]! < y[2 * j + 1]!) i++;
    else j++;
  }
  return n;
}

/** Set bits of a 2048-word bitmap in first..last (inclusive). */
function countBits(bits: Uint32Array, first: number, last: number): number {
  const fw = first >>> 5;
  const lw = last >>> 5;
  const fm = (0xffff_ffff << (first & 31)) >>> 0;
  const lm = 0xffff_ffff >>> (31 - (last & 31));
  if (fw === lw) return popcount32(bits[fw]! & fm & lm);
  let n = popcount32(bits[fw]! & fm) + popcount32(bits[lw]! & lm);
  for (let w = fw + 1; w < lw; w++) n += popcount32(bits[w]!);
  return n;
}

/** The chunk as a bitmap, converting its runs. */
function toBitmap(chunk: Chunk): Uint32Array {
  if (chunk.bits !== null) return chunk.bits;
  const bits = new Uint32Array(2048);
  for (let r = 0; r < chunk.nRuns; r++) setBits(bits, chunk.runs![2 * r]!, chunk.runs![2 * r + 1]!);
  chunk.bits = bits;
  chunk.runs = null;
  chunk.nRuns = 0;
  return bits;
}

/** OR `n` ascending, disjoint inclusive runs into the chunk. */
function orRuns(chunk: Chunk, runs: Uint16Array, n: number): void {
  if (n === 0) return;
  if (chunk.bits !== null) {
    for (let r = 0; r < n; r++) setBits(chunk.bits, runs[2 * r]!, runs[2 * r + 1]!);
    return;
  }
  if (chunk.runs === FULL) return;
  const a = chunk.runs;
  const na = chunk.nRuns;
  let i = 0;
  let j = 0;
  let out = 0;
  let first = -1;
  let last = -1;
  while (i < na || j < n) {
    let s: number;
    let e: number;
    if (j >= n || (i < na && a![2 * i]! <= runs[2 * j]!)) {
      s = a![2 * i]!;
      e = a![2 * i + 1]!;
      i++;
    } else {
      s = runs[2 * j]!;
      e = runs[2 * j + 1]!;
      j++;
    }
    if (first < 0) {
      first = s;
      last = e;
    } else if (s <= last + 1) {
      if (e > last) last = e;
    } else {
      merged[2 * out] = first;
      merged[2 * out + 1] = last;
      out++;
      first = s;
      last = e;
    }
  }
  merged[2 * out] = first;
  merged[2 * out + 1] = last;
  out++;
  if (out > MAX_RUNS) {
    chunk.runs = null;
    chunk.nRuns = 0;
    const bits = (chunk.bits = new Uint32Array(2048));
    for (let r = 0; r < out; r++) setBits(bits, merged[2 * r]!, merged[2 * r + 1]!);
    return;
  }
  chunk.runs = out === 1 && merged[0] === 0 && merged[1] === 0xffff ? FULL : merged.slice(0, 2 * out);
  chunk.nRuns = out;
}
