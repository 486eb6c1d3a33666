import { CHUNK_INTERVALS } from '../store/chunk.js';
import type { IntervalRow, Store } from '../store/store.js';

/** Totals over the interval rows a run has written. */
export interface RowTotals {
  writes: number;
  writeBytes: number;
  reads: number;
  readBytes: number;
  rows: number;
  volumes: Set<string>;
  /** Distinct interval starts written. */
  intervals: Set<number>;
  firstS: number | null;
  lastS: number | null;
}

// Batches of about one chunk of time: the store packs 60 intervals per row (store/chunk.ts), and
// a chunk rewritten at every small batch would cost its merge again and again; flushing once 60
// distinct intervals are pending writes each chunk about once or twice, and keeps committing as
// the collection proceeds however few volumes there are.
const FLUSH_ROWS = 8192;
const FLUSH_BYTES = 32 << 20;
const FLUSH_INTERVALS = CHUNK_INTERVALS;

/**
 * Hands closed interval rows of one run to the store in batches (one transaction each), and
 * keeps the run's totals. A file run is invisible until it completes, so batching loses nothing;
 * `flushEach` makes every call its own transaction (live collection: one interval at a time).
 */
export class IntervalWriter {
  readonly totals: RowTotals = { writes: 0, writeBytes: 0, reads: 0, readBytes: 0, rows: 0, volumes: new Set(), intervals: new Set(), firstS: null, lastS: null };
  #pending: IntervalRow[] = [];
  #pendingBytes = 0;
  readonly #pendingStarts = new Set<number>();

  /**
   * `run` is the run id, or a function that begins the run on first use: a collection writes
   * nothing to the store (run, settings) until it has a first interval to commit.
   */
  constructor(
    private readonly store: Store,
    private readonly run: number | (() => Promise<number>),
    private readonly flushEach = false,
  ) {}

  async add(rows: IntervalRow[]): Promise<void> {
    const t = this.totals;
    for (const r of rows) {
      t.writes += r.writes;
      t.writeBytes += r.writeBytes;
      t.reads += r.reads;
      t.readBytes += r.readBytes;
      t.rows++;
      t.volumes.add(r.volume);
      t.intervals.add(r.startS);
      t.firstS = t.firstS === null ? r.startS : Math.min(t.firstS, r.startS);
      t.lastS = t.lastS === null ? r.startS : Math.max(t.lastS, r.startS);
      this.#pending.push(r);
      this.#pendingBytes += r.bitmap.byteLength + 64;
      this.#pendingStarts.add(r.startS);
    }
    const full = this.#pending.length >= FLUSH_ROWS || this.#pendingBytes >= FLUSH_BYTES
      || this.#pendingStarts.size >= FLUSH_INTERVALS;
    if (this.flushEach || full) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.#pending.length === 0) return;
    const rows = this.#pending;
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#pendingStarts.clear();
    await this.store.writeIntervals(typeof this.run === 'number' ? this.run : await this.run(), rows);
  }
}
