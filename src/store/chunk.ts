import { unionBitmaps } from '../bitmap/union.js';
import { mergeCounters } from './merge.js';
import type { ChunkRollup, IntervalRow } from './store.js';

/**
 * Stored rows are chunks: one row per (volume, chunk of CHUNK_INTERVALS intervals, run) holding
 * its intervals packed end to end, plus the chunk's rollup — counters summed and the OR of its
 * bitmaps (exact: a rollup is the OR of its intervals). Sixty times fewer rows than one per
 * interval: fewer inserts when collecting many small cells, one volume's rows close together
 * when reading volume by volume, and whole chunks answered from their rollup.
 */
export const CHUNK_INTERVALS = 60;

/** Start of the chunk holding an interval start. */
export function chunkStartS(startS: number, intervalS: number): number {
  const span = CHUNK_INTERVALS * intervalS;
  return Math.floor(startS / span) * span;
}

/** A chunk as stored: its rollup, its per-interval counts and its intervals packed. */
export interface ChunkRecord extends ChunkRollup {
  firstS: number;
  lastS: number;
  /** Per interval, ascending: u32 offset (s) from the chunk start and f64 changed tracks (`COUNT_BYTES` each). */
  counts: Uint8Array;
  data: Uint8Array;
}

/** Bytes per interval of a chunk's or a rollup's counts: u32 offset (s) from its start, f64 changed tracks. */
export const COUNT_BYTES = 12;

// Per interval: u32 offset from the chunk start, u8 partial, 4 x f64 counters, f64 changed
// tracks (a full 32-bit track space holds 2^32, one more than a u32 can), u32 bitmap length,
// bitmap, u32 profile length, profile.
export const HEAD = 4 + 1 + 32 + 8;
/** Where an interval's write bytes and changed tracks lie in its head (f64 each). */
export const HEAD_WRITE_BYTES_AT = 13;
export const HEAD_TRACKS_AT = 37;

/** Pack the intervals of one (volume, chunk, run), sorted by start, with their rollup. */
export function packChunk(chunkS: number, rows: readonly IntervalRow[]): ChunkRecord {
  let ascending = true;
  for (let i = 1; i < rows.length && ascending; i++) ascending = rows[i - 1]!.startS <= rows[i]!.startS;
  const sorted = ascending ? rows : [...rows].sort((a, b) => a.startS - b.startS);
  let bytes = 0;
  for (const r of sorted) bytes += HEAD + 4 + r.bitmap.byteLength + 4 + r.writeProfile.byteLength;
  const data = new Uint8Array(bytes);
  const view = new DataView(data.buffer);
  const counts = new Uint8Array(sorted.length * COUNT_BYTES);
  const countView = new DataView(counts.buffer);
  const rec: ChunkRecord = {
    firstS: sorted[0]!.startS,
    lastS: sorted[sorted.length - 1]!.startS,
    cells: sorted.length,
    writes: 0,
    writeBytes: 0,
    reads: 0,
    readBytes: 0,
    changedTracks: 0,
    orBitmap: new Uint8Array(0),
    counts,
    data,
  };
  let p = 0;
  for (let i = 0; i < sorted.length; i++) {
    const r = sorted[i]!;
    countView.setUint32(i * COUNT_BYTES, r.startS - chunkS, true);
    countView.setFloat64(i * COUNT_BYTES + 4, r.changedTracks, true);
    view.setUint32(p, r.startS - chunkS, true);
    view.setUint8(p + 4, r.partial ? 1 : 0);
    view.setFloat64(p + 5, r.writes, true);
    view.setFloat64(p + 13, r.writeBytes, true);
    view.setFloat64(p + 21, r.reads, true);
    view.setFloat64(p + 29, r.readBytes, true);
    view.setFloat64(p + 37, r.changedTracks, true);
    p += HEAD;
    view.setUint32(p, r.bitmap.byteLength, true);
    copyInto(data, r.bitmap, p + 4);
    p += 4 + r.bitmap.byteLength;
    view.setUint32(p, r.writeProfile.byteLength, true);
    copyInto(data, r.writeProfile, p + 4);
    p += 4 + r.writeProfile.byteLength;
    rec.writes += r.writes;
    rec.writeBytes += r.writeBytes;
    rec.reads += r.reads;
    rec.readBytes += r.readBytes;
  }
  if (sorted.length === 1) {
    rec.orBitmap = sorted[0]!.bitmap;
    rec.changedTracks = sorted[0]!.changedTracks;
  } else {
    const bitmaps = sorted.map((r) => r.bitmap);
    const { bitmap, cardinality } = unionBitmaps(bitmaps);
    rec.orBitmap = bitmap;
    rec.changedTracks = cardinality;
  }
  return rec;
}

/** `target.set(bytes, at)`, by a loop for the few bytes of a small cell (cheaper than the call). */
function copyInto(target: Uint8Array, bytes: Uint8Array, at: number): void {
  if (bytes.length > 64) target.set(bytes, at);
  else for (let i = 0; i < bytes.length; i++) target[at + i] = bytes[i]!;
}

/**
 * The intervals of a packed chunk with starts in [fromS, toS), ascending. Bitmaps and profiles
 * are views into `data` (no copy); `withProfiles` false leaves profiles empty.
 */
export function unpackChunk(
  volume: string,
  chunkS: number,
  data: Uint8Array,
  fromS = -Infinity,
  toS = Infinity,
  withProfiles = true,
): IntervalRow[] {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out: IntervalRow[] = [];
  for (let p = 0; p < data.byteLength;) {
    const startS = chunkS + view.getUint32(p, true);
    const bitmapLength = view.getUint32(p + HEAD, true);
    const bitmapAt = p + HEAD + 4;
    const profileLength = view.getUint32(bitmapAt + bitmapLength, true);
    const profileAt = bitmapAt + bitmapLength + 4;
    if (startS >= fromS && startS < toS) {
      out.push({
        volume,
        startS,
        partial: view.getUint8(p + 4) === 1,
        writes: view.getFloat64(p + 5, true),
        writeBytes: view.getFloat64(p + 13, true),
        reads: view.getFloat64(p + 21, true),
        readBytes: view.getFloat64(p + 29, true),
        changedTracks: view.getFloat64(p + 37, true),
        bitmap: data.subarray(bitmapAt, bitmapAt + bitmapLength),
        writeProfile: withProfiles ? data.subarray(profileAt, profileAt + profileLength) : EMPTY_PROFILE,
      });
    }
    p = profileAt + profileLength;
  }
  return out;
}

const EMPTY_PROFILE = new Uint8Array(4);

/** What `forEachPackedInterval` hands over of one interval: start, counts, bitmap and profile (views). */
export type PackedIntervalVisit = (
  startS: number,
  changedTracks: number,
  writeBytes: number,
  bitmap: Uint8Array,
  writeProfile: Uint8Array,
) => void;

/**
 * The intervals of a packed chunk with starts in [fromS, toS), ascending, decoded in place: no
 * object per interval but the bitmap's view (for tight reads of many small cells), and the
 * profile's when `withProfiles` (else an empty profile).
 */
export function forEachPackedInterval(
  chunkS: number,
  data: Uint8Array,
  fromS: number,
  toS: number,
  visit: PackedIntervalVisit,
  withProfiles = false,
): void {
  forEachPackedBitmap(
    chunkS,
    data,
    fromS,
    toS,
    (startS, tracks, writeBytes, _view, at, length, profileAt, profileLength) =>
      visit(
        startS,
        tracks,
        writeBytes,
        data.subarray(at, at + length),
        withProfiles ? data.subarray(profileAt, profileAt + profileLength) : EMPTY_PROFILE,
      ),
  );
}

/**
 * What `forEachPackedBitmap` hands over of one interval: start, counts, and where its bitmap and
 * write profile are in `view` (a view of the whole chunk).
 */
export type PackedBitmapVisit = (
  startS: number,
  changedTracks: number,
  writeBytes: number,
  view: DataView,
  bitmapAt: number,
  bitmapLength: number,
  profileAt: number,
  profileLength: number,
) => void;

/**
 * The intervals of a packed chunk with starts in [fromS, toS), ascending, as offsets into one
 * view of `data`: no object at all per interval. The one walk of the packed format for readers.
 */
export function forEachPackedBitmap(
  chunkS: number,
  data: Uint8Array,
  fromS: number,
  toS: number,
  visit: PackedBitmapVisit,
): void {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let p = 0; p < data.byteLength;) {
    const startS = chunkS + view.getUint32(p, true);
    const bitmapLength = view.getUint32(p + HEAD, true);
    const bitmapAt = p + HEAD + 4;
    const profileAt = bitmapAt + bitmapLength + 4;
    const profileLength = view.getUint32(profileAt - 4, true);
    if (startS >= fromS && startS < toS) {
      const tracks = view.getFloat64(p + HEAD_TRACKS_AT, true);
      const writeBytes = view.getFloat64(p + HEAD_WRITE_BYTES_AT, true);
      visit(startS, tracks, writeBytes, view, bitmapAt, bitmapLength, profileAt, profileLength);
    }
    p = profileAt + profileLength;
  }
}

/**
 * The per-interval counts of a packed chunk (as `packChunk` gives them), read from the interval
 * heads alone: for chunks stored before chunks kept their counts.
 */
export function countsOfChunk(data: Uint8Array): Uint8Array {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out: number[] = [];
  for (let p = 0; p < data.byteLength;) {
    out.push(view.getUint32(p, true), view.getFloat64(p + HEAD_TRACKS_AT, true));
    const bitmapLength = view.getUint32(p + HEAD, true);
    const profileAt = p + HEAD + 4 + bitmapLength + 4;
    p = profileAt + view.getUint32(profileAt - 4, true);
  }
  const counts = new Uint8Array((out.length / 2) * COUNT_BYTES);
  const countView = new DataView(counts.buffer);
  for (let i = 0; i < out.length; i += 2) {
    countView.setUint32((i / 2) * COUNT_BYTES, out[i]!, true);
    countView.setFloat64((i / 2) * COUNT_BYTES + 4, out[i + 1]!, true);
  }
  return counts;
}

/**
 * Merge new rows into a chunk's stored intervals: an interval present in both is merged exactly
 * (tracks ORed, counters summed); the partial flag of the newest closing wins.
 */
export function mergeIntoChunk(existing: IntervalRow[], rows: readonly IntervalRow[]): readonly IntervalRow[] {
  // The common case: a chunk written once, its intervals closed in order (nothing to merge).
  if (existing.length === 0) {
    let ascending = true;
    for (let i = 1; i < rows.length && ascending; i++) ascending = rows[i - 1]!.startS < rows[i]!.startS;
    if (ascending) return rows;
  }
  const byStart = new Map(existing.map((r) => [r.startS, r]));
  for (const row of rows) {
    const old = byStart.get(row.startS);
    byStart.set(row.startS, old === undefined ? row : { ...mergeCounters(old, row), partial: row.partial === true });
  }
  return [...byStart.values()];
}

/** Group rows by (volume, chunk start), keeping their order. */
export function rowsByChunk(
  rows: readonly IntervalRow[],
  intervalS: number,
): Map<string, { volume: string; chunkS: number; rows: IntervalRow[] }> {
  const groups = new Map<string, { volume: string; chunkS: number; rows: IntervalRow[] }>();
  const byVolume = new Map<string, Map<number, IntervalRow[]>>(); // no key string per row
  for (const row of rows) {
    const chunkS = chunkStartS(row.startS, intervalS);
    let chunks = byVolume.get(row.volume);
    if (chunks === undefined) byVolume.set(row.volume, (chunks = new Map()));
    let g = chunks.get(chunkS);
    if (g === undefined) {
      chunks.set(chunkS, (g = []));
      groups.set(`${chunkS}\u0000${row.volume}`, { volume: row.volume, chunkS, rows: g });
    }
    g.push(row);
  }
  return groups;
}

/** The intervals of chunk pages in scan order: by start, then volume id and run (a stable sort). */
export function intervalsOfChunks(chunks: readonly { intervals: IntervalRow[] }[]): IntervalRow[] {
  const rows: IntervalRow[] = [];
  let sorted = true;
  for (const c of chunks) {
    for (const r of c.intervals) {
      if (rows.length > 0 && rows[rows.length - 1]!.startS > r.startS) sorted = false;
      rows.push(r);
    }
  }
  return sorted ? rows : rows.sort((a, b) => a.startS - b.startS);
}
