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

const FLUSH_ROWS = 512;
const FLUSH_BYTES = 8 << 20;

/**
 * Hands closed interval rows of one run to the store in batches (one transaction each), and
 * keeps the run's totals. A file run is invisible until it completes, so batching loses nothing;
 * `flushEach` makes every call its own transaction (live collection: one interval at a time).
 */
export class IntervalWriter {
  readonly totals: RowTotals = { writes: 0, writeBytes: 0, reads: 0, readBytes: 0, rows: 0, volumes: new Set(), intervals: new Set(), firstS: null, lastS: null };
  #pending: IntervalRow[] = [];
  #pendingBytes = 0;

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
    }
    if (this.flushEach || this.#pending.length >= FLUSH_ROWS || this.#pendingBytes >= FLUSH_BYTES) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.#pending.length === 0) return;
    const rows = this.#pending;
    this.#pending = [];
    this.#pendingBytes = 0;
    await this.store.writeIntervals(typeof this.run === 'number' ? this.run : await this.run(), rows);
  }
}
