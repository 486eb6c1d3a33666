import { Worker } from 'node:worker_threads';
import type { CellSource } from './cells.js';
import { CycleGrid } from './cycle-grid.js';
import type { RatioAt } from './streamed-changes.js';
import { eachVolumeBitmap } from './volume-cells.js';

/** Windows of at least this many (volume, interval) pairs open with a second thread (`scanWindow`). */
export const PARALLEL_MIN_CELLS = 200_000;

export interface WindowScan {
  active: Float64Array;
  writtenBytes: number;
  /** What a `Timeline` of the window would hold: 40 bytes per cell plus its bitmap. */
  packedBytes: number;
  grid: CycleGrid | null;
  /** Volumes the second thread read (0: one thread). */
  workerVolumes: number;
}

/** What one thread's share of the volumes adds up. */
export interface ScanShare {
  /** 1 for each interval with a cell. */
  seen: Uint8Array;
  writtenBytes: number;
  packedBytes: number;
  /** Volumes read. */
  volumes: number;
}

/** What the scanning worker (grid-worker.ts) is given. */
export interface ShareTask {
  location: string;
  volumes: readonly string[];
  intervalS: number;
  trackBytes: number;
  firstS: number;
  endS: number;
  lengths: number;
  /** Int32 [0]: the next volume to take, shared by both threads. */
  next: SharedArrayBuffer;
}

/** What the worker posts back: its share and its volumes' grid counts. */
export interface ShareResult extends ScanShare {
  gridTracks: Float64Array;
}

/**
 * One pass over the window, volume by volume: the starts with cells, the written bytes, the bytes
 * packing it would take, and the cells fed to `grid` when given. Memory: a byte per interval of
 * the window (and the grid; twice with a second thread).
 *
 * A window of at least `parallelMinCells` (volume, interval) pairs with a grid and no ratios, from
 * a store another thread can open (`workerLocation`), is read by two threads: this one and a
 * worker with its own read-only connection take volumes one at a time from a shared counter, and
 * the worker's counts are added in at the end. All the sums are of integers (tracks, bytes), so
 * the figures are the same whatever volumes each thread took.
 */
export async function scanWindow(
  source: CellSource,
  volumes: readonly string[],
  intervalS: number,
  firstS: number,
  endS: number,
  grid: CycleGrid | null,
  ratioAt: RatioAt | null,
  parallelMinCells = PARALLEL_MIN_CELLS,
): Promise<WindowScan> {
  const intervals = (endS - firstS) / intervalS;
  const share: ScanShare = { seen: new Uint8Array(intervals), writtenBytes: 0, packedBytes: 0, volumes: 0 };
  const location = source.workerLocation;
  let workerVolumes = 0;
  const parallel =
    location !== undefined &&
    grid !== null &&
    ratioAt === null &&
    volumes.length >= 2 &&
    volumes.length * intervals >= parallelMinCells;
  if (!parallel) {
    let next = 0;
    await scanShare(source, volumes, intervalS, firstS, endS, grid, ratioAt, () => next++, share);
  } else {
    const next = new SharedArrayBuffer(4);
    const counter = new Int32Array(next);
    const task: ShareTask = {
      location,
      volumes,
      intervalS,
      trackBytes: grid.trackBytes,
      firstS,
      endS,
      lengths: grid.lengths,
      next,
    };
    const worker = new Worker(new URL('./grid-worker.js', import.meta.url), { workerData: task });
    try {
      const { ready, result } = messagesOf(worker);
      result.catch(() => undefined); // awaited below, unless this thread fails first
      // Start together (the worker has opened the store): each then takes volumes as it goes.
      await Promise.race([ready, result]);
      const take = (): number => Atomics.add(counter, 0, 1);
      await scanShare(source, volumes, intervalS, firstS, endS, grid, null, take, share);
      const theirs = await result;
      grid.addTracks(theirs.gridTracks);
      for (let k = 0; k < intervals; k++) share.seen[k]! |= theirs.seen[k]!;
      share.writtenBytes += theirs.writtenBytes;
      share.packedBytes += theirs.packedBytes;
      workerVolumes = theirs.volumes;
    } finally {
      await worker.terminate();
    }
  }
  let n = 0;
  for (let k = 0; k < intervals; k++) n += share.seen[k]!;
  const active = new Float64Array(n);
  for (let k = 0, i = 0; k < intervals; k++) if (share.seen[k] === 1) active[i++] = firstS + k * intervalS;
  return { active, writtenBytes: share.writtenBytes, packedBytes: share.packedBytes, grid, workerVolumes };
}

/** The worker's messages: ready (its store open), then its result; or its error. */
function messagesOf(worker: Worker): { ready: Promise<void>; result: Promise<ShareResult> } {
  let ready!: () => void;
  const readyP = new Promise<void>((resolve) => (ready = resolve));
  const result = new Promise<ShareResult>((resolve, reject) => {
    worker.on('message', (m: ShareResult | 'ready') => (m === 'ready' ? ready() : resolve(m)));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`cycle grid worker exited (code ${code}) before its result`)));
  });
  return { ready: readyP, result };
}

/**
 * Scan the volumes `take` hands out (indices into `volumes`, until one past the end) into `share`
 * and `grid`.
 */
export async function scanShare(
  source: CellSource,
  volumes: readonly string[],
  intervalS: number,
  firstS: number,
  endS: number,
  grid: CycleGrid | null,
  ratioAt: RatioAt | null,
  take: () => number,
  share: ScanShare,
): Promise<void> {
  const seen = share.seen;
  for (let v = take(); v < volumes.length; v = take()) {
    const volume = volumes[v]!;
    const part = grid?.volume() ?? null;
    await eachVolumeBitmap(source, volume, firstS, endS, (startS, tracks, writeBytes, view, at, length) => {
      const index = (startS - firstS) / intervalS;
      seen[index] = 1;
      share.writtenBytes += writeBytes;
      share.packedBytes += 40 + length;
      part?.pushAt(index, tracks, view, at, length, ratioAt === null ? 1 : ratioAt(volume, startS));
    });
    part?.finish();
    share.volumes++;
  }
}
