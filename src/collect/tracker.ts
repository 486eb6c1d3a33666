import { InputError } from '../errors.js';
import type { IoBatch } from '../readers/batch.js';
import type { IntervalCounts } from '../store/store.js';
import { intervalStartUs } from './interval.js';
import { TrackSet } from './track-set.js';
import { firstTrackOf, lastTrackOf } from '../units/track.js';
import { RowPacker } from './row-batch.js';
import { encodeProfile, encodeProfileInto } from '../store/write-profile.js';

/** One closed (volume, interval), the volume still as its id in the run's VolumeTable. */
export interface IntervalRecord extends IntervalCounts {
  volume: number;
  startS: number;
}

export interface TrackerOptions {
  intervalS: number;
  trackBytes: number;
  /**
   * Intervals before the newest one kept open for late records (default 2). A record later
   * than that reopens its interval; the store merges the two closings exactly (OR and sums).
   */
  lateIntervals?: number;
  /** Whether a volume id is in scope; asked once per volume. Default: all. */
  includeVolume?: (volume: number) => boolean;
  /**
   * Pack closed intervals into one buffer (`drainPacked`, the format of row-batch.ts) instead of
   * keeping a record with two buffers each (`drainClosed`): a decoding worker's messages.
   */
  packed?: boolean;
}

const MAX_TRACK = 0xffff_ffff; // roaring bitmaps hold 32-bit values

class VolumeState {
  readonly tracks = new TrackSet();
  readonly perSecond: Float64Array;
  writes = 0;
  writeBytes = 0;
  reads = 0;
  readBytes = 0;

  constructor(intervalS: number) {
    this.perSecond = new Float64Array(Math.ceil(intervalS));
  }
}

class OpenInterval {
  readonly volumes: (VolumeState | undefined)[] = [];
  readonly active: number[] = [];
  constructor(
    readonly startUs: number,
    readonly endUs: number, // exclusive
  ) {}
}

/**
 * The collector core: per (volume, interval) the first write to a track sets its flag and later
 * writes change nothing; at interval close the flags become an `IntervalRecord` and are
 * cleared. Pure: it takes batches and hands back closed intervals via `drainClosed()`.
 */
export class Tracker {
  readonly intervalUs: number;
  readonly trackBytes: number;
  readonly lateIntervals: number;
  /** Records whose time was earlier than the record before them. */
  backwards = 0;
  /** Times an interval already closed was reopened by late records (merged exactly later). */
  reopened = 0;
  /** Records of volumes outside the scope, ignored. */
  outOfScope = 0;

  readonly #open = new Map<number, OpenInterval>();
  readonly #closed: IntervalRecord[] = [];
  readonly #closedStarts = new Set<number>();
  readonly #pool: VolumeState[] = [];
  readonly #include: ((volume: number) => boolean) | null;
  readonly #packer: RowPacker | null;
  readonly #scoped: Int8Array[] = [new Int8Array(64)]; // 0 unknown, 1 in, -1 out
  #current: OpenInterval | null = null;
  #newestStartUs = -Infinity;
  #lastTimeUs = -Infinity;

  constructor(options: TrackerOptions) {
    this.intervalUs = options.intervalS * 1e6;
    this.trackBytes = options.trackBytes;
    this.lateIntervals = options.lateIntervals ?? 2;
    this.#include = options.includeVolume ?? null;
    this.#packer = options.packed === true ? new RowPacker() : null;
  }

  /** Apply a batch of records. */
  add(batch: IoBatch): void {
    const { volume, timeUs, offsetBytes, lengthBytes, isWrite } = batch;
    const T = this.trackBytes;
    let cur = this.#current;
    for (let i = 0; i < batch.length; i++) {
      const t = timeUs[i]!;
      if (t < this.#lastTimeUs) this.backwards++;
      this.#lastTimeUs = t;
      if (cur === null || t < cur.startUs || t >= cur.endUs) cur = this.#current = this.#intervalAt(t);
      const v = volume[i]!;
      if (this.#include !== null && !this.#inScope(v)) {
        this.outOfScope++;
        continue;
      }
      let state = cur.volumes[v];
      if (state === undefined) state = this.#activate(cur, v);
      const length = lengthBytes[i]!;
      if (isWrite[i] === 0) {
        state.reads++;
        state.readBytes += length;
        continue;
      }
      state.writes++;
      state.writeBytes += length;
      state.perSecond[Math.floor((t - cur.startUs) / 1e6)]! += length;
      if (length <= 0) continue;
      const offset = offsetBytes[i]!;
      const first = firstTrackOf(offset, T);
      const last = lastTrackOf(offset, length, T);
      if (last > MAX_TRACK)
        throw new InputError(`track ${last} is beyond the 2^32 tracks a bitmap can hold (offset ${offset} B)`);
      if (first === last) state.tracks.add(first);
      else state.tracks.addRange(first, last);
    }
    this.#closeOlderThan(this.#newestStartUs - this.lateIntervals * this.intervalUs);
  }

  /** A new input begins: its time need not continue the previous input's (per-CPU files). */
  startSource(): void {
    this.#lastTimeUs = -Infinity;
  }

  /**
   * Close every open interval that ended at or before `timeUs`: in live collection the wall
   * clock closes intervals, whether or not records arrive. Later records still reopen them.
   */
  closeEndedBy(timeUs: number): void {
    this.#closeOlderThan(timeUs - this.intervalUs + 1);
  }

  /** Close every open interval (end of input). */
  finish(): void {
    this.#closeOlderThan(Infinity);
  }

  /** Closed interval records since the last call, in closing order. */
  drainClosed(): IntervalRecord[] {
    return this.#closed.splice(0, this.#closed.length);
  }

  /** With `packed`: the intervals closed since the last call, packed in closing order (null: none). */
  drainPacked(): ArrayBuffer | null {
    return this.#packer?.take() ?? null;
  }

  #inScope(v: number): boolean {
    let flags = this.#scoped[0]!;
    if (v >= flags.length) {
      const grown = new Int8Array(Math.max(flags.length * 2, v + 1));
      grown.set(flags);
      this.#scoped[0] = flags = grown;
    }
    let f = flags[v]!;
    if (f === 0) flags[v] = f = this.#include!(v) ? 1 : -1;
    return f === 1;
  }

  #intervalAt(timeUs: number): OpenInterval {
    const startUs = intervalStartUs(timeUs, this.intervalUs);
    let open = this.#open.get(startUs);
    if (open === undefined) {
      if (startUs > this.#newestStartUs) {
        this.#newestStartUs = startUs;
        this.#closeOlderThan(startUs - this.lateIntervals * this.intervalUs);
      } else if (this.#closedStarts.has(startUs / 1e6)) this.reopened++;
      open = new OpenInterval(startUs, startUs + this.intervalUs);
      this.#open.set(startUs, open);
    }
    return open;
  }

  #activate(interval: OpenInterval, v: number): VolumeState {
    const state = this.#pool.pop() ?? new VolumeState(this.intervalUs / 1e6);
    interval.volumes[v] = state;
    interval.active.push(v);
    return state;
  }

  #closeOlderThan(limitUs: number): void {
    for (const [startUs, open] of this.#open) {
      if (startUs >= limitUs) continue;
      this.#open.delete(startUs);
      if (this.#current === open) this.#current = null;
      const startS = startUs / 1e6;
      this.#closedStarts.add(startS);
      open.active.sort((a, b) => a - b);
      const packer = this.#packer;
      for (const v of open.active) {
        const s = open.volumes[v]!;
        if (packer !== null) {
          const at = packer.beginRow(v, startS, s.writes, s.writeBytes, s.reads, s.readBytes);
          const changedTracks = s.tracks.closeInto(packer);
          const bitmapEnd = packer.length;
          encodeProfileInto(s.perSecond, packer);
          packer.endRow(at, changedTracks, bitmapEnd);
          s.writes = s.writeBytes = s.reads = s.readBytes = 0;
          this.#pool.push(s);
          continue;
        }
        const { bitmap, cardinality: changedTracks } = s.tracks.close();
        this.#closed.push({
          volume: v,
          startS,
          writes: s.writes,
          writeBytes: s.writeBytes,
          reads: s.reads,
          readBytes: s.readBytes,
          changedTracks,
          bitmap,
          writeProfile: encodeProfile(s.perSecond),
        });
        s.writes = s.writeBytes = s.reads = s.readBytes = 0;
        this.#pool.push(s);
      }
    }
  }
}
