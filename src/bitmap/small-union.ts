import {
  ARRAY_CONTAINER,
  ARRAY_MAX,
  COOKIE_NO_RUNS,
  COOKIE_RUNS,
  NO_OFFSET_THRESHOLD,
  RUN_CONTAINER,
  forEachContainer,
  serializeRoaring,
} from './roaring.js';

/** Unions of at most this many values (counted with repeats) take the small path. */
export const SMALL_UNION_VALUES = 4096;

const values = new Uint32Array(SMALL_UNION_VALUES);

/**
 * Exact union of serialized roaring bitmaps holding few values in all (at most
 * `SMALL_UNION_VALUES`, counted with repeats, in array or run containers): their values listed,
 * sorted and deduplicated, serialized again — the bytes `unionRoaring` gives, at a fraction of
 * its cost for the tiny bitmaps of many small cells. Null when the inputs hold more values or a
 * bitmap container: use `unionRoaring`. Memory: a fixed 16 KiB list.
 */
export function unionSmall(blobs: readonly Uint8Array[]): { bitmap: Uint8Array; cardinality: number } | null {
  let n = 0;
  let fits = true;
  const visit = (key: number, kind: number, card: number, at: number, view: DataView): void => {
    if (!fits) return;
    if (n + card > SMALL_UNION_VALUES || (kind !== ARRAY_CONTAINER && kind !== RUN_CONTAINER)) {
      fits = false;
      return;
    }
    const base = key * 65536;
    let previous = -1; // malformed containers are refused as RoaringUnion refuses them
    if (kind === ARRAY_CONTAINER) {
      for (let i = 0; i < card; i++) {
        const low = view.getUint16(at + 2 * i, true);
        if (low <= previous) {
          throw new Error(`roaring: array container ${key} not ascending (${low} after ${previous})`);
        }
        values[n++] = base + (previous = low);
      }
      return;
    }
    const runs = view.getUint16(at, true);
    for (let r = 0, p = at + 2; r < runs; r++, p += 4) {
      const low = view.getUint16(p, true);
      const end = low + view.getUint16(p + 2, true);
      if (low <= previous || end > 0xffff) throw new Error(`roaring: run container ${key} is malformed`);
      previous = end;
      const first = base + low;
      const last = base + end;
      if (n + (last - first + 1) > SMALL_UNION_VALUES) {
        fits = false; // a header that understates its runs' values
        return;
      }
      for (let v = first; v <= last; v++) values[n++] = v;
    }
  };
  for (const blob of blobs) {
    const listed = addArrays(blob, n);
    if (listed >= 0) {
      n = listed;
      continue;
    }
    forEachContainer(blob, visit);
    if (!fits) return null;
  }
  const sorted = values.subarray(0, n).sort();
  let distinct = 0;
  for (let i = 0; i < n; i++) if (i === 0 || sorted[i] !== sorted[distinct - 1]) sorted[distinct++] = sorted[i]!;
  return { bitmap: serializeRoaring(sorted, distinct), cardinality: distinct };
}

/**
 * The common case read directly: array and run containers, listed after the first `n` values.
 * Returns the new count, or -1 (nothing kept) for any other blob, a malformed one included,
 * which the general reader then handles (and refuses).
 */
function addArrays(blob: Uint8Array, n: number): number {
  const length = blob.byteLength;
  if (length < 8) return -1;
  const cookie = u16(blob, 0);
  let size: number;
  let header: number;
  let flags = -1; // where the run flags begin, when there are any
  if (cookie === COOKIE_RUNS) {
    size = u16(blob, 2) + 1;
    flags = 4;
    header = 4 + ((size + 7) >>> 3);
  } else if (cookie === COOKIE_NO_RUNS && u16(blob, 2) === 0) {
    size = u16(blob, 4) + u16(blob, 6) * 65536;
    header = 8;
  } else return -1;
  // Keys and cardinalities, offsets (not with runs and few containers), then bodies in order.
  let p = header + 4 * size + (flags < 0 || size >= NO_OFFSET_THRESHOLD ? 4 * size : 0);
  if (size > 65536 || p > length) return -1;
  let lastKey = -1;
  for (let c = 0; c < size; c++) {
    const key = u16(blob, header + 4 * c);
    const card = u16(blob, header + 4 * c + 2) + 1;
    if (key <= lastKey) return -1;
    lastKey = key;
    const base = key * 65536;
    let previous = -1;
    if (flags >= 0 && (blob[flags + (c >>> 3)]! & (1 << (c & 7))) !== 0) {
      if (p + 2 > length) return -1;
      const runs = u16(blob, p);
      p += 2;
      if (p + 4 * runs > length) return -1;
      for (let r = 0; r < runs; r++, p += 4) {
        const low = u16(blob, p);
        const end = low + u16(blob, p + 2);
        if (low <= previous || end > 0xffff || n + (end - low + 1) > SMALL_UNION_VALUES) return -1;
        previous = end;
        for (let v = base + low; v <= base + end; v++) values[n++] = v;
      }
      continue;
    }
    if (card > ARRAY_MAX || n + card > SMALL_UNION_VALUES || p + 2 * card > length) return -1;
    for (let i = 0; i < card; i++, p += 2) {
      const low = u16(blob, p);
      if (low <= previous) return -1;
      values[n++] = base + (previous = low);
    }
  }
  return n;
}

function u16(blob: Uint8Array, at: number): number {
  return blob[at]! | (blob[at + 1]! << 8);
}
