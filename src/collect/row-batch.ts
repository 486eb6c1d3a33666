import type { IntervalRow } from '../store/store.js';
import type { IntervalRecord } from './tracker.js';
import type { ByteSink } from '../store/write-profile.js';

/**
 * Closed interval rows packed into one buffer for a worker's message: one transfer per batch
 * instead of a cloned object and two buffers per (volume, interval), which cost more than the
 * rows' work when cells are many and small. Per row, little-endian: u32 volume id, f64 start,
 * 5 x f64 counters (writes, write bytes, reads, read bytes, changed tracks), u32 bitmap length,
 * u32 profile length, then the bitmap and profile bytes.
 */
const HEAD = 4 + 8 + 40 + 4 + 4;

export type { ByteSink };

/** Rows packed one after another, handed over by `take()`. */
export class RowPacker implements ByteSink {
  bytes = new Uint8Array(1 << 16);
  view = new DataView(this.bytes.buffer);
  length = 0;

  reserve(n: number): number {
    const at = this.length;
    if (at + n > this.bytes.length) {
      let capacity = this.bytes.length;
      while (capacity < at + n) capacity *= 2;
      const grown = new Uint8Array(capacity);
      grown.set(this.bytes.subarray(0, at));
      this.bytes = grown;
      this.view = new DataView(grown.buffer);
    }
    this.length = at + n;
    return at;
  }

  /** Begin a row: its head, with the counters; the bitmap and then the profile follow it. */
  beginRow(
    volume: number,
    startS: number,
    writes: number,
    writeBytes: number,
    reads: number,
    readBytes: number,
  ): number {
    const at = this.reserve(HEAD);
    const view = this.view;
    view.setUint32(at, volume, true);
    view.setFloat64(at + 4, startS, true);
    view.setFloat64(at + 12, writes, true);
    view.setFloat64(at + 20, writeBytes, true);
    view.setFloat64(at + 28, reads, true);
    view.setFloat64(at + 36, readBytes, true);
    return at;
  }

  /** End the row begun at `at`, whose bitmap ends at `bitmapEnd` and profile at the end. */
  endRow(at: number, changedTracks: number, bitmapEnd: number): void {
    const view = this.view;
    view.setFloat64(at + 44, changedTracks, true);
    view.setUint32(at + 52, bitmapEnd - at - HEAD, true);
    view.setUint32(at + 56, this.length - bitmapEnd, true);
  }

  /** The rows packed since the last call (a buffer of their own), or null for none. */
  take(): ArrayBuffer | null {
    if (this.length === 0) return null;
    const out = this.bytes.slice(0, this.length).buffer;
    this.bytes.fill(0, 0, this.length);
    this.length = 0;
    return out;
  }
}

/** Pack closed records (volume ids of the worker's volume table). */
export function packRows(records: readonly IntervalRecord[]): ArrayBuffer {
  const packer = new RowPacker();
  for (const r of records) {
    const at = packer.beginRow(r.volume, r.startS, r.writes, r.writeBytes, r.reads, r.readBytes);
    packer.bytes.set(r.bitmap, packer.reserve(r.bitmap.byteLength));
    const bitmapEnd = packer.length;
    packer.bytes.set(r.writeProfile, packer.reserve(r.writeProfile.byteLength));
    packer.endRow(at, r.changedTracks, bitmapEnd);
  }
  return packer.take() ?? new ArrayBuffer(0);
}

/** The rows of a packed buffer, volume ids named by `names`; bitmaps and profiles are views into it. */
export function unpackRows(buffer: ArrayBuffer, names: readonly string[]): IntervalRow[] {
  const data = new Uint8Array(buffer);
  const view = new DataView(buffer);
  const rows: IntervalRow[] = [];
  for (let p = 0; p < data.byteLength;) {
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
