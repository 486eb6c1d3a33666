/**
 * Roaring bitmaps in the portable serialization shared by CRoaring, Java, Go and roaring-wasm
 * (https://github.com/RoaringBitmap/RoaringFormatSpec). We only need to write a bitmap from a
 * sorted list of track numbers, read one back, and OR it into a dense `Bitset`, so this is a
 * codec rather than a full bitmap type. Writing picks, per 65,536-value container, the smallest
 * of array, bitmap and run encodings, as CRoaring's runOptimize does (`runEncodes`).
 */

// Format constants of the portable serialization, shared with roaring-writer.ts.
export const COOKIE_NO_RUNS = 12346;
export const COOKIE_RUNS = 12347;
export const ARRAY_MAX = 4096; // containers above this cardinality are bitmaps unless run-encoded
export const BITMAP_BYTES = 8192;
export const NO_OFFSET_THRESHOLD = 4; // with runs, offsets are written only for >= 4 containers

/**
 * Whether a container of `card` values in `nRuns` runs is written as runs: CRoaring's
 * runOptimize rule, which sizes an array as 2 bytes more than its values (its own count field),
 * so runs win a tie with an array (3 values in 1 run) but never with a bitmap.
 */
export function runEncodes(card: number, nRuns: number): boolean {
  return card <= ARRAY_MAX ? 2 + 4 * nRuns < 2 * card + 2 : 2 + 4 * nRuns < BITMAP_BYTES;
}

/** Serialize the first `length` values of `sorted` (ascending, no duplicates). */
export function serializeRoaring(sorted: Uint32Array, length = sorted.length): Uint8Array {
  // Plan: per container its key, value range in `sorted`, runs and chosen kind.
  const keys: number[] = [];
  const starts: number[] = [];
  const runs: number[] = [];
  for (let i = 0; i < length;) {
    const key = sorted[i]! >>> 16;
    let j = i + 1;
    let runCount = 1;
    while (j < length && sorted[j]! >>> 16 === key) {
      if (sorted[j]! !== sorted[j - 1]! + 1) runCount++;
      j++;
    }
    keys.push(key);
    starts.push(i);
    runs.push(runCount);
    i = j;
  }
  starts.push(length);
  const size = keys.length;
  const kinds = new Uint8Array(size); // 0 array, 1 bitmap, 2 run
  let hasRuns = false;
  let bodyBytes = 0;
  for (let c = 0; c < size; c++) {
    const card = starts[c + 1]! - starts[c]!;
    const plain = card <= ARRAY_MAX ? 2 * card : BITMAP_BYTES;
    const run = 2 + 4 * runs[c]!;
    if (runEncodes(card, runs[c]!)) {
      kinds[c] = 2;
      hasRuns = true;
      bodyBytes += run;
    } else {
      kinds[c] = card <= ARRAY_MAX ? 0 : 1;
      bodyBytes += plain;
    }
  }
  const withOffsets = !hasRuns || size >= NO_OFFSET_THRESHOLD;
  const headerBytes = (hasRuns ? 4 + ((size + 7) >>> 3) : 8) + 4 * size + (withOffsets ? 4 * size : 0);
  const out = new Uint8Array(headerBytes + bodyBytes);
  const view = new DataView(out.buffer);
  let p = 0;
  if (hasRuns) {
    view.setUint32(p, (COOKIE_RUNS | ((size - 1) << 16)) >>> 0, true);
    p += 4;
    for (let c = 0; c < size; c++) if (kinds[c] === 2) out[p + (c >>> 3)]! |= 1 << (c & 7);
    p += (size + 7) >>> 3;
  } else {
    view.setUint32(0, COOKIE_NO_RUNS, true);
    view.setUint32(4, size, true);
    p = 8;
  }
  for (let c = 0; c < size; c++) {
    view.setUint16(p, keys[c]!, true);
    view.setUint16(p + 2, starts[c + 1]! - starts[c]! - 1, true);
    p += 4;
  }
  let offsetAt = p;
  if (withOffsets) p += 4 * size;
  for (let c = 0; c < size; c++) {
    if (withOffsets) {
      view.setUint32(offsetAt, p, true);
      offsetAt += 4;
    }
    const from = starts[c]!;
    const to = starts[c + 1]!;
    if (kinds[c] === 0) {
      for (let i = from; i < to; i++, p += 2) view.setUint16(p, sorted[i]! & 0xffff, true);
    } else if (kinds[c] === 1) {
      for (let i = from; i < to; i++) {
        const low = sorted[i]! & 0xffff;
        out[p + (low >>> 3)]! |= 1 << (low & 7);
      }
      p += BITMAP_BYTES;
    } else {
      view.setUint16(p, runs[c]!, true);
      p += 2;
      let runStart = from;
      for (let i = from + 1; i <= to; i++) {
        if (i === to || sorted[i]! !== sorted[i - 1]! + 1) {
          view.setUint16(p, sorted[runStart]! & 0xffff, true);
          view.setUint16(p + 2, i - runStart - 1, true);
          p += 4;
          runStart = i;
        }
      }
    }
  }
  return out;
}

/** Receives the decoded values of a roaring bitmap as inclusive ranges [first, last]. */
export interface RangeSink {
  range(first: number, last: number): void;
}

/** Container kinds of the portable format. */
export const ARRAY_CONTAINER = 0;
export const BITMAP_CONTAINER = 1;
export const RUN_CONTAINER = 2;

/**
 * Called for each container of a serialized bitmap, in ascending key order: `key` is the high 16
 * bits of its values, `card` its cardinality from the header, `at` the byte offset of its body in
 * the blob (array: `card` u16 values; bitmap: 8192 bytes; run: u16 count then (start, length - 1)
 * u16 pairs), all little-endian. The body's bytes are checked to be present before the call.
 */
export type ContainerVisitor = (key: number, kind: number, card: number, at: number, view: DataView) => void;

/** Visit every container of a serialized roaring bitmap. Throws on a malformed blob. */
export function forEachContainer(blob: Uint8Array, visit: ContainerVisitor): void {
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const need = (n: number): void => {
    if (n > blob.byteLength) throw new Error(`roaring: truncated bitmap (${blob.byteLength} bytes)`);
  };
  need(4);
  const cookie = view.getUint32(0, true);
  let size: number;
  let p: number;
  let runFlags: Uint8Array | null = null;
  if ((cookie & 0xffff) === COOKIE_RUNS) {
    size = (cookie >>> 16) + 1;
    const flagBytes = (size + 7) >>> 3;
    need(4 + flagBytes);
    runFlags = blob.subarray(4, 4 + flagBytes);
    p = 4 + flagBytes;
  } else if (cookie === COOKIE_NO_RUNS) {
    need(8);
    size = view.getUint32(4, true);
    p = 8;
  } else {
    throw new Error(`roaring: not a portable roaring bitmap (cookie ${cookie})`);
  }
  if (size > 65536) throw new Error(`roaring: ${size} containers (at most 65536)`);
  need(p + 4 * size);
  const header = p;
  p += 4 * size;
  if (runFlags === null || size >= NO_OFFSET_THRESHOLD) p += 4 * size;
  let lastKey = -1;
  for (let c = 0; c < size; c++) {
    const key = view.getUint16(header + 4 * c, true);
    if (key <= lastKey) throw new Error(`roaring: container keys not ascending (${key} after ${lastKey})`);
    lastKey = key;
    const card = view.getUint16(header + 4 * c + 2, true) + 1;
    let kind: number;
    let bytes: number;
    if (runFlags !== null && (runFlags[c >>> 3]! & (1 << (c & 7))) !== 0) {
      need(p + 2);
      kind = RUN_CONTAINER;
      bytes = 2 + 4 * view.getUint16(p, true);
    } else if (card <= ARRAY_MAX) {
      kind = ARRAY_CONTAINER;
      bytes = 2 * card;
    } else {
      kind = BITMAP_CONTAINER;
      bytes = BITMAP_BYTES;
    }
    need(p + bytes);
    visit(key, kind, card, p, view);
    p += bytes;
  }
}

/**
 * Walk a serialized roaring bitmap, handing every run of consecutive values to `sink` in
 * ascending order. Throws on a malformed blob (wrong cookie, truncated data).
 */
export function walkRoaring(blob: Uint8Array, sink: RangeSink): void {
  forEachContainer(blob, (key, kind, card, at, view) => {
    const base = key * 65536;
    if (kind === RUN_CONTAINER) {
      const n = view.getUint16(at, true);
      for (let r = 0, p = at + 2; r < n; r++, p += 4) {
        const start = base + view.getUint16(p, true);
        sink.range(start, start + view.getUint16(p + 2, true));
      }
    } else if (kind === ARRAY_CONTAINER) {
      let first = -2;
      let last = -2;
      for (let i = 0, p = at; i < card; i++, p += 2) {
        const v = base + view.getUint16(p, true);
        if (v === last + 1) last = v;
        else {
          if (first >= 0) sink.range(first, last);
          first = last = v;
        }
      }
      if (first >= 0) sink.range(first, last);
    } else {
      let first = -2;
      let last = -2;
      for (let w = 0, p = at; w < 2048; w++, p += 4) {
        let bits = view.getUint32(p, true);
        while (bits !== 0) {
          const t = bits & -bits;
          const v = base + w * 32 + (31 - Math.clz32(t));
          if (v === last + 1) last = v;
          else {
            if (first >= 0) sink.range(first, last);
            first = last = v;
          }
          bits ^= t;
        }
      }
      if (first >= 0) sink.range(first, last);
    }
  });
}

/** Decode to a sorted array of values (tests, small bitmaps). */
export function decodeRoaring(blob: Uint8Array): number[] {
  const values: number[] = [];
  walkRoaring(blob, {
    range(first, last) {
      for (let v = first; v <= last; v++) values.push(v);
    },
  });
  return values;
}
