/** A growing byte buffer written at its end (collect/row-batch.ts RowPacker is one). */
export interface ByteSink {
  /** The buffer; replaced when `reserve` grows it. */
  readonly bytes: Uint8Array;
  /** A view of `bytes`. */
  readonly view: DataView;
  /** Room for `n` more bytes (zeroed) at the end: returns where they begin. */
  reserve(n: number): number;
}

/**
 * Written bytes per second inside one (volume, interval): what synchronous replication must carry
 * at its peak. Kept sparse — only seconds with writes — as little-endian `u32 count` then `count`
 * pairs of `u32 second (from the interval start), f64 bytes`, ascending by second.
 */

/** Encode the non-zero entries of `perSecond` (and zero them, ready for reuse). */
export function encodeProfile(perSecond: Float64Array): Uint8Array {
  let count = 0;
  for (let s = 0; s < perSecond.length; s++) if (perSecond[s] !== 0) count++;
  const out = new Uint8Array(4 + 12 * count);
  const view = new DataView(out.buffer);
  view.setUint32(0, count, true);
  let p = 4;
  for (let s = 0; s < perSecond.length; s++) {
    const bytes = perSecond[s]!;
    if (bytes === 0) continue;
    view.setUint32(p, s, true);
    view.setFloat64(p + 4, bytes, true);
    p += 12;
    perSecond[s] = 0;
  }
  return out;
}

/**
 * `encodeProfile` writing at the end of `out` instead (the same bytes, no buffer of its own);
 * zeroes `perSecond`.
 */
export function encodeProfileInto(perSecond: Float64Array, out: ByteSink): void {
  let count = 0;
  for (let s = 0; s < perSecond.length; s++) if (perSecond[s] !== 0) count++;
  let p = out.reserve(4 + 12 * count);
  const view = out.view;
  view.setUint32(p, count, true);
  p += 4;
  for (let s = 0; count > 0; s++) {
    const bytes = perSecond[s]!;
    if (bytes === 0) continue;
    view.setUint32(p, s, true);
    view.setFloat64(p + 4, bytes, true);
    p += 12;
    perSecond[s] = 0;
    count--;
  }
}

/** Add a profile's bytes into `target` at `offsetS` seconds (the interval's place in it). */
function addProfileInto(blob: Uint8Array, target: Float64Array, offsetS: number): void {
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const count = blob.byteLength >= 4 ? view.getUint32(0, true) : 0;
  if (blob.byteLength < 4 + 12 * count)
    throw new Error(`write profile: truncated (${blob.byteLength} bytes for ${count} entries)`);
  for (let i = 0, p = 4; i < count; i++, p += 12) {
    const at = offsetS + view.getUint32(p, true);
    if (at >= 0 && at < target.length) target[at]! += view.getFloat64(p + 4, true);
  }
}

/** Sum of two profiles of the same (volume, interval). */
export function mergeProfiles(a: Uint8Array, b: Uint8Array): Uint8Array {
  let length = 0;
  for (const blob of [a, b]) {
    const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
    const count = view.getUint32(0, true);
    if (count > 0) length = Math.max(length, view.getUint32(4 + 12 * (count - 1), true) + 1);
  }
  const dense = new Float64Array(length);
  addProfileInto(a, dense, 0);
  addProfileInto(b, dense, 0);
  return encodeProfile(dense);
}

/** The entries of a profile as [second, bytes] pairs (tests, inspection). */
export function profileEntries(blob: Uint8Array): [number, number][] {
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const out: [number, number][] = [];
  for (let i = 0, p = 4; i < view.getUint32(0, true); i++, p += 12)
    out.push([view.getUint32(p, true), view.getFloat64(p + 4, true)]);
  return out;
}
