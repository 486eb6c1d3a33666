import type { IntervalRow } from '../store/store.js';
import type { IntervalRecord } from './tracker.js';

/**
 * Closed interval rows packed into one buffer for a worker's message: one transfer per batch
 * instead of a cloned object and two buffers per (volume, interval), which cost more than the
 * rows' work when cells are many and small. Per row, little-endian: u32 volume id, f64 start,
 * 5 x f64 counters (writes, write bytes, reads, read bytes, changed tracks), u32 bitmap length,
 * u32 profile length, then the bitmap and profile bytes.
 */
const HEAD = 4 + 8 + 40 + 4 + 4;

/** Pack closed records (volume ids of the worker's volume table). */
export function packRows(records: readonly IntervalRecord[]): ArrayBuffer {
  let bytes = 0;
  for (const r of records) bytes += HEAD + r.bitmap.byteLength + r.writeProfile.byteLength;
  const out = new Uint8Array(bytes);
  const view = new DataView(out.buffer);
  let p = 0;
  for (const r of records) {
    view.setUint32(p, r.volume, true);
    view.setFloat64(p + 4, r.startS, true);
    view.setFloat64(p + 12, r.writes, true);
    view.setFloat64(p + 20, r.writeBytes, true);
    view.setFloat64(p + 28, r.reads, true);
    view.setFloat64(p + 36, r.readBytes, true);
    view.setFloat64(p + 44, r.changedTracks, true);
    view.setUint32(p + 52, r.bitmap.byteLength, true);
    view.setUint32(p + 56, r.writeProfile.byteLength, true);
    out.set(r.bitmap, p + HEAD);
    out.set(r.writeProfile, p + HEAD + r.bitmap.byteLength);
    p += HEAD + r.bitmap.byteLength + r.writeProfile.byteLength;
  }
  return out.buffer;
}

/** The rows of a packed buffer, volume ids named by `names`; bitmaps and profiles are views into it. */
export function unpackRows(buffer: ArrayBuffer, names: readonly string[]): IntervalRow[] {
  const data = new Uint8Array(buffer);
  const view = new DataView(buffer);
  const rows: IntervalRow[] = [];
  for (let p = 0; p < data.byteLength; ) {
    const bitmapBytes = view.getUint32(p + 52, true);
    const profileBytes = view.getUint32(p + 56, true);
    const at = p + HEAD;
    rows.push({
      volume: names[view.getUint32(p, true)]!,
      startS: view.getFloat64(p + 4, true),
      writes: view.getFloat64(p + 12, true),
      writeBytes: view.getFloat64(p + 20, true),
      reads: view.getFloat64(p + 28, true),
      readBytes: view.getFloat64(p + 36, true),
      changedTracks: view.getFloat64(p + 44, true),
      bitmap: data.subarray(at, at + bitmapBytes),
      writeProfile: data.subarray(at + bitmapBytes, at + bitmapBytes + profileBytes),
    });
    p = at + bitmapBytes + profileBytes;
  }
  return rows;
}
