import { chunkStartS } from '../store/chunk.js';
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

// The store packs 60 intervals per row (store/chunk.ts): a chunk written in two parts costs its
// read, merge and packing twice. Rows are therefore held until their producer (this thread, or
// one decoding worker) has moved to a later chunk, so each chunk is written once — except those
// straddling a cut between workers and late records, which the store merges exactly. The caps
// bound what is held whatever the number of volumes.
const FLUSH_ROWS = 16384;
const FLUSH_BYTES = 32 << 20;

/**
 * Hands closed interval rows of one run to the store in batches (one transaction each), and
 * keeps the run's totals. A file run is invisible until it completes, so batching loses nothing,
 * and one batch may be committing while the caller goes on (`flush` waits for all); `flushEach`
 * makes every call its own transaction, committed when the call returns (live collection: one
 * interval at a time).
 */
export class IntervalWriter {
  readonly totals: RowTotals = {
    writes: 0,
    writeBytes: 0,
    reads: 0,
    readBytes: 0,
    rows: 0,
    volumes: new Set(),
    intervals: new Set(),
    firstS: null,
    lastS: null,
  };
  /** Held rows by producer, then by chunk start. */
  readonly #pending = new Map<number, Map<number, IntervalRow[]>>();
  /** The latest chunk start each producer has handed rows of. */
  readonly #newestChunkS = new Map<number, number>();
  #pendingRows = 0;
  #pendingBytes = 0;

  /**
   * `run` is the run id, or a function that begins the run on first use: a collection writes
   * nothing to the store (run, settings) until it has a first interval to commit. `intervalS`
   * is the store's interval (chunks are `CHUNK_INTERVALS` of them).
   */
  constructor(
    private readonly store: Store,
    private readonly run: number | (() => Promise<number>),
    private readonly flushEach = false,
    private readonly intervalS = 60,
  ) {}

  /** Rows closed by `producer` (0: this thread; a decoding worker: its index + 1), in closing order. */
  async add(rows: IntervalRow[], producer = 0): Promise<void> {
    const t = this.totals;
    let chunks = this.#pending.get(producer);
    if (chunks === undefined) this.#pending.set(producer, (chunks = new Map()));
    let newest = this.#newestChunkS.get(producer) ?? -Infinity;
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
      const chunkS = chunkStartS(r.startS, this.intervalS);
      let held = chunks.get(chunkS);
      if (held === undefined) chunks.set(chunkS, (held = []));
      held.push(r);
      if (chunkS > newest) newest = chunkS;
      this.#pendingRows++;
      this.#pendingBytes += r.bitmap.byteLength + r.writeProfile.byteLength + 64;
    }
    this.#newestChunkS.set(producer, newest);
    if (this.flushEach || this.#pendingRows >= FLUSH_ROWS || this.#pendingBytes >= FLUSH_BYTES) {
      await this.flush();
      return;
    }
    // Chunks this producer has moved past are complete (but for late records): write them.
    const done: IntervalRow[] = [];
    for (const [chunkS, held] of chunks) {
      if (chunkS >= newest) continue;
      chunks.delete(chunkS);
      for (const r of held) done.push(r);
    }
    await this.#write(done);
  }

  /** Write every held row, and wait until the store has committed all. */
  async flush(): Promise<void> {
    const rows: IntervalRow[] = [];
    for (const chunks of this.#pending.values()) {
      for (const held of chunks.values()) for (const r of held) rows.push(r);
      chunks.clear();
    }
    await this.#write(rows);
    await this.#settle();
  }

  /**
   * The store's write still in flight. A file run is invisible until it completes (after
   * `flush`), so its batches need not be committed one by one before the caller goes on: one
   * write runs while the next batch is decoded and gathered (a server store then works while
   * this process does). At most one: a write waits for the previous one's commit before it is
   * sent, and fails with the previous one's error.
   */
  #inFlight: Promise<void> | null = null;

  async #settle(): Promise<void> {
    while (this.#inFlight !== null) {
      const previous = this.#inFlight;
      try {
        await previous;
      } finally {
        if (this.#inFlight === previous) this.#inFlight = null;
      }
    }
  }

  async #write(rows: IntervalRow[]): Promise<void> {
    if (rows.length === 0) return;
    for (const r of rows) this.#pendingBytes -= r.bitmap.byteLength + r.writeProfile.byteLength + 64;
    this.#pendingRows -= rows.length;
    const runId = typeof this.run === 'number' ? this.run : await this.run();
    await this.#settle();
    if (this.flushEach) {
      await this.store.writeIntervals(runId, rows);
      return;
    }
    const write = this.store.writeIntervals(runId, rows);
    write.catch(() => {}); // thrown to the next write or flush, which await it
    this.#inFlight = write;
  }
}
