import type { CellSource } from './cells.js';
import { CycleGrid } from './cycle-grid.js';
import type { RatioAt } from './streamed-changes.js';
import { eachVolumeBitmap } from './volume-cells.js';
import { shareVolumes } from './volume-threads.js';

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

/** What the scanning worker (grid-worker.ts) is given beside its share. */
export interface ShareTask {
  volumes: readonly string[];
  intervalS: number;
  trackBytes: number;
  firstS: number;
  endS: number;
  lengths: number;
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
 * a store another thread can open (`reopenSpec`), is read by two threads: this one and a
 * worker with its own read-only connection share the volumes (volume-threads.ts), and
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
  const spec = source.reopenSpec?.();
  let workerVolumes = 0;
  const parallel =
    spec !== undefined &&
    grid !== null &&
    ratioAt === null &&
    volumes.length >= 2 &&
    volumes.length * intervals >= parallelMinCells;
  if (!parallel) {
    let next = 0;
    await scanShare(source, volumes, intervalS, firstS, endS, grid, ratioAt, () => next++, share);
  } else {
    const task: ShareTask = { volumes, intervalS, trackBytes: grid.trackBytes, firstS, endS, lengths: grid.lengths };
    const url = new URL('./grid-worker.js', import.meta.url);
    const results = await shareVolumes<ShareTask, ShareResult>(url, spec, task, volumes.length, 2, async (taken) => {
      const it = taken[Symbol.iterator]();
      const take = (): number => it.next().value ?? volumes.length;
      await scanShare(source, volumes, intervalS, firstS, endS, grid, null, take, share);
    });
    // None when the worker could not read the command's snapshot: this thread read its volumes.
    for (const theirs of results) {
      grid.addTracks(theirs.gridTracks);
      for (let k = 0; k < intervals; k++) share.seen[k]! |= theirs.seen[k]!;
      share.writtenBytes += theirs.writtenBytes;
      share.packedBytes += theirs.packedBytes;
      workerVolumes += theirs.volumes;
    }
  }
  let n = 0;
  for (let k = 0; k < intervals; k++) n += share.seen[k]!;
  const active = new Float64Array(n);
  for (let k = 0, i = 0; k < intervals; k++) if (share.seen[k] === 1) active[i++] = firstS + k * intervalS;
  return { active, writtenBytes: share.writtenBytes, packedBytes: share.packedBytes, grid, workerVolumes };
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
